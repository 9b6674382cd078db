import Checks
import Foundation
import PostgresClient

/// The run history in the warehouse: every `reckon check` and `reckon run` recorded in the
/// audit schema of the same database (docs/history.md).
///
/// One run is written in one transaction (a killed run leaves nothing half-written), keyed
/// by its run id, so recording the same run again replaces it. The rows are unpacked from
/// the run's JSON by set-based SQL (`jsonb_array_elements`), one statement per table.
public struct RunHistory: Sendable {
    /// The audit schema.
    public var schema: String

    /// The version of the audit schema this reckon writes; older schemas are upgraded in place.
    public static let schemaVersion = 2

    /// Creates a history in `schema`.
    public init(schema: String) { self.schema = schema }

    func table(_ name: String) -> String { SQL.qualified(schema: schema, name: name) }

    /// The statements that bring the audit schema from version `n - 1` to `n`, in order.
    var migrations: [(version: Int, sql: String)] {
        [
            (
                1,
                """
                create table \(table("runs")) (
                  run_id text primary key,
                  started_at timestamptz not null,
                  ended_at timestamptz not null,
                  command text not null,
                  checked_schema text not null,
                  models_commit text,
                  status text not null,
                  exit_code int not null,
                  reckon_version text not null,
                  database text,
                  published boolean
                );
                create table \(table("check_results")) (
                  run_id text not null references \(table("runs")) on delete cascade,
                  check_name text not null,
                  kind text not null,
                  severity text not null,
                  status text not null,
                  observed text,
                  expected text,
                  message text,
                  failing_rows bigint,
                  sql text,
                  error_message text,
                  primary key (run_id, check_name)
                );
                create table \(table("metrics")) (
                  run_id text not null references \(table("runs")) on delete cascade,
                  check_name text not null,
                  metric text not null,
                  group_key jsonb not null,
                  value double precision
                );
                create index on \(table("metrics")) (run_id);
                """
            ),
            (
                2,
                """
                alter table \(table("check_results")) add column table_name text, add column duration_seconds double precision;
                create index on \(table("metrics")) (check_name, metric);
                create index on \(table("runs")) (started_at);
                """
            ),
        ]
    }

    /// Creates the audit schema, or upgrades an older one in place; returns the version
    /// found before (0 for a new schema). Runs inside the caller's transaction.
    @discardableResult
    public func prepare(on connection: Connection) throws -> Int {
        // One reckon at a time creates or upgrades (another waits here, then sees the result).
        try connection.execute(
            "select pg_advisory_xact_lock(hashtext($1))", name: "history: lock", ["reckon history " + schema])
        try connection.execute("create schema if not exists \(SQL.identifier(schema))", name: "history: create schema")
        try connection.execute(
            "create table if not exists \(table("schema_version")) (version int not null, upgraded_at timestamptz not null default now())",
            name: "history: schema_version")
        let found =
            Int(
                try connection.execute("select max(version) from \(table("schema_version"))", name: "history: version").rows.first?[0]
                    ?? "") ?? 0
        if found > Self.schemaVersion {
            throw HistoryError(
                description:
                    "the audit schema \(schema) is at version \(found), newer than this reckon understands (\(Self.schemaVersion)); upgrade reckon"
            )
        }
        for migration in migrations where migration.version > found {
            try connection.executeScript(migration.sql, name: "history: upgrade to version \(migration.version)")
        }
        if found < Self.schemaVersion {
            try connection.execute("delete from \(table("schema_version"))", name: "history: version reset")
            try connection.execute(
                "insert into \(table("schema_version")) (version) values ($1)", name: "history: version",
                [String(Self.schemaVersion)])
        }
        return found
    }

    /// The id of a run: derived from what identifies it (command, start instant, database,
    /// checked schema), so recording the same result twice writes the same run.
    public static func runIdentifier(_ result: RunResult) -> String {
        let start = String(format: "%.6f", result.startedAt.timeIntervalSince1970)
        let text = [result.command, start, result.database, result.checkedSchema].joined(separator: "\u{1F}")
        var first: UInt64 = 1_469_598_103_934_665_603
        var second: UInt64 = 0x9E37_79B9_7F4A_7C15
        for byte in text.utf8 {
            first = (first ^ UInt64(byte)) &* 1_099_511_628_211
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37
        }
        return String(format: "%016llx%016llx", first, second)
    }

