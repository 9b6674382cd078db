import Foundation
import ReckonCore
import Testing

/// The `email:` section of reckon.yml and its environment overrides.
@Suite struct EmailSettingsTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws -> Configuration {
        let path = NSTemporaryDirectory() + "reckon-email-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: environment)
    }

    @Test func theSectionIsReadAndTheEnvironmentOverridesIt() throws {
        let yaml = """
            email:
              from: reckon <audit@example.com>
              to: [a@example.com, b@example.com]
              smtp_url: smtp://reckon@mail.example.com:587
              smtp_tls: required
              report_url: https://reports.example.com/latest.html
            """
        let file = try load(yaml).email
        #expect(file.from == "reckon <audit@example.com>")
        #expect(file.to == ["a@example.com", "b@example.com"])
        #expect(file.smtpURL == "smtp://reckon@mail.example.com:587")
        #expect(file.tls == .required)
        #expect(file.reportURL == "https://reports.example.com/latest.html")
        #expect(file.password == nil)
        let overridden = try load(
            yaml,
            environment: [
                "RECKON_SMTP_URL": "smtps://other@mail.example.com:465", "RECKON_SMTP_PASSWORD": "pw",
                "RECKON_EMAIL_TO": "c@example.com, d@example.com",
            ]
        ).email
        #expect(overridden.smtpURL == "smtps://other@mail.example.com:465")
        #expect(overridden.password == "pw")
        #expect(overridden.to == ["c@example.com", "d@example.com"])
    }

    @Test func anUnknownTLSPolicyNamesItsLineAndTheChoices() throws {
        #expect {
            _ = try load("email:\n  smtp_tls: always\n")
        } throws: { error in
            guard let error = error as? InputFileError else { return false }
            return error.line == 2 && error.message.contains("opportunistic, required")
        }
    }

    @Test func thePasswordIsNotAKeyOfTheFile() throws {
        #expect(throws: InputFileError.self) { _ = try load("email:\n  smtp_password: x\n") }
    }
}
