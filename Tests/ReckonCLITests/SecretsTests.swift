import Foundation
import PostgresClient
import TestSupport
import Testing

/// No password reaches any output — stderr, stdout, JSON, JUnit, HTML — whatever form the
/// connection string takes (issue 8, "Secrets").
@Suite struct SecretsTests {
    /// How the connection reaches reckon: the environment or a reckon.yml line.
    enum Source: String, CaseIterable, Sendable {
        case environment
        case configuration
    }

    /// One password form: the connection string for the test database `url`, and whether it
    /// connects (the test cluster trusts local connections, so the password is not checked).
    struct Form: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable (_ socket: String, _ port: String, _ database: String) -> String
        let connects: Bool
        var testDescription: String { name }
    }

    static let secret = "S3c"

    static let forms: [Form] = [
        Form(name: "spaces around =", make: { "host=\($0) port=\($1) user=postgres dbname=\($2) password = S3cretA1" }, connects: true),
        Form(name: "quoted with a space", make: { "host=\($0) port=\($1) user=postgres dbname=\($2) password='S3c ret'" }, connects: true),
        Form(
            name: "? in the URI password", make: { "postgresql://postgres:S3c?retB2@/\($2)?host=\($0)&port=\($1)" }, connects: true),
        Form(
            name: "password in the URI query", make: { "postgresql:///\($2)?host=\($0)&port=\($1)&user=postgres&password=S3cretQ" },
            connects: true),
        Form(name: "malformed URI", make: { _, _, _ in "postgresql://u:S3cretC3@[::1/db" }, connects: false),
        Form(name: "bad port in a URI", make: { _, _, _ in "postgresql://u:S3cretD4@localhost:notaport/db" }, connects: false),
    ]

    static let cases: [(Form, Source)] = forms.flatMap { form in Source.allCases.map { (form, $0) } }

    @Test(arguments: cases)
    func passwordNeverShown(form: Form, source: Source) throws {
        let url = try TestDatabase.create(prefix: "secret")
        defer { TestDatabase.drop(url) }
        let parts = Dictionary(
            uniqueKeysWithValues: url.split(separator: " ").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
                .map { ($0[0], $0.count > 1 ? $0[1] : "") })
        let conninfo = form.make(parts["host"] ?? "", parts["port"] ?? "5432", parts["dbname"] ?? "")
        let folder = NSTemporaryDirectory() + "reckon-secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        version: 1
        checks:
          - {name: passes, kind: sql, sql: select 1 where false}
          - {name: errors, kind: sql, sql: select * from no_such_table}
        """.write(toFile: folder + "/checks/c.yml", atomically: true, encoding: .utf8)
        var environment = ["RECKON_CHECKS_DIR": folder + "/checks", "DATABASE_URL": "", "RECKON_DATABASE_URL": ""]
        switch source {
        case .environment: environment["DATABASE_URL"] = conninfo
        case .configuration:
            let quoted = "'" + conninfo.replacingOccurrences(of: "'", with: "''") + "'"
            try "connection: \(quoted)\n".write(toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        }
        let reports = ["--json", folder + "/r.json", "--junit", folder + "/r.xml", "--html", folder + "/r.html"]
        let check = try ReckonProcess.run(["check"] + reports, environment: environment, directory: folder)
        let doctor = try ReckonProcess.run(["doctor"], environment: environment, directory: folder)
        var outputs = [check.standardError, check.standardOutput, doctor.standardError, doctor.standardOutput]
        for file in ["r.json", "r.xml", "r.html"] {
            if let data = FileManager.default.contents(atPath: folder + "/" + file) {
                outputs.append(String(decoding: data, as: UTF8.self))
            }
        }
        if form.connects {
            #expect(check.status == 1, "\(check.standardError)")  // the `errors` check errored
            #expect(outputs.count == 7, "every report written")
            #expect(doctor.standardOutput.contains("database: "))
        } else {
            #expect(check.status == 2, "\(check.standardError)")
            #expect(doctor.status == 2, "\(doctor.standardError)")
            #expect(check.standardError.contains("malformed connection string: "))
        }
        for output in outputs {
            #expect(!output.contains(Self.secret), "\(output)")
        }
    }

    /// A reckon.yml error never quotes a line holding a connection string.
    @Test(arguments: [
        "connection: \"postgresql://u:S3cret@h/db\n  x",
        "connection: *nope postgresql://u:S3cret@h/db\n",
        "sources: postgresql://u:S3cret@h/db\n",
        "connection: host=h password = S3cret\nconnection: x\n",
        "target_schema: [host=h password=S3cret]\n",
        "checks:\n  concurrency: postgresql://u:S3cret@h/db\n",
    ])
    func configurationErrorsNeverQuoteConnectionLines(yaml: String) throws {
        let folder = NSTemporaryDirectory() + "reckon-secret-yml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try yaml.write(toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let outcome = try ReckonProcess.run(["doctor"], environment: ["DATABASE_URL": ""], directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("reckon.yml:"))
        #expect(!outcome.standardError.contains(Self.secret), "\(outcome.standardError)")
    }
}