    /// The overall status of a run: the worst status of its checks (`pass` without checks).
    public static func status(_ result: RunResult) -> String {
        for status in [CheckStatus.error, .fail, .warn] where result.checks.contains(where: { $0.status == status }) {
            return status.rawValue
        }
        return CheckStatus.pass.rawValue
    }

    /// Records a run with its exit code, in one transaction; returns the run id.
    @discardableResult
    public func record(_ result: RunResult, exitCode: Int32, on connection: Connection) throws -> String {
        let runId = Self.runIdentifier(result)
        let json = String(decoding: try result.jsonData(), as: UTF8.self)
        try connection.execute("begin", name: "history: begin")
        do {
            try prepare(on: connection)
            try connection.execute(
                "delete from \(table("runs")) where run_id = $1", name: "history: replace run", [runId])
            try connection.execute(
                """
                insert into \(table("runs"))
                  (run_id, started_at, ended_at, command, checked_schema, models_commit, status, exit_code,
                   reckon_version, database, published)
                select $1, (r->>'startedAt')::timestamptz,
                       (r->>'startedAt')::timestamptz + make_interval(secs => (r->>'durationSeconds')::float8),
                       r->>'command', r->>'checkedSchema', r->>'modelsCommit', $3, $4::int, r->>'reckonVersion',
                       r->>'database', (r->>'published')::boolean
                from (select $2::jsonb as r) run
                """, name: "history: run", [runId, json, Self.status(result), String(exitCode)])
            try connection.execute(
                """
                insert into \(table("check_results"))
                  (run_id, check_name, kind, severity, status, observed, expected, message, failing_rows, sql,
                   error_message, table_name, duration_seconds)
                select $1, c->>'name', c->>'kind', c->>'severity', c->>'status', c->>'observed', c->>'expected',
                       c->>'message', (c->'metrics'->>'failing_rows')::float8::bigint, c->>'sql', c->>'errorMessage',
                       c->>'table', (c->>'durationSeconds')::float8
                from jsonb_array_elements($2::jsonb->'checks') c
                """, name: "history: check results", [runId, json])
            // Metrics: the check's own figures (group {}), and every figure of every group,
            // the group key `date=2026-10-01 tier=ad_id` read as {"date": …, "tier": …}.
            try connection.execute(
                """
                insert into \(table("metrics")) (run_id, check_name, metric, group_key, value)
                select $1, c->>'name', m.key, '{}'::jsonb, (m.value #>> '{}')::float8
                from jsonb_array_elements($2::jsonb->'checks') c
                cross join lateral jsonb_each(coalesce(c->'metrics', '{}'::jsonb)) m
                where jsonb_typeof(m.value) = 'number'
                union all
                select $1, c->>'name', v.key,
                       coalesce((select jsonb_object_agg(split_part(part, '=', 1), substr(part, strpos(part, '=') + 1))
                                 from unnest(string_to_array(g->>'key', ' ')) part where strpos(part, '=') > 0),
                                jsonb_build_object('group', g->>'key')),
                       (v.value #>> '{}')::float8
                from jsonb_array_elements($2::jsonb->'checks') c
                cross join lateral jsonb_array_elements(coalesce(c->'groups', '[]'::jsonb)) g
                cross join lateral jsonb_each(coalesce(g->'values', '{}'::jsonb)) v
                where jsonb_typeof(v.value) = 'number'
                """, name: "history: metrics", [runId, json])
            try connection.execute("commit", name: "history: commit")
        } catch {
            _ = try? connection.execute("rollback", name: "history: rollback")
            throw error
        }
        return runId
    }

