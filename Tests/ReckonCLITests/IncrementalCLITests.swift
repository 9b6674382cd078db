import Foundation
import PostgresClient
import TestSupport
import Testing

/// `reckon generate --until/--next-day`, `build --incremental [--dry-run] [--verify]` and
/// `run --incremental`, through the real executable (docs/incremental.md).
@Suite struct IncrementalCLITests {
    /// A database with 1,500 generated sessions up to 2026-10-25, a folder with `checks`, and
    /// the environment pointing reckon at both.
    struct Replay {
        let url: String
        let folder: String
        let environment: [String: String]
        let monitor: Connection

        init(prefix: String, checks: String) throws {
            url = try TestDatabase.create(prefix: prefix)
            folder = NSTemporaryDirectory() + "reckon-\(prefix)-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
            try checks.write(toFile: folder + "/checks/checks.yml", atomically: true, encoding: .utf8)
            let root = TestDatabase.repositoryRoot.path
            environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models", "RECKON_CHECKS_DIR": folder + "/checks"]
            monitor = try Connection.connect(url)
            let generate = try run(["generate", "--sessions", "1500", "--seed", "5", "--until", "2026-10-25"])
            guard generate.status == 0 else { throw PostgresError(kind: .client, message: generate.standardError) }
        }

        func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (
            status: Int32, standardOutput: String, standardError: String
        ) {
            try ReckonProcess.run(arguments, environment: environment.merging(extra) { $1 }, directory: folder)
        }

        func hash() throws -> String? {
            try monitor.execute(
                """
                select md5((select string_agg(t::text, '|' order by session_id) from analytics.mart_marketing_attribution t)
                  || (select string_agg(t::text, '|' order by date, facebook_campaign_id) from analytics.mart_campaign_daily t))
                """, name: "hash"
            ).rows[0][0]
        }

        /// The names of the published attribution mart's incremental lookup indexes.
        func lookupIndexes() throws -> [String] {
            try monitor.execute(
                """
                select indexname from pg_indexes
                where schemaname = 'analytics' and tablename = 'mart_marketing_attribution' and indexname like '%\\_lookup'
                order by indexname
                """, name: "lookup indexes"
            ).rows.compactMap { $0[0] }
        }

        func cleanUp() {
            try? FileManager.default.removeItem(atPath: folder)
            TestDatabase.drop(url)
        }
    }

    static let passingCheck = """
        version: 1
        checks:
          - name: one_row_per_session
            kind: unique
            table: mart_marketing_attribution
            columns: [session_id]
        """

    @Test func dryRunThenIncrementalBuildVerifiedAgainstAFullBuild() throws {
        let replay = try Replay(prefix: "inccli", checks: Self.passingCheck)
        defer { replay.cleanUp() }
        let first = try replay.run(["build", "--incremental"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardError.contains("full build: no incremental state for analytics"))
        // A full build leaves out the indexes only the incremental lookups read.
        #expect(try replay.lookupIndexes().isEmpty)
        let nextDay = try replay.run(["generate", "--next-day"])
        #expect(nextDay.standardError.contains("delivered 2026-10-26"), "\(nextDay.standardError)")
        let before = try replay.hash()
        let dryRun = try replay.run(["build", "--incremental", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("reckon build --incremental would rebuild"))
        #expect(dryRun.standardOutput.contains("new_sessions"))
        #expect(dryRun.standardOutput.contains("create temporary table \"affected_reasons\""))
        #expect(try replay.hash() == before, "a dry run changes nothing")
        #expect(try replay.lookupIndexes().isEmpty, "a dry run creates no index")
        let build = try replay.run(["build", "--incremental", "--verify"])
        #expect(build.status == 0, "\(build.standardError)")
        #expect(build.standardError.contains("lookup index utm_campaign"))
        // Made once after a full build, with a vacuum of the freshly published mart.
        #expect(build.standardError.contains("vacuum mart_marketing_attribution"))
        #expect(
            try replay.lookupIndexes()
                == ["ad_id", "daily", "facebook_ad_id", "facebook_adset_id", "utm_campaign", "utm_content"].map {
                    "mart_marketing_attribution_\($0)_lookup"
                })
        #expect(build.standardError.contains("incremental build: "))
        #expect(build.standardOutput.contains("mart_marketing_attribution: identical to a full build"))
        #expect(build.standardOutput.contains("mart_campaign_daily: identical to a full build"))
        #expect(try replay.hash() != before)
        let misuse = try replay.run(["build", "--dry-run"])
        #expect(misuse.status == 2)
    }

    @Test func doctorRecommendsTheMissingIncrementalIndexes() throws {
        let replay = try Replay(prefix: "incdoc", checks: Self.passingCheck)
        defer { replay.cleanUp() }
        let clean = try replay.run(["doctor"])
        #expect(clean.status == 0, "\(clean.standardError)")
        #expect(!clean.standardOutput.contains("recommended"), "generate creates them")
        try replay.monitor.execute("drop index raw.amplitude_events_ff_session_id", name: "drop index")
        let advice = try replay.run(["doctor"])
        #expect(advice.status == 0)
        #expect(
            advice.standardOutput.contains(
                "recommended for --incremental (docs/incremental.md): create index on \"raw\".\"amplitude_events\" ((event_properties->>'ff_session_id'));"
            ), "\(advice.standardOutput)")
        #expect(!advice.standardOutput.contains("(event_time)"))
    }

