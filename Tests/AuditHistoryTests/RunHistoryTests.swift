import AuditHistory
import Checks
import Foundation
import PostgresClient
import TestSupport
import Testing

/// A run result like `reckon check` makes: a grouped match-rate check and a row check.
func sampleRun(startedAt: Date = Date(timeIntervalSince1970: 1_790_000_000), failing: Bool = false) -> RunResult {
    let matchRate = CheckResult(
        name: "facebook_match_rate", kind: "match_rate", file: "checks/m.yml", line: 25, severity: .error,
        status: failing ? .fail : .pass, observed: failing ? "41.0%" : "81.0%", expected: "≥ 60%", message: "rate",
        metrics: ["rate": failing ? 0.41 : 0.81],
        groups: [
            GroupResult(
                key: "tier=ad_id", status: .pass, observed: "50%", expected: "", values: ["matched": 50, "total": 100, "rate": 0.5]),
            GroupResult(
                key: "date=2026-10-01 tier=ad_id", status: .pass, observed: "40%", expected: "",
                values: ["matched": 4, "total": 10, "rate": 0.4]),
        ], sql: "select 1")
    let unique = CheckResult(
        name: "session_id_unique", kind: "unique", file: "checks/m.yml", line: 14, severity: .error, status: .pass,
        observed: "0 rows", expected: "0 rows", message: "unique", metrics: ["failing_rows": 0], sql: "select 2")
    return RunResult(
        reckonVersion: "0.1.0", command: "check", startedAt: startedAt, durationSeconds: 2.5, database: "dbname=x",
        checkedSchema: "analytics", modelsCommit: "abc1234", checks: [matchRate, unique])
}

@Suite struct RunHistoryTests {
    func database() throws -> (String, Connection) {
        let url = try TestDatabase.create(prefix: "history")
        return (url, try Connection.connect(url))
    }

    func scalar(_ connection: Connection, _ sql: String) throws -> String? {
        try connection.execute(sql, name: "test").rows.first?[0]
    }

