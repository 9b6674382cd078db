import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// Ctrl-C during a build: the running statement is cancelled on the server (proven in
/// pg_stat_activity, not inferred from the exit code), the command exits 130, and the
/// published marts are untouched.
@Suite struct InterruptTests {
    let cli = CLITests()

    @Test func interruptCancelsTheRunningStatementAndPublishesNothing() throws {
        let url = try TestDatabase.create(prefix: "intr")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 500, seed: 9).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        // The shipped models plus one whose statement runs for a minute unless cancelled.
        let models = NSTemporaryDirectory() + "reckon-intr-models-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: TestDatabase.repositoryRoot.appendingPathComponent("models").path, toPath: models)
        defer { try? FileManager.default.removeItem(atPath: models) }
        try "create table {{ this }} as select pg_sleep(60)::text as slept;\n".write(
            toFile: models + "/99_slow_step.sql", atomically: true, encoding: .utf8)
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": models]
        let connection = try Connection.connect(url)
        try connection.executeScript(
            "create schema analytics; create table analytics.mart_marketing_attribution (marker text)", name: "old")
        try connection.execute("insert into analytics.mart_marketing_attribution values ('published before')", name: "old row")

        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = ["build"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let sleeping =
            "select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep(60)%' and pid <> pg_backend_pid()"
        let deadline = Date().addingTimeInterval(120)
        var running = false
        while Date() < deadline, process.isRunning {
            if try connection.execute(sleeping, name: "slow step running").scalar(as: Int.self) == 1 {
                running = true
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        try #require(running, "the build never reached its slow step, so the interrupt was never sent")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        // The statement is gone from the server well before its minute is up.
        let cancelDeadline = Date().addingTimeInterval(20)
        var left = 1
        while Date() < cancelDeadline {
            left = try connection.execute(sleeping, name: "slow step left").scalar(as: Int.self) ?? 0
            if left == 0 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(left == 0, "the interrupted build left its statement running on the server")
        #expect(
            try connection.execute("select marker from analytics.mart_marketing_attribution", name: "published").rows == [
                ["published before"]
            ])
    }
}
