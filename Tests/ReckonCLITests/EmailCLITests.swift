import Foundation
import TestSupport
import Testing

/// `reckon email` end to end, and the JSON result `check` and `run` write when the database
/// is down: a scheduler's `reckon run --json r.json; reckon email --result r.json` still mails.
@Suite(.enabled(if: SMTPTestServer.available, "python3-aiosmtpd is not installed")) struct EmailCLITests {
    static let databasePassword = "db-s3cr3t-pw"
    static let smtpPassword = "smtp-s3cr3t-pw"
    let cli = CLITests()

    /// A folder with the JSON result of a `reckon <command>` whose database is unreachable.
    func unreachableResult(_ command: String) throws -> (folder: String, result: String, outcome: CLITests.Outcome) {
        let folder = NSTemporaryDirectory() + "reckon-email-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let result = folder + "/r.json"
        let outcome = try cli.reckon(
            [command, "--json", result],
            environment: ["DATABASE_URL": "postgresql://analyst:\(Self.databasePassword)@127.0.0.1:1/warehouse?connect_timeout=2"])
        return (folder, result, outcome)
    }

    func mailEnvironment(_ server: SMTPTestServer, user: String? = nil, password: String? = nil) -> [String: String] {
        var environment = [
            "RECKON_SMTP_URL": "smtp://\(user.map { $0 + "@" } ?? "")127.0.0.1:\(server.port)",
            "RECKON_EMAIL_FROM": "reckon <audit@example.com>", "RECKON_EMAIL_TO": "ops@example.com,data@example.com",
        ]
        if let password { environment["RECKON_SMTP_PASSWORD"] = password }
        return environment
    }

    @Test(arguments: ["check", "run"])
    func anUnreachableDatabaseStillWritesTheResultAndTheEmailSaysSo(command: String) throws {
        let (folder, result, outcome) = try unreachableResult(command)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.status == 3)
        let json = try String(contentsOfFile: result, encoding: .utf8)
        #expect(json.contains("\"errorMessage\" : \"cannot connect to PostgreSQL at host 127.0.0.1 port 1"))
        #expect(json.contains("\"checks\" : ["))
        #expect(json.contains("\"command\" : \"\(command)\""))
        #expect(!json.contains(Self.databasePassword))

        let server = try SMTPTestServer()
        defer { server.stop() }
        let sent = try cli.reckon(["email", "--result", result], environment: mailEnvironment(server))
        #expect(sent.status == 0, "\(sent.standardError)")
        let received = try #require(server.messages().first)
        let message = try SMTPTestServer.parse(received)
        #expect(message.subject.hasPrefix("reckon: could not run — warehouse/analytics"))
        #expect(message.to == ["ops@example.com", "data@example.com"])
        #expect(message.text.contains("ERROR: the audit could not run"))
        #expect(message.text.contains("cannot connect to PostgreSQL at host 127.0.0.1 port 1"))
        #expect(!message.text.contains(Self.databasePassword) && !message.html.contains(Self.databasePassword))
    }

    @Test func refusedAuthExitsThreeWithTheServersReplyAndNoPassword() throws {
        let (folder, result, _) = try unreachableResult("check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try SMTPTestServer(user: "reckon", password: "another-password")
        defer { server.stop() }
        let outcome = try cli.reckon(
            ["email", "--result", result], environment: mailEnvironment(server, user: "reckon", password: Self.smtpPassword))
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("failed"))
        #expect(outcome.standardError.contains("535"), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains(Self.smtpPassword) && !outcome.standardOutput.contains(Self.smtpPassword))
        #expect(outcome.standardError.split(separator: "\n").count == 1)
        #expect(server.messages().isEmpty)
    }

    @Test func aRejectedRecipientExitsThree() throws {
        let (folder, result, _) = try unreachableResult("check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try SMTPTestServer(reject: ["data@example.com"])
        defer { server.stop() }
        let outcome = try cli.reckon(["email", "--result", result], environment: mailEnvironment(server))
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("Recipient address rejected"), "\(outcome.standardError)")
        #expect(server.messages().isEmpty)
    }

    @Test func aServerThatIsDownExitsThree() throws {
        let (folder, result, _) = try unreachableResult("check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try cli.reckon(
            ["email", "--result", result, "--to", "ops@example.com"],
            environment: [
                "RECKON_SMTP_URL": "smtp://reckon:\(Self.smtpPassword)@127.0.0.1:1", "RECKON_EMAIL_FROM": "audit@example.com",
                "RECKON_SMTP_PASSWORD": Self.smtpPassword,
            ])
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("smtp://reckon:****@127.0.0.1:1"), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains(Self.smtpPassword))
    }

    @Test func emlWritesTheMessageInsteadOfSending() throws {
        let (folder, result, _) = try unreachableResult("check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let eml = folder + "/digest.eml"
        let outcome = try cli.reckon(
            [
                "email", "--result", result, "--to", "a@example.com", "--eml", eml, "--subject", "Prüfung\r\nBcc: x@evil.example",
                "--attach-report",
            ],
            environment: ["RECKON_EMAIL_FROM": "audit@example.com"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let message = try SMTPTestServer.parse(URL(fileURLWithPath: eml))
        #expect(message.subject == "Prüfung Bcc: x@evil.example")
        #expect(!message.headerNames.contains("Bcc"))
        #expect(message.attachments == ["reckon-report.html"])
    }

    @Test func aMissingSenderOrResultExitsTwo() throws {
        let noResult = try cli.reckon(
            ["email", "--result", "/nonexistent/r.json", "--eml", "/tmp/x.eml"], environment: ["RECKON_EMAIL_FROM": "a@example.com"])
        #expect(noResult.status == 2)
        let (folder, result, _) = try unreachableResult("check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let noSender = try cli.reckon(["email", "--result", result, "--to", "a@example.com", "--eml", folder + "/x.eml"])
        #expect(noSender.status == 2)
        #expect(noSender.standardError.contains("no sender"))
    }
}
