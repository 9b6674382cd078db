import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// The built `reckon` run as a child process, started and stopped by the test.
struct ReckonProcess {
    let process = Process()
    let folder: String

    /// Starts `reckon arguments` in `directory` with `environment` added to the test's own.
    init(_ arguments: [String], environment: [String: String], directory: String? = nil) throws {
        folder = NSTemporaryDirectory() + "reckon-process-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder + "/out", contents: nil)
        FileManager.default.createFile(atPath: folder + "/err", contents: nil)
        process.executableURL = CLITests.executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? TestDatabase.repositoryRoot.path)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the exit; returns the status, stdout and stderr.
    func finish() -> (status: Int32, standardOutput: String, standardError: String) {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return (
            process.terminationStatus, (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? ""
        )
    }

    /// Runs to the end.
    static func run(_ arguments: [String], environment: [String: String], directory: String? = nil) throws -> (
        status: Int32, standardOutput: String, standardError: String
    ) {
        try ReckonProcess(arguments, environment: environment, directory: directory).finish()
    }
}

/// A database with published marts built from seed-3 data and raw tables refilled with seed 4,
/// so a later publish would change the marts' hash.
struct PublishedDatabase {
    let url: String
    let folder: String
    let monitor: Connection
    let environment: [String: String]
    static let hashSQL =
        "select md5(string_agg(t::text, '|' order by session_id)) from analytics.mart_marketing_attribution t"

    init(prefix: String, checks: String = "") throws {
        url = try TestDatabase.create(prefix: prefix)
        folder = NSTemporaryDirectory() + "reckon-\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        if !checks.isEmpty { try checks.write(toFile: folder + "/checks/checks.yml", atomically: true, encoding: .utf8) }
        let root = TestDatabase.repositoryRoot.path
        environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models", "RECKON_CHECKS_DIR": folder + "/checks"]
        let url = self.url
        _ = try SampleDataGenerator(sessions: 500, seed: 3).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let build = try ReckonProcess.run(["build"], environment: environment, directory: folder)
        guard build.status == 0 else { throw PostgresError(kind: .client, message: "setup build failed: \(build.standardError)") }
        _ = try SampleDataGenerator(sessions: 500, seed: 4).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        monitor = try Connection.connect(url)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: folder)
        TestDatabase.drop(url)
    }

    /// The hash of the published attribution mart.
    func martHash() throws -> String? { try monitor.execute(Self.hashSQL, name: "hash").rows[0][0] }

    /// Whether `schema` exists.
    func schemaExists(_ schema: String) throws -> Bool {
        try monitor.execute("select count(*) from pg_namespace where nspname = $1", name: "schema", [schema]).rows[0][0] == "1"
    }

