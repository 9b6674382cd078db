import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// The build's guarantees on generated data: atomic publish, deterministic rebuilds,
/// a clear stop on missing sources, and builds that never interleave.
@Suite struct ModelBuilderTests {
    static let modelsDirectory = TestDatabase.repositoryRoot.appendingPathComponent("models").path

    func generatedDatabase(sessions: Int = 1_500) throws -> String {
        let url = try TestDatabase.create(prefix: "build")
        _ = try SampleDataGenerator(sessions: sessions, seed: 11).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        return url
    }

    func builder(_ connection: Connection, url: String, models: String = modelsDirectory, parallelism: Int = 2) throws
        -> ModelBuilder
    {
        ModelBuilder(
            connection: connection, configuration: Configuration(), project: try ModelProject.load(directory: models),
            targetSchema: "analytics", connectionString: url, parallelism: parallelism)
    }

    func martHashes(_ connection: Connection) throws -> [String?] {
        try connection.execute(
            """
            select (select md5(string_agg(t::text, '|' order by session_id)) from analytics.mart_marketing_attribution t),
                   (select md5(string_agg(t::text, '|' order by date, facebook_campaign_id)) from analytics.mart_campaign_daily t)
            """, name: "hash"
        ).rows[0]
    }

    @Test func rebuildOnUnchangedDataGivesIdenticalMarts() throws {
        let url = try generatedDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        let first = try builder(connection, url: url)
        _ = try first.build(progress: { _ in })
        try first.publish()
        let before = try martHashes(connection)
        #expect(before.allSatisfy { $0 != nil })
        let second = try builder(connection, url: url)
        _ = try second.build(progress: { _ in })
        try second.publish()
        #expect(try martHashes(connection) == before)
        // One job (no sharded statements) and three jobs (event models in three parts)
        // give the same marts as two.
        for parallelism in [1, 3] {
            let other = try builder(connection, url: url, parallelism: parallelism)
            let steps = try other.build(progress: { _ in })
            try other.publish()
            #expect(try martHashes(connection) == before, "parallelism \(parallelism)")
            #expect(steps.contains { $0.name.hasPrefix("stg_events") && $0.rows > 0 })
        }
        // One mart row per session, and the staging schema is gone after publishing.
        let counts = try connection.execute(
            """
            select (select count(*) from analytics.mart_marketing_attribution),
                   (select count(*) from raw.funnelfox_sessions),
                   (select count(*) from pg_namespace where nspname = 'analytics__staging')
            """, name: "counts")
        #expect(counts.rows[0][0] == counts.rows[0][1])
        #expect(counts.rows[0][2] == "0")
    }

    @Test func buildFailingHalfWayLeavesPublishedMartsUnchanged() throws {
        let url = try generatedDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        let good = try builder(connection, url: url)
        _ = try good.build(progress: { _ in })
        try good.publish()
        let before = try martHashes(connection)

        // A copy of the models with one more model that fails after the marts are built.
        let broken = NSTemporaryDirectory() + "reckon-broken-models-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: Self.modelsDirectory, toPath: broken)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try
            "create table {{ this }} (x int);\ninsert into {{ this }} select 1 / (count(*) - count(*))::int from {{ ref('mart_marketing_attribution') }};\n"
            .write(toFile: broken + "/99_mart_zz_broken.sql", atomically: true, encoding: .utf8)
        // Change the data, so a wrongly published half-build would show in the hashes.
        try connection.execute(
            "delete from raw.funnelfox_sessions where id in (select id from raw.funnelfox_sessions limit 10)", name: "change")

        let failing = try builder(connection, url: url, models: broken)
        do {
            _ = try failing.build(progress: { _ in })
            try failing.publish()
            Issue.record("the broken build should have failed")
        } catch let error as PostgresError {
            #expect(error.sqlState == "22012")
            #expect(error.statementName?.contains("mart_zz_broken") == true)
            #expect(error.statementName?.contains("99_mart_zz_broken.sql:2") == true)
        }
        #expect(try martHashes(connection) == before)
        let leftovers = try connection.execute(
            "select count(*) from pg_tables where tablename = 'mart_zz_broken' or schemaname = 'analytics__staging'", name: "leftovers")
        #expect(leftovers.rows[0][0] == "0")
    }

    @Test func missingSourcesStopTheBuildListingAllOfThem() throws {
        let url = try generatedDatabase(sessions: 200)
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try connection.execute("drop table raw.stripe_refunds", name: "drop")
        try connection.execute("alter table raw.funnelfox_sessions drop column origin", name: "drop column")
        try connection.execute("alter table raw.amplitude_events rename column event_properties to props", name: "rename")
        do {
            _ = try builder(connection, url: url).build(progress: { _ in })
            Issue.record("expected a source contract error")
        } catch let error as SourceContractError {
            #expect(
                error.problems.map(\.description) == [
                    "source amplitude_events (raw.amplitude_events): missing column event_properties",
                    "source funnelfox_sessions (raw.funnelfox_sessions): missing column origin",
                    "source stripe_refunds (raw.stripe_refunds): table or view not found",
                ])
        }
        #expect(
            try connection.execute("select count(*) from pg_namespace where nspname like 'analytics%'", name: "nothing").rows[0][0] == "0")
    }

    /// A second build of the same target blocks on the first one's lock (seen on the server,
    /// not guessed from a sleep), acquires it only after the first releases it, and then
    /// builds and publishes successfully.
    @Test func aSecondBuildWaitsForTheFirstAndThenSucceeds() throws {
        let url = try generatedDatabase(sessions: 300)
        defer { TestDatabase.drop(url) }
        let holder = try Connection.connect(url)
        let first = try builder(holder, url: url)
        try first.lock(onWait: { _ in })
        let second = try builder(try Connection.connect(url), url: url)
        let log = EventLog()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                try second.lock(onWait: { _ in log.append("waiting") })
                log.append("acquired")
                _ = try second.build(progress: { _ in })
                try second.publish()
                second.unlock()
                log.append("published")
            } catch {
                log.append("failed: \(error)")
            }
            finished.signal()
        }
        thread.start()
        let blocked = try waitUntil(seconds: 60) {
            try holder.execute("select count(*) from pg_locks where locktype = 'advisory' and not granted", name: "locks")
                .rows[0][0] == "1"
        }
        #expect(blocked, "the second build never blocked on the lock")
        #expect(log.events == ["waiting"])
        log.append("released")
        first.unlock()
        #expect(finished.wait(timeout: .now() + 300) == .success, "the second build did not finish")
        #expect(log.events == ["waiting", "released", "acquired", "published"])
        #expect(
            try holder.execute("select count(*) > 0 from analytics.mart_marketing_attribution", name: "published").rows[0][0] == "t")
    }

    /// Polls `condition` until it holds or `seconds` pass; returns whether it held.
    func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }
}

/// Events appended from several threads, read back in order.
final class EventLog: @unchecked Sendable {
    // Safety: `entries` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var entries: [String] = []
    func append(_ event: String) {
        lock.lock()
        entries.append(event)
        lock.unlock()
    }
    var events: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}