    @Test func recordsRunResultsAndMetricsOncePerRunId() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        let history = RunHistory(schema: "reckon_audit")
        let run = sampleRun()
        let first = try history.record(run, exitCode: 0, on: connection)
        let second = try history.record(run, exitCode: 0, on: connection)
        #expect(first == second)
        #expect(try scalar(connection, "select count(*) from reckon_audit.runs") == "1")
        #expect(try scalar(connection, "select count(*) from reckon_audit.check_results") == "2")
        // 1 check-level figure each (rate, failing_rows) + 3 figures in each of 2 groups.
        #expect(try scalar(connection, "select count(*) from reckon_audit.metrics") == "8")
        #expect(
            try scalar(
                connection,
                """
                select value from reckon_audit.metrics
                where metric = 'rate' and group_key = '{"date": "2026-10-01", "tier": "ad_id"}'
                """) == "0.4")
        #expect(
            try scalar(connection, "select failing_rows from reckon_audit.check_results where check_name = 'session_id_unique'")
                == "0")
        #expect(
            try scalar(
                connection,
                "select command || ' ' || status || ' ' || exit_code || ' ' || models_commit || ' ' || extract(epoch from ended_at - started_at) from reckon_audit.runs"
            ) == "check pass 0 abc1234 2.500000")
        #expect(try scalar(connection, "select version from reckon_audit.schema_version") == String(RunHistory.schemaVersion))
    }

    @Test func failedRunIsRecordedWithItsExitCode() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        let history = RunHistory(schema: "audit_elsewhere")
        try history.record(sampleRun(failing: true), exitCode: 1, on: connection)
        let runs = try history.runs(limit: 5, on: connection)
        #expect(runs.count == 1)
        #expect(runs.first?.status == "fail")
        #expect(runs.first?.exitCode == 1)
        #expect(runs.first?.failed == 1)
        #expect(runs.first?.passed == 1)
        let entries = try history.check("facebook_match_rate", limit: 5, on: connection)
        #expect(entries.map(\.observed) == ["41.0%"])
    }

    @Test func aFailingWriteLeavesNoHalfWrittenRun() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        let history = RunHistory(schema: "reckon_audit")
        try history.record(sampleRun(startedAt: Date(timeIntervalSince1970: 1_700_000_000)), exitCode: 0, on: connection)
        // The last statement of a run's transaction fails, as if the process died before commit.
        try connection.execute(
            "alter table reckon_audit.metrics add constraint refuse check (value < 0) not valid", name: "refuse metrics")
        #expect(throws: PostgresError.self) { try history.record(sampleRun(), exitCode: 0, on: connection) }
        #expect(try scalar(connection, "select count(*) from reckon_audit.runs") == "1")
        #expect(try scalar(connection, "select count(*) from reckon_audit.check_results") == "2")
    }

    @Test func upgradesAVersionOneSchemaInPlace() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        // A version 1 schema, as the first release of the history wrote it, with one run.
        try connection.executeScript(
            """
            create schema reckon_audit;
            create table reckon_audit.schema_version (version int not null, upgraded_at timestamptz not null default now());
            insert into reckon_audit.schema_version (version) values (1);
            create table reckon_audit.runs (run_id text primary key, started_at timestamptz not null,
              ended_at timestamptz not null, command text not null, checked_schema text not null, models_commit text,
              status text not null, exit_code int not null, reckon_version text not null, database text, published boolean);
            create table reckon_audit.check_results (run_id text not null references reckon_audit.runs on delete cascade,
              check_name text not null, kind text not null, severity text not null, status text not null, observed text,
              expected text, message text, failing_rows bigint, sql text, error_message text, primary key (run_id, check_name));
            create table reckon_audit.metrics (run_id text not null references reckon_audit.runs on delete cascade,
              check_name text not null, metric text not null, group_key jsonb not null, value double precision);
            insert into reckon_audit.runs values ('old', now() - interval '1 day', now() - interval '1 day', 'check',
              'analytics', null, 'pass', 0, '0.0.9', null, null);
            """, name: "version 1 schema")
        let history = RunHistory(schema: "reckon_audit")
        try history.record(sampleRun(), exitCode: 0, on: connection)
        #expect(try scalar(connection, "select string_agg(version::text, ',') from reckon_audit.schema_version") == "2")
        #expect(try scalar(connection, "select count(*) from reckon_audit.runs") == "2")
        #expect(
            try scalar(
                connection,
                "select count(*) from reckon_audit.check_results where table_name is null and duration_seconds is not null")
                == "2")
    }

    @Test func aNewerSchemaIsAnError() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        try connection.executeScript(
            """
            create schema reckon_audit;
            create table reckon_audit.schema_version (version int not null, upgraded_at timestamptz not null default now());
            insert into reckon_audit.schema_version (version) values (99);
            """, name: "future schema")
        #expect(throws: HistoryError.self) { try RunHistory(schema: "reckon_audit").record(sampleRun(), exitCode: 0, on: connection) }
    }

    @Test func pruneDeletesOldRunsWithTheirResults() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        let history = RunHistory(schema: "reckon_audit")
        try history.record(sampleRun(startedAt: Date().addingTimeInterval(-40 * 86_400)), exitCode: 0, on: connection)
        try history.record(sampleRun(startedAt: Date().addingTimeInterval(-3_600)), exitCode: 1, on: connection)
        #expect(try history.prune(keepDays: 30, on: connection) == 1)
        #expect(try history.runs(limit: 10, on: connection).map(\.exitCode) == [1])
        #expect(try scalar(connection, "select count(*) from reckon_audit.check_results") == "2")
        #expect(try scalar(connection, "select count(*) from reckon_audit.metrics") == "8")
    }

    @Test func aReadOnlyUserGetsAPermissionError() throws {
        let (url, connection) = try database()
        defer { TestDatabase.drop(url) }
        let role = "reader_\(UInt32.random(in: 0...UInt32.max))"
        try connection.execute("create role \(role) login", name: "role")
        defer { _ = try? Connection.connect(url).executeScript("drop owned by \(role); drop role \(role)", name: "drop role") }
        try connection.execute("revoke create on schema public from public", name: "revoke")
        let reader = try Connection.connect(url.replacingOccurrences(of: "user=postgres", with: "user=\(role)"))
        do {
            try RunHistory(schema: "reckon_audit").record(sampleRun(), exitCode: 0, on: reader)
            Issue.record("expected a permission error")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42501")
        }
    }
}