    /// Polls `sql` (a one-value query) until it returns `expected`, for at most `seconds`.
    @discardableResult
    func waitFor(_ sql: String, toBe expected: String = "1", seconds: Double = 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try monitor.execute(sql, name: "poll").rows.first?.first == expected { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Waits until no session but the test's own (and `keeping`) is connected to the database:
    /// reckon left nothing running on the server.
    func waitUntilReckonIsGone(keeping pids: [String] = []) throws -> Bool {
        let excluded = (["pg_backend_pid()"] + pids).joined(separator: ", ")
        return try waitFor(
            "select count(*) = 0 from pg_stat_activity where datname = current_database() and pid not in (\(excluded))",
            toBe: "t", seconds: 15)
    }
}

/// Stopping, limits, names and secrets (issue 8), each through the real executable.
@Suite struct StoppingTests {
    static let slowWarnCheck = """
        version: 1
        checks:
          - name: slow_warn
            kind: sql
            sql: select 1 where pg_sleep(4) is null
            severity: warn
        """

    /// Case 1 and 3: SIGINT or SIGTERM while a warn check runs — no publish, 130 or 143.
    @Test(arguments: [SIGINT, SIGTERM])
    func interruptDuringChecksPublishesNothing(signal: Int32) throws {
        let database = try PublishedDatabase(prefix: "intchk", checks: Self.slowWarnCheck)
        defer { database.cleanUp() }
        let before = try database.martHash()
        let json = database.folder + "/run.json"
        let run = try ReckonProcess(["run", "--json", json], environment: database.environment, directory: database.folder)
        #expect(
            try database.waitFor(
                "select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep(4)%' and pid <> pg_backend_pid()"
            ))
        kill(run.process.processIdentifier, signal)
        let outcome = run.finish()
        #expect(outcome.status == 128 + signal, "\(outcome.standardError)")
        #expect(outcome.standardError.contains(signal == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"))
        #expect(!outcome.standardError.contains("published analytics") && !outcome.standardError.contains("published mart"))
        #expect(try database.waitUntilReckonIsGone())
        #expect(try database.martHash() == before)
        // The candidate stays in staging, as for a failed check.
        #expect(try database.schemaExists("analytics__staging"))
        if let data = FileManager.default.contents(atPath: json) {
            #expect(!String(decoding: data, as: UTF8.self).contains("\"published\" : true"))
        }
    }

    /// Case 2 and 3: a reader blocks the publish; SIGINT/SIGTERM cancel and roll it back, and
    /// nothing commits once the reader lets go.
    @Test(arguments: [SIGINT, SIGTERM])
    func interruptWhilePublishWaitsRollsBack(signal: Int32) throws {
        let database = try PublishedDatabase(prefix: "intpub")
        defer { database.cleanUp() }
        let before = try database.martHash()
        let reader = try Connection.connect(database.url)
        let readerPid = try reader.execute("select pg_backend_pid()", name: "pid").rows[0][0] ?? ""
        try reader.execute("begin", name: "reader")
        try reader.execute("select count(*) from analytics.mart_campaign_daily", name: "reader")
        let build = try ReckonProcess(["build"], environment: database.environment, directory: database.folder)
        #expect(
            try database.waitFor(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'drop table%'"
            ))
        kill(build.process.processIdentifier, signal)
        let outcome = build.finish()
        #expect(outcome.status == 128 + signal, "\(outcome.standardError)")
        #expect(try database.waitUntilReckonIsGone(keeping: [readerPid]))
        try reader.execute("commit", name: "reader")
        #expect(try database.martHash() == before)
        // Nothing of the publish is left to commit once the reader is gone.
        #expect(try database.waitFor("select count(*) from pg_locks where not granted", toBe: "0"))
        #expect(try database.waitUntilReckonIsGone(keeping: [readerPid]))
        #expect(try database.martHash() == before)
    }

    /// Case 2: the publish waits at most publish.lock_timeout, then exits 3 naming the blocker.
    @Test func publishGivesUpAfterLockTimeoutNamingTheBlocker() throws {
        let database = try PublishedDatabase(prefix: "locktmo")
        defer { database.cleanUp() }
        try "publish:\n  lock_timeout: 1\n".write(toFile: database.folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let before = try database.martHash()
        let reader = try Connection.connect(database.url)
        let readerPid = try reader.execute("select pg_backend_pid()", name: "pid").rows[0][0] ?? ""
        try reader.execute("begin", name: "reader")
        try reader.execute("select count(*) as reader_query from analytics.mart_campaign_daily", name: "reader")
        let started = Date()
        let outcome = try ReckonProcess.run(["build"], environment: database.environment, directory: database.folder)
        #expect(outcome.status == 3, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("publish.lock_timeout"))
        #expect(outcome.standardError.contains("pid \(readerPid)"))
        #expect(outcome.standardError.contains("reader_query"))
        #expect(Date().timeIntervalSince(started) < 30)
        try reader.execute("commit", name: "reader")
        #expect(try database.waitUntilReckonIsGone(keeping: [readerPid]))
        #expect(try database.martHash() == before)
    }

    /// Case 4: a report path that cannot be written stops `run` before it builds anything.
    @Test func unwritableReportPathStopsBeforeBuilding() throws {
        let url = try TestDatabase.create(prefix: "rptpath")
        defer { TestDatabase.drop(url) }
        let folder = NSTemporaryDirectory() + "reckon-rptpath-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/file", contents: Data("x".utf8))
        let root = TestDatabase.repositoryRoot.path
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models", "RECKON_CHECKS_DIR": root + "/checks"]
        for option in ["--json", "--junit", "--html"] {
            let outcome = try ReckonProcess.run(["run", option, folder + "/file/r.out"], environment: environment, directory: folder)
            #expect(outcome.status == 2, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("cannot write the"))
            #expect(outcome.standardError.contains(folder + "/file is a file, not a folder"))
            #expect(!outcome.standardError.contains("NSCocoaErrorDomain"))
        }
        let schemas = try Connection.connect(url).execute(
            "select count(*) from pg_namespace where nspname like 'analytics%' or nspname = 'reckon'", name: "schemas")
        #expect(schemas.rows[0][0] == "0")
    }