    /// One recorded run, as `reckon history` lists it.
    public struct Run: Codable, Sendable, Equatable {
        /// The run id.
        public var runId: String
        /// Start, ISO 8601 (UTC).
        public var startedAt: String
        /// Wall time in seconds.
        public var durationSeconds: Double
        /// `check` or `run`.
        public var command: String
        /// The checked schema.
        public var checkedSchema: String
        /// The models' commit, when known.
        public var modelsCommit: String?
        /// Worst check status.
        public var status: String
        /// The command's exit code.
        public var exitCode: Int
        /// reckon's version.
        public var reckonVersion: String
        /// Checks that passed, warned, failed and errored.
        public var passed: Int
        /// Checks that warned.
        public var warned: Int
        /// Checks that failed.
        public var failed: Int
        /// Checks that errored.
        public var errored: Int
    }

    /// One check's result in one run.
    public struct CheckEntry: Codable, Sendable, Equatable {
        /// The run id.
        public var runId: String
        /// Start of the run, ISO 8601 (UTC).
        public var startedAt: String
        /// The check's verdict.
        public var status: String
        /// What was measured.
        public var observed: String?
        /// The threshold.
        public var expected: String?
        /// Failing rows, when the check counts rows.
        public var failingRows: Int?
        /// The message.
        public var message: String?
    }

    /// Whether the audit schema exists (history was ever recorded).
    public func exists(on connection: Connection) throws -> Bool {
        try connection.execute("select to_regclass($1) is not null", name: "history: exists", [table("runs")]).rows.first?[0]
            == "t"
    }

    /// The last `limit` runs, newest first.
    public func runs(limit: Int, on connection: Connection) throws -> [Run] {
        let result = try connection.execute(
            """
            select r.run_id, to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   extract(epoch from r.ended_at - r.started_at)::float8, r.command, r.checked_schema, r.models_commit,
                   r.status, r.exit_code, r.reckon_version,
                   count(c.*) filter (where c.status = 'pass'), count(c.*) filter (where c.status = 'warn'),
                   count(c.*) filter (where c.status = 'fail'), count(c.*) filter (where c.status = 'error')
            from \(table("runs")) r left join \(table("check_results")) c on c.run_id = r.run_id
            group by r.run_id
            order by r.started_at desc, r.run_id
            limit $1
            """, name: "history: runs", [String(limit)])
        return result.rows.map { row in
            Run(
                runId: row[0] ?? "", startedAt: row[1] ?? "", durationSeconds: Double(row[2] ?? "") ?? 0,
                command: row[3] ?? "", checkedSchema: row[4] ?? "", modelsCommit: row[5], status: row[6] ?? "",
                exitCode: Int(row[7] ?? "") ?? 0, reckonVersion: row[8] ?? "", passed: Int(row[9] ?? "") ?? 0,
                warned: Int(row[10] ?? "") ?? 0, failed: Int(row[11] ?? "") ?? 0, errored: Int(row[12] ?? "") ?? 0)
        }
    }

    /// One check's results over the last `limit` runs that ran it, newest first.
    public func check(_ name: String, limit: Int, on connection: Connection) throws -> [CheckEntry] {
        let result = try connection.execute(
            """
            select r.run_id, to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), c.status, c.observed,
                   c.expected, c.failing_rows, c.message
            from \(table("check_results")) c join \(table("runs")) r on r.run_id = c.run_id
            where c.check_name = $1
            order by r.started_at desc, r.run_id
            limit $2
            """, name: "history: check", [name, String(limit)])
        return result.rows.map { row in
            CheckEntry(
                runId: row[0] ?? "", startedAt: row[1] ?? "", status: row[2] ?? "", observed: row[3], expected: row[4],
                failingRows: row[5].flatMap { Int($0) }, message: row[6])
        }
    }

    /// Deletes the runs (with their results and metrics) that started more than `days` days
    /// ago; returns how many runs were deleted.
    public func prune(keepDays days: Int, on connection: Connection) throws -> Int {
        try connection.execute(
            "delete from \(table("runs")) where started_at < now() - make_interval(days => $1::int)", name: "history: prune",
            [String(days)]
        ).affectedRows
    }
}

/// A history problem: never fails a check run (it becomes a warning), but fails `reckon history`.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
    /// One sentence.
    public var description: String
    /// Creates the error.
    public init(description: String) { self.description = description }
}