    @Test func failingErrorCheckAppliesNothingAndTheNextRunCatchesUp() throws {
        let failing =
            Self.passingCheck + """

                  - name: always_fails
                    kind: sql
                    sql: select 1 as failing
                    severity: error
                """
        let replay = try Replay(prefix: "incgate", checks: failing)
        defer { replay.cleanUp() }
        #expect(try replay.run(["build", "--incremental"]).status == 0)
        _ = try replay.run(["generate", "--next-day"])
        let before = try replay.hash()
        let state = "select watermarks::text from reckon_audit.incremental_state where target_schema = 'analytics'"
        let stateBefore = try replay.monitor.execute(state, name: "state").rows[0][0]
        let gated = try replay.run(["run", "--incremental"])
        #expect(gated.status == 1, "\(gated.standardError)")
        #expect(gated.standardError.contains("incremental build: "))
        #expect(try replay.hash() == before, "a failing error check applies nothing")
        #expect(try replay.monitor.execute(state, name: "state").rows[0][0] == stateBefore, "nor records a state")
        // The candidate stays in the staging schema for inspection: the day's sessions are in it.
        let candidate = try replay.monitor.execute(
            "select (select count(*) from analytics__staging.mart_marketing_attribution) > (select count(*) from analytics.mart_marketing_attribution)",
            name: "candidate"
        ).scalar(as: Bool.self)
        #expect(candidate == true)
        try Self.passingCheck.write(toFile: replay.folder + "/checks/checks.yml", atomically: true, encoding: .utf8)
        let next = try replay.run(["run", "--incremental"])
        #expect(next.status == 0, "\(next.standardError)")
        let verify = try replay.run(["build", "--incremental", "--verify"])
        #expect(verify.status == 0, "\(verify.standardOutput) \(verify.standardError)")
        #expect(!verify.standardOutput.contains("DIFFERS"))
    }

    /// The apply's transaction, opened while the delta is built, waits at most
    /// publish.lock_timeout for a session whose lock its row changes conflict with (here an
    /// explicit `share` lock; plain readers never conflict with them), then the run exits 3
    /// naming that session; nothing is applied, and the next run catches up.
    @Test func incrementalApplyGivesUpAfterLockTimeoutNamingTheBlocker() throws {
        let replay = try Replay(prefix: "inclock", checks: Self.passingCheck)
        defer { replay.cleanUp() }
        // A full build, then an incremental one (it makes the lookup indexes).
        #expect(try replay.run(["build", "--incremental"]).status == 0)
        _ = try replay.run(["generate", "--next-day"])
        #expect(try replay.run(["build", "--incremental"]).status == 0)
        _ = try replay.run(["generate", "--next-day"])
        try "publish:\n  lock_timeout: 1\n".write(toFile: replay.folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let before = try replay.hash()
        let blocker = try Connection.connect(replay.url)
        let blockerPid = try blocker.execute("select pg_backend_pid()", name: "pid").rows[0][0] ?? ""
        try blocker.execute("begin", name: "blocker")
        try blocker.execute("lock table analytics.mart_marketing_attribution in share mode", name: "blocker")
        let started = Date()
        let blocked = try replay.run(["build", "--incremental"])
        #expect(blocked.status == 3, "\(blocked.standardError)")
        #expect(blocked.standardError.contains("incremental build: "))
        #expect(blocked.standardError.contains("publish.lock_timeout"))
        #expect(blocked.standardError.contains("pid \(blockerPid)"))
        #expect(Date().timeIntervalSince(started) < 60)
        try blocker.execute("commit", name: "blocker")
        #expect(try replay.hash() == before)
        let next = try replay.run(["build", "--incremental", "--verify"])
        #expect(next.status == 0, "\(next.standardOutput) \(next.standardError)")
        #expect(next.standardError.contains("incremental build: "))
        #expect(!next.standardOutput.contains("DIFFERS"))
        #expect(try replay.hash() != before)
    }

    @Test func sigtermDuringAnIncrementalRunLeavesTheMartsAndTheNextRunCatchesUp() throws {
        let slow =
            Self.passingCheck + """

                  - name: slow_warn
                    kind: sql
                    sql: select 1 where pg_sleep(4) is null
                    severity: warn
                """
        let replay = try Replay(prefix: "incstop", checks: slow)
        defer { replay.cleanUp() }
        #expect(try replay.run(["build", "--incremental"]).status == 0)
        _ = try replay.run(["generate", "--next-day"])
        let before = try replay.hash()
        let run = try ReckonProcess(["run", "--incremental"], environment: replay.environment, directory: replay.folder)
        let deadline = Date().addingTimeInterval(60)
        var sleeping = false
        while Date() < deadline && !sleeping {
            sleeping =
                try replay.monitor.execute(
                    "select count(*) > 0 from pg_stat_activity where datname = current_database() and query like '%pg_sleep(4)%' and pid <> pg_backend_pid()",
                    name: "poll"
                ).scalar(as: Bool.self) == true
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(sleeping)
        kill(run.process.processIdentifier, SIGTERM)
        let outcome = run.finish()
        #expect(outcome.status == 143, "\(outcome.standardError)")
        #expect(try replay.hash() == before)
        try Self.passingCheck.write(toFile: replay.folder + "/checks/checks.yml", atomically: true, encoding: .utf8)
        let verify = try replay.run(["build", "--incremental", "--verify"])
        #expect(verify.status == 0, "\(verify.standardOutput) \(verify.standardError)")
        #expect(verify.standardError.contains("incremental build: "))
        #expect(try replay.hash() != before)
    }
}