    /// Case 4: when a report cannot be written after the publish, reckon says the marts were
    /// published and which file failed.
    @Test func reportFailureAfterPublishSaysPublished() throws {
        let database = try PublishedDatabase(
            prefix: "rptpub", checks: Self.slowWarnCheck.replacingOccurrences(of: "pg_sleep(4)", with: "pg_sleep(1)"))
        defer { database.cleanUp() }
        let before = try database.martHash()
        let output = database.folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let run = try ReckonProcess(["run", "--json", output + "/r.json"], environment: database.environment, directory: database.folder)
        #expect(
            try database.waitFor(
                "select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep(1)%' and pid <> pg_backend_pid()"
            ))
        // The folder becomes a file while the checks run: the write after the publish fails.
        try FileManager.default.removeItem(atPath: output)
        FileManager.default.createFile(atPath: output, contents: Data("x".utf8))
        let outcome = run.finish()
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("the marts were published to analytics"))
        #expect(outcome.standardError.contains(output + "/r.json"))
        #expect(try database.martHash() != before)
    }

    /// Limits: a target schema whose staging name PostgreSQL would truncate, an empty one, and
    /// the source schema are rejected with exit 2 before anything is touched.
    @Test(arguments: [String(repeating: "t", count: 63), "", "raw", "reckon", String(repeating: "é", count: 28)])
    func badTargetSchemaExitsTwoAndTouchesNothing(target: String) throws {
        let url = try TestDatabase.create(prefix: "schema")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        // A schema named like the target holds "published" marts that must survive.
        if !target.isEmpty {
            try connection.execute("create schema if not exists \(SQL.identifier(target))", name: "target")
            try connection.execute(
                "create table \(SQL.qualified(schema: target, name: "mart_marketing_attribution")) (x int)", name: "mart")
        }
        let schemasBefore = try connection.execute("select string_agg(nspname, ',' order by nspname) from pg_namespace", name: "schemas")
        let folder = NSTemporaryDirectory() + "reckon-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "target_schema: \"\(target)\"\n".write(toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": TestDatabase.repositoryRoot.path + "/models"]
        let outcome = try ReckonProcess.run(["build"], environment: environment, directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("schema"))
        #expect(
            try connection.execute("select string_agg(nspname, ',' order by nspname) from pg_namespace", name: "schemas").rows
                == schemasBefore.rows)
        if !target.isEmpty {
            let count = try connection.execute(
                "select count(*) from pg_tables where schemaname = $1 and tablename = 'mart_marketing_attribution'", name: "mart", [target])
            #expect(count.rows[0][0] == "1")
        }
    }

    /// Limits: numbers of reckon.yml out of range exit 2 at their place, before any database work.
    @Test(arguments: [
        ("checks:\n  sample_rows: -1\n", "reckon.yml:2:16:"),
        ("checks:\n  timeout_seconds: 9999999999999999\n", "reckon.yml:2:20:"),
        ("checks:\n  timeout_seconds: 0\n", "reckon.yml:2:20:"),
        ("checks:\n  timeout_seconds: -1\n", "reckon.yml:2:20:"),
        ("checks:\n  concurrency: 0\n", "reckon.yml:2:16:"),
        ("checks:\n  concurrency: 100000\n", "reckon.yml:2:16:"),
        ("publish:\n  lock_timeout: 0\n", "reckon.yml:2:17:"),
        ("publish:\n  lock_timeout: 99999999999\n", "reckon.yml:2:17:"),
    ])
    func outOfRangeNumbersExitTwoWithTheirPlace(yaml: String, location: String) throws {
        let folder = NSTemporaryDirectory() + "reckon-range-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try yaml.write(toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        // An unreachable database: exit 2 proves nothing was attempted there.
        let outcome = try ReckonProcess.run(
            ["run"], environment: ["DATABASE_URL": "host=127.0.0.1 port=1 connect_timeout=2"], directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains(location))
        #expect(outcome.standardError.contains("must be between"))
    }

    /// Limits: `reckon report` range-checks the numbers of the JSON it reads.
    @Test(arguments: [("1e300", 1), ("-5", 1), ("1e300", 2)])
    func reportRejectsImpossibleDurations(value: String, which: Int) throws {
        let folder = NSTemporaryDirectory() + "reckon-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let check = """
            {"name": "c", "kind": "sql", "file": "checks/a.yml", "line": 3, "severity": "warn", "status": "pass", "tags": [],
             "observed": "0", "expected": "0", "message": "ok", "metrics": {"failing_rows": 0}, "groups": [],
             "sampleColumns": [], "sampleRows": [], "sql": "select 1",
             "durationSeconds": \(which == 2 ? value : "0.5")}
            """
        let json = """
            {"schemaVersion": 1, "reckonVersion": "0.1.0", "command": "check", "startedAt": "2026-11-25T11:36:00Z",
             "durationSeconds": \(which == 1 ? value : "1.5"), "database": "db", "checkedSchema": "analytics",
             "checks": [\(check)]}
            """
        try json.write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
        let outcome = try ReckonProcess.run(
            ["report", folder + "/r.json", "--html", folder + "/r.html"], environment: [:], directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains(which == 1 ? "r.json:2:21: durationSeconds" : "r.json:6:21: durationSeconds"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/r.html"))
        // The same file with sane numbers renders.
        try json.replacingOccurrences(of: value, with: "2.5").write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
        let good = try ReckonProcess.run(["report", folder + "/r.json", "--html", folder + "/r.html"], environment: [:], directory: folder)
        #expect(good.status == 0, "\(good.standardError)")
    }

    /// Limits: command-line numbers are range-checked too (no trap on --jobs 0).
    @Test(arguments: [["build", "--jobs", "0"], ["run", "--jobs=-3"], ["generate", "--sessions=-1"]])
    func outOfRangeOptionsAreRejected(arguments: [String]) throws {
        let outcome = try ReckonProcess.run(arguments, environment: ["DATABASE_URL": "host=127.0.0.1 port=1 connect_timeout=2"])
        #expect([2, 64].contains(outcome.status), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("must be between"))
    }

    /// Concurrent commands on different targets both succeed (the shared functions schema
    /// is re-created under a lock).
    @Test func concurrentBuildsOfDifferentTargetsBothSucceed() throws {
        let database = try PublishedDatabase(
            prefix: "concur", checks: "version: 1\nchecks:\n  - {name: trivial, kind: sql, sql: select 1 where false}\n")
        defer { database.cleanUp() }
        for _ in 0..<4 {
            let run = try ReckonProcess(["run"], environment: database.environment, directory: database.folder)
            let build = try ReckonProcess(
                ["build", "--target-schema", "candidate"], environment: database.environment, directory: database.folder)
            let runOutcome = run.finish()
            let buildOutcome = build.finish()
            #expect(runOutcome.status == 0, "\(runOutcome.standardError)")
            #expect(buildOutcome.status == 0, "\(buildOutcome.standardError)")
        }
    }

    /// Check queries run read-only: an expression calling a function that deletes rows
    /// errors and deletes nothing.
    @Test func checkCannotChangeData() throws {
        let url = try TestDatabase.create(prefix: "readonly")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try connection.executeScript(
            """
            create table public.victims (x int);
            insert into public.victims values (1), (2), (3);
            create function public.purge() returns boolean language plpgsql as
              $$ begin delete from public.victims; return true; end $$;
            """, name: "setup")
        let folder = NSTemporaryDirectory() + "reckon-readonly-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        version: 1
        checks:
          - name: sneaky
            kind: expression
            table: public.victims
            expression: public.purge()
        """.write(toFile: folder + "/checks/c.yml", atomically: true, encoding: .utf8)
        let outcome = try ReckonProcess.run(
            ["check", "--json", folder + "/r.json"], environment: ["DATABASE_URL": url, "RECKON_CHECKS_DIR": folder + "/checks"],
            directory: folder)
        #expect(outcome.status == 1, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("read-only transaction"))
        #expect(try connection.execute("select count(*) from public.victims", name: "count").rows[0][0] == "3")
    }
}
