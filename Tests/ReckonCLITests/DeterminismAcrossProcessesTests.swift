import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// Determinism that one process cannot prove: Swift seeds its hashing per process, so an
/// output that depends on dictionary or set order can agree with itself inside one process
/// and still differ between two runs. Each test here compares the output of separate
/// processes (the `reckon` executable) with each other and with the test's own.
@Suite struct DeterminismAcrossProcessesTests {
    let cli = CLITests()

    /// Per raw table: row count and md5 of the rows in text order, computed by the database.
    func rawChecksums(_ url: String) throws -> [String: String] {
        let connection = try Connection.connect(url)
        let tables = try connection.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1", name: "raw tables"
        ).rows.compactMap { $0[0] }
        var result: [String: String] = [:]
        for table in tables {
            result[table] = try connection.execute(
                "select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from raw.\(SQL.identifier(table)) t",
                name: table
            ).rows[0][0]
        }
        return result
    }

    @Test func theSameSeedGivesTheSameDataInAnotherProcess() throws {
        let inProcess = try TestDatabase.create(prefix: "det")
        let executable = try TestDatabase.create(prefix: "det")
        defer {
            TestDatabase.drop(inProcess)
            TestDatabase.drop(executable)
        }
        _ = try SampleDataGenerator(sessions: 800, seed: 3).generate(connect: { try Connection.connect(inProcess) }, progress: { _ in })
        let outcome = try cli.reckon(["generate", "--sessions", "800", "--seed", "3"], environment: ["DATABASE_URL": executable])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let one = try rawChecksums(inProcess)
        let two = try rawChecksums(executable)
        #expect(one.count == 12)
        #expect(one == two)
    }

    @Test func reportsRenderByteIdenticalInSeparateProcesses() throws {
        let folder = NSTemporaryDirectory() + "reckon-det-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = TestDatabase.repositoryRoot.appendingPathComponent("Tests/ReportsTests/Resources/golden/failing-run.json").path
        var outputs: [[Data]] = []
        for run in 0..<2 {
            let html = "\(folder)/\(run).html"
            let junit = "\(folder)/\(run).xml"
            let outcome = try cli.reckon(
                ["report", result, "--html", html, "--junit", junit], environment: ["SOURCE_DATE_EPOCH": "1700000000"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            outputs.append([try Data(contentsOf: URL(fileURLWithPath: html)), try Data(contentsOf: URL(fileURLWithPath: junit))])
        }
        #expect(outputs[0][0].count > 1_000)
        #expect(outputs[0][1].count > 1_000)
        #expect(outputs[0] == outputs[1])
        #expect(String(decoding: outputs[0][0], as: UTF8.self).contains("2023-11-14"))
    }
}
