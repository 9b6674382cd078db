import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// `reckon diff` end to end: exit codes, reports, the limits of reckon.yml.
@Suite struct DiffCLITests {
    @Test func limitsDecideTheExitCodeAndTheJUnit() throws {
        let url = try TestDatabase.create(prefix: "diffcli")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 1_500, seed: 13).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let folder = NSTemporaryDirectory() + "reckon-diff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cli = CLITests()
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": TestDatabase.repositoryRoot.path + "/models"]
        #expect(try cli.reckon(["build"], environment: environment, directory: folder).status == 0)
        #expect(try cli.reckon(["build", "--target-schema", "ci_7"], environment: environment, directory: folder).status == 0)

        let same = try cli.reckon(
            ["diff", "--candidate", "ci_7", "--junit", "same.xml", "--markdown", "same.md", "--json", "same.json", "--html", "same.html"],
            environment: environment, directory: folder)
        #expect(same.status == 0, "\(same.standardError)")
        #expect(same.standardOutput.contains("no change: the marts are identical"))
        let sameJUnit = try String(contentsOfFile: folder + "/same.xml", encoding: .utf8)
        #expect(sameJUnit.contains(#"tests="3" failures="0""#))
        #expect(try String(contentsOfFile: folder + "/same.md", encoding: .utf8).contains("NO CHANGE"))
        #expect(FileManager.default.fileExists(atPath: folder + "/same.html"))
        #expect(FileManager.default.fileExists(atPath: folder + "/same.json"))

        // One converted session's revenue moves by a cent: revenue_changed: any is crossed.
        let connection = try Connection.connect(url)
        try connection.execute(
            """
            update ci_7.mart_marketing_attribution set revenue_usd = revenue_usd + 0.01
            where session_id = (select min(session_id) from ci_7.mart_marketing_attribution where converted)
            """, name: "change")
        let moved = try cli.reckon(["diff", "--candidate", "ci_7", "--junit", "moved.xml"], environment: environment, directory: folder)
        #expect(moved.status == 1, "\(moved.standardError)")
        #expect(moved.standardOutput.contains("FAIL  revenue_changed: any: observed $0.01"))
        #expect(moved.standardOutput.contains("ok    rows_changed_pct > 1"))
        let junit = try String(contentsOfFile: folder + "/moved.xml", encoding: .utf8)
        #expect(junit.contains(#"tests="3" failures="1""#))
        let revenueCase = junit.components(separatedBy: #"<testcase name="diff › revenue_changed""#).last?
            .components(separatedBy: "</testcase>").first
        #expect(revenueCase?.contains(#"<failure type="diff_limit" message="revenue_changed: any: observed $0.01"#) == true)

        // The same change within limits set in reckon.yml.
        try "diff:\n  fail_if:\n    revenue_changed: \"> 1\"\n".write(toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let within = try cli.reckon(["diff", "--candidate", "ci_7"], environment: environment, directory: folder)
        #expect(within.status == 0, "\(within.standardOutput)")
        #expect(within.standardOutput.contains("changes within every diff limit"))
    }

    @Test func schemaMistakesExitTwoWithAClearMessage() throws {
        let url = try TestDatabase.create(prefix: "diffcli")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try connection.execute("create schema analytics", name: "schema")
        let cli = CLITests()
        let environment = ["DATABASE_URL": url]
        let twice = try cli.reckon(["diff", "--base", "analytics", "--candidate", "analytics"], environment: environment)
        #expect(twice.status == 2)
        #expect(twice.standardError.contains("--base and --candidate are both 'analytics'"))
        let missing = try cli.reckon(["diff", "--candidate", "ci_404"], environment: environment)
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("the candidate schema 'ci_404' does not exist in the database"))
        #expect(missing.standardError.split(separator: "\n").last?.hasPrefix("error:") == true)
    }
}
