import Foundation
import PostgresClient
import TestSupport
import Testing

/// `reckon check` records its run; `reckon history` lists it; a read-only user still gets its checks.
extension CLITests {
    /// A database with `shop.amounts` (one negative amount) and a checks folder whose one
    /// check fails on it; returns the connection string and the folder.
    static func historyFixture() throws -> (url: String, folder: String) {
        let url = try TestDatabase.create(prefix: "cli_history")
        try Connection.connect(url).executeScript(
            "create schema shop; create table shop.amounts (amount int); insert into shop.amounts values (1), (2), (-1);",
            name: "history fixture")
        let folder = NSTemporaryDirectory() + "reckon-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        try """
        version: 1
        checks:
          - name: positive_amounts
            kind: expression
            table: amounts
            expression: amount > 0
        """.write(toFile: folder + "/checks/amounts.yml", atomically: true, encoding: .utf8)
        return (url, folder)
    }

    @Test func checkRecordsAFailedRunThatHistoryLists() throws {
        let (url, folder) = try Self.historyFixture()
        defer {
            TestDatabase.drop(url)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let environment = ["DATABASE_URL": url, "RECKON_CHECKS_DIR": folder + "/checks"]
        let check = try reckon(["check", "--target-schema", "shop"], environment: environment, directory: folder)
        #expect(check.status == 1, "\(check.standardError)")
        #expect(!check.standardError.contains("warning"))
        let runs = try reckon(["history", "--json"], environment: environment, directory: folder)
        #expect(runs.status == 0, "\(runs.standardError)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.standardOutput.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["exitCode"] as? Int == 1)
        #expect(list.first?["status"] as? String == "fail")
        #expect(list.first?["checkedSchema"] as? String == "shop")
        let figures = try reckon(["history", "--check", "positive_amounts"], environment: environment, directory: folder)
        #expect(figures.status == 0)
        #expect(figures.standardOutput.split(separator: "\n").count == 2)
        #expect(figures.standardOutput.contains("fail"))
        let prune = try reckon(["history", "prune", "--keep-days", "0"], environment: environment, directory: folder)
        #expect(prune.standardOutput.contains("deleted 1 run older than 0 days"), "\(prune.standardOutput)")
    }

    @Test func readOnlyUserGetsItsChecksWithHistoryOff() throws {
        let (url, folder) = try Self.historyFixture()
        let role = "reader_\(UInt32.random(in: 0...UInt32.max))"
        try Connection.connect(url).executeScript(
            "create role \(role) login; grant usage on schema shop to \(role); grant select on shop.amounts to \(role);",
            name: "read-only role")
        defer {
            _ = try? Connection.connect(url).executeScript("drop owned by \(role); drop role \(role)", name: "drop role")
            TestDatabase.drop(url)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let reader = url.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let check = try reckon(
            ["check", "--target-schema", "shop", "--json", folder + "/result.json"],
            environment: ["DATABASE_URL": reader, "RECKON_CHECKS_DIR": folder + "/checks"], directory: folder)
        #expect(check.status == 1, "\(check.standardError)")
        #expect(check.standardOutput.contains("positive_amounts"))
        #expect(check.standardError.contains("warning: history is off"))
        let json = try String(contentsOfFile: folder + "/result.json", encoding: .utf8)
        #expect(json.contains("history is off"))
    }
}
