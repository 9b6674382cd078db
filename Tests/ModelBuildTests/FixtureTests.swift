import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// Runs every fixture of `Fixtures/` (format: Fixtures/README.md) through the real build:
/// raw tables from `RawSchema`, hand-made rows, `ModelBuilder.build` + `publish`, then the
/// fixture's expectation query, failing for each row whose actual differs from expected.
@Suite struct FixtureTests {
    static let fixtureDirectory = TestDatabase.repositoryRoot.appendingPathComponent("Tests/ModelBuildTests/Fixtures")

    /// The fixture files. An unreadable folder yields one name that cannot be read, so the
    /// parameterised test fails instead of running zero cases.
    static var fixtureNames: [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path) else {
            return ["<unreadable fixture folder \(fixtureDirectory.path)>"]
        }
        return names.filter { $0.hasSuffix(".sql") }.sorted()
    }

    @Test func everyRuleOfMARTHasFixtures() {
        let names = Set(Self.fixtureNames)
        for required in ["parsing.sql", "channels.sql", "facebook_match.sql", "events.sql", "revenue.sql", "campaign_daily.sql"] {
            #expect(names.contains(required), "missing fixture \(required)")
        }
    }

    @Test(arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let text = try String(contentsOf: Self.fixtureDirectory.appendingPathComponent(name), encoding: .utf8)
        let parts = text.components(separatedBy: "\n-- expect\n")
        try #require(parts.count == 2, "\(name) needs one line '-- expect'")
        var configuration = Configuration()
        if let header = text.split(separator: "\n").first(where: { $0.hasPrefix("-- vars:") }),
            let match = header.firstMatch(of: /ad_account_timezone='([^']*)'/)
        {
            configuration.adAccountTimeZone = String(match.1)
        }
        let url = try TestDatabase.create(prefix: "fixture")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try ModelTestSupport.createRawTables(connection)
        try connection.executeScript(parts[0], name: "\(name) rows")
        try ModelTestSupport.buildAndPublish(connection, configuration: configuration)

        let query = parts[1].trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
        let result = try connection.execute(
            "select x.label, x.actual, x.expected, (x.actual is distinct from x.expected) from (\(query)) x(label, actual, expected)",
            name: "\(name) expectations")
        #expect(!result.rows.isEmpty, "\(name) expects nothing")
        let labels = result.rows.map { $0[0] ?? "" }
        #expect(Set(labels).count == labels.count, "\(name): labels must be unique, so a missing row cannot hide behind another")
        for row in result.rows where row[0] == nil { Issue.record("\(name): a row without a label") }
        for row in result.rows where row[3] == "t" {
            Issue.record("\(name): \(row[0] ?? "?"): actual \(row[1] ?? "NULL"), expected \(row[2] ?? "NULL")")
        }
    }

    @Test func parsingExpectationsAgreeWithPythonExceptWhereMARTSaysNot() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestDatabase.repositoryRoot.appendingPathComponent("Tests/ModelBuildTests/oracle_check.py").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
    }
}

/// Shared steps of the model tests.
enum ModelTestSupport {
    static func createRawTables(_ connection: Connection, schema: String = "raw") throws {
        try connection.execute("create schema \(SQL.identifier(schema))", name: "raw schema")
        for table in RawSchema.tables {
            try connection.execute(table.ddl.replacingOccurrences(of: "%SCHEMA%", with: SQL.identifier(schema)), name: table.name)
        }
    }

    static func buildAndPublish(
        _ connection: Connection, configuration: Configuration = Configuration(), targetSchema: String = "analytics"
    ) throws {
        let project = try ModelProject.load(directory: TestDatabase.repositoryRoot.appendingPathComponent("models").path)
        let builder = ModelBuilder(connection: connection, configuration: configuration, project: project, targetSchema: targetSchema)
        try builder.lock(onWait: { _ in })
        defer { builder.unlock() }
        _ = try builder.build(progress: { _ in })
        try builder.publish()
    }
}
