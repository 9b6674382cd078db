import Foundation
import PostgresClient
import ReckonCore

/// What an incremental build needs to know about the last publish of a target schema, kept
/// in the audit schema (docs/incremental.md).
///
/// Two tables: `incremental_state` (one row per target: the models' hash, reckon's version,
/// the watermark of each append-only source and the fingerprint of each small dimension
/// table) and `incremental_dimensions` (the key, name key and row md5 of every row of those
/// dimension tables, to find which rows changed). A build snapshots them into its build
/// schema *before* it reads the sources (`captureStatements`), and the publish copies the
/// snapshot into the audit schema in its own transaction (`recordStatements`), so the state
/// always describes exactly the data the published marts were built from.
public struct IncrementalState: Sendable {
    /// The configuration (sources, audit schema, variables).
    public let configuration: Configuration
    /// The models, hashed with the configuration into `models_hash`.
    public let project: ModelProject
    /// The schema the marts are published to: the state's key.
    public let targetSchema: String
    /// reckon's version: a new version forces a full build.
    public let reckonVersion: String

    /// Creates the state of `targetSchema`.
    public init(configuration: Configuration, project: ModelProject, targetSchema: String, reckonVersion: String) {
        self.configuration = configuration
        self.project = project
        self.targetSchema = targetSchema
        self.reckonVersion = reckonVersion
    }

    /// An append-only source and the column whose maximum is its watermark.
    public static let watermarks: [(source: String, column: String)] = [
        ("funnelfox_sessions", "created_at"),
        ("amplitude_events", "event_time"),
        ("funnelfox_subscriptions", "created_at"),
        ("stripe_payments", "created_at"),
        ("stripe_refunds", "created_at"),
        ("stripe_balance_transactions", "created_at"),
        ("facebook_ad_statistics", "date"),
    ]

    /// A small table whose rows are compared one by one: its key and the name the
    /// Facebook fallback tiers match on (`lower(trim(…))`), if any.
    public static let dimensions: [(source: String, key: String, name: String?)] = [
        ("facebook_campaigns", "facebook_campaign_id", "campaign_name"),
        ("facebook_adsets", "facebook_adset_id", nil),
        ("facebook_ads", "facebook_ad_id", "ad_name"),
        ("funnelfox_funnels", "id", nil),
        ("stripe_subscriptions", "id", nil),
    ]

    func source(_ name: String) -> String {
        let table = configuration.sourceTable(name)
        return SQL.qualified(schema: table.schema, name: table.table)
    }

    func audit(_ name: String) -> String { SQL.qualified(schema: configuration.auditSchema, name: name) }

    /// `select source, id, name_key, row_md5` over the current rows of every dimension table.
    var currentDimensionRows: String {
        Self.dimensions.map { dimension in
            let name = dimension.name.map { "lower(trim(t.\(SQL.identifier($0))))" } ?? "null::text"
            return "select \(SQL.literal(dimension.source))::text as source, t.\(SQL.identifier(dimension.key))::text as id, "
                + "\(name) as name_key, md5(t::text) as row_md5 from \(source(dimension.source)) t"
        }.joined(separator: "\nunion all\n")
    }

    /// The text the models' hash is taken of: every model file, `functions.sql`, and the
    /// configuration that changes what they compute (sources, variables).
    public var modelsText: String {
        var parts = [project.functionsSQL ?? ""]
        for model in project.models { parts.append(model.name + "\n" + model.sql) }
        let sources = Configuration.logicalSources.map { name in
            let table = configuration.sourceTable(name)
            return "\(name)=\(table.schema).\(table.table)"
        }
        parts.append(sources.joined(separator: ","))
        parts.append(configuration.facebookSourceAliases.joined(separator: ","))
        parts.append(configuration.paidMediums.joined(separator: ","))
        parts.append(configuration.adAccountTimeZone)
        parts.append(configuration.functionsSchema)
        return parts.joined(separator: "\n\u{1}\n")
    }

    /// Statements that snapshot the watermarks and dimension rows into `schema` (the build
    /// schema), run before any model reads the sources.
    /// Without `dimensions` (an incremental build: its listing already took them, and its
    /// publish records those) only the watermarks.
    public func captureStatements(into schema: String, dimensions: Bool = true) -> [String] {
        let watermarks = Self.watermarks.map {
            "\(SQL.literal($0.source)), (select max(\(SQL.identifier($0.column)))::text from \(source($0.source)))"
        }
        return [
            "create table \(SQL.qualified(schema: schema, name: "reckon_state_watermarks")) as select jsonb_build_object(\(watermarks.joined(separator: ", "))) as watermarks"
        ]
            + (dimensions
                ? ["create table \(SQL.qualified(schema: schema, name: "reckon_state_dimensions")) as \(currentDimensionRows)"] : [])
    }

    /// `create index if not exists` run only when the index is missing: the statement takes
    /// its table's lock before it looks, so it would wait for an autovacuum of the table (the
    /// census tables are rewritten by every run) until PostgreSQL cancels it, after a second.
    /// The same for the added column below.
    func createIndexIfMissing(_ name: String, on table: String, columns: String) -> String {
        """
        do $reckon$ begin
          if to_regclass(\(SQL.literal(SQL.qualified(schema: configuration.auditSchema, name: name)))) is null then
            create index if not exists \(SQL.identifier(name)) on \(audit(table)) (\(columns));
          end if;
        end $reckon$
        """
    }

    /// Creates the state tables in the audit schema when missing.
    public var createStatements: [String] {
        [
            "create schema if not exists \(SQL.identifier(configuration.auditSchema))",
            """
            create table if not exists \(audit("incremental_state")) (
              target_schema text primary key,
              models_hash text not null,
              reckon_version text not null,
              build_kind text not null,
              published_at timestamptz not null,
              watermarks jsonb not null,
              fingerprints jsonb not null
            )
            """,
            """
            create table if not exists \(audit("incremental_dimensions")) (
              target_schema text not null,
              source text not null,
              id text,
              name_key text,
              row_md5 text not null
            )
            """,
            createIndexIfMissing("incremental_dimensions_target", on: "incremental_dimensions", columns: "target_schema, source"),
            // Added after the first version: an older audit schema gains them here.
            """
            do $reckon$ begin
              if not exists (select from pg_attribute where attrelid = to_regclass(\(SQL.literal(audit("incremental_state"))))
                             and attname = 'census_from' and not attisdropped) then
                alter table \(audit("incremental_state")) add column if not exists census_from jsonb;
              end if;
            end $reckon$
            """,
            """
            create table if not exists \(audit("incremental_recent_events")) (
              target_schema text not null,
              session_id text not null,
              events bigint not null
            )
            """,
            createIndexIfMissing("incremental_recent_events_target", on: "incremental_recent_events", columns: "target_schema"),
            """
            create table if not exists \(audit("incremental_recent_rows")) (
              target_schema text not null,
              source text not null,
              id text not null
            )
            """,
            // By target only: the listing reads a target's keys whole, by hashing. A key index
            // (until this release) cost more to keep than anything it saved: 1.4 s for the
            // 163,000 keys of a day at 3,000,000 sessions.
            """
            do $reckon$ begin
              if to_regclass(\(SQL.literal(SQL.qualified(schema: configuration.auditSchema, name: "incremental_recent_rows_key")))) is not null then
                drop index \(SQL.qualified(schema: configuration.auditSchema, name: "incremental_recent_rows_key"));
              end if;
            end $reckon$
            """,
            createIndexIfMissing("incremental_recent_rows_target", on: "incremental_recent_rows", columns: "target_schema"),
            """
            create table if not exists \(audit("incremental_recent_statistics")) (
              target_schema text not null,
              day date not null,
              facebook_campaign_id text not null,
              rows_hash text not null
            )
            """,
            createIndexIfMissing("incremental_recent_statistics_target", on: "incremental_recent_statistics", columns: "target_schema"),
        ]
    }

    /// The append-only sources whose rows in the lookback window an incremental build lists by
    /// key (`AffectedSessions`), so that the next build selects only the rows that arrived
    /// since: (source, key column, time column).
    public static let censusRows: [(source: String, key: String, time: String)] = [
        ("funnelfox_sessions", "id", "created_at"),
        ("funnelfox_subscriptions", "id", "created_at"),
        ("stripe_payments", "id", "created_at"),
        ("stripe_refunds", "id", "created_at"),
        ("stripe_balance_transactions", "id", "created_at"),
    ]

    /// The census of the lookback window an incremental build takes while it lists the
    /// affected sessions (`AffectedSessions`), recorded by its publish for the next build to
    /// compare with.
    public struct Census: Sendable {
        /// `(session_id text, events bigint, next_events bigint)`: per session, its events in
        /// the recorded window and in the next one (those with `next_events > 0` are recorded).
        public let eventCounts: String
        /// `(from_time timestamptz)`, one row: the next window's start for the events.
        public let eventsWindow: String
        /// `(source text, id text, arrived boolean, in_next boolean)`: the rows of
        /// `censusRows` in the recorded window (`arrived`: not listed by the last build) or
        /// the next (`in_next`: recorded).
        public let rows: String
        /// `(source text, from_time timestamptz)`: the next window's start per source.
        public let rowsWindows: String
        /// `(day date, facebook_campaign_id text, rows_hash text, in_next boolean)`: per
        /// campaign and day of `facebook_ad_statistics` in the recorded restatement window, a
        /// hash of its rows (`in_next`: in the next window, recorded).
        public let statistics: String
        /// `(from_day date)`, one row: the next restatement window's start (days after it).
        public let statisticsWindow: String
        /// The current rows (`source, id, name_key, row_md5`) of the dimension keys that
        /// differed when the listing compared them with the recorded ones, and those rows
        /// (`changedDimensions`): the publish records exactly what the listing saw, rewriting
        /// only the keys that changed. Nil for a full build's census (its publish records the
        /// snapshot's dimension rows whole).
        public var dimensions: String? = nil
        /// `(source, id, name_key, row_md5, is_current)`: the rows added, changed or deleted
        /// (`is_current` false), and the current rows of their keys (`is_current` true).
        public var changedDimensions: String? = nil
    }

    /// The census tables in `schema`.
    public static func census(in schema: String, withDimensions: Bool) -> Census {
        census(withDimensions: withDimensions) { SQL.qualified(schema: schema, name: $0) }
    }

    /// The census tables, each named by `table` (qualified, or a temporary table's name).
    static func census(withDimensions: Bool, _ table: (String) -> String) -> Census {
        Census(
            eventCounts: table("recent_event_counts"), eventsWindow: table("recent_events_window"),
            rows: table("recent_rows"), rowsWindows: table("recent_rows_windows"),
            statistics: table("recent_statistics"), statisticsWindow: table("recent_statistics_window"),
            dimensions: withDimensions
                ? "(select source, id, name_key, row_md5 from \(table("changed_dimensions")) where is_current)" : nil,
            changedDimensions: withDimensions ? table("changed_dimensions") : nil)
    }

    /// The census a full build takes when `--incremental` made it full (the first run, new
    /// models, `--full`), into `schema` before its models read the sources, so that the
    /// next run already selects only what arrives after it: every session's events in the
    /// window (the events' newest `event_time` minus `lookbackDays`) and the keys of the
    /// window's rows of `censusRows`. `run` executes a statement and returns its first
    /// value as text: the events' window start is read first and written into the read of
    /// the events, so the planner reads only the window through the `event_time` index.
    public func takeFullCensus(
        into schema: String, lookbackDays: Int, run: (_ name: String, _ sql: String) throws -> String?
    ) throws {
        let census = Self.census(in: schema, withDimensions: false)
        _ = try run(
            "census: events window",
            "create table \(census.eventsWindow) as select \(censusWindowStart("amplitude_events", lookbackDays: lookbackDays)) as from_time"
        )
        let from = try run("census: events window", "select from_time::text from \(census.eventsWindow)")
        let bound = from.map { "\(SQL.literal($0))::timestamptz" } ?? "'infinity'::timestamptz"
        _ = try run("census: read events by index", "set enable_seqscan = off")
        _ = try run("census: group events by hashing", "set enable_sort = off")
        _ = try run(
            "census: events per session",
            "create table \(census.eventCounts) as \(censusEventCountsSQL(from: bound, window: census.eventsWindow))")
        _ = try run("census: read events by index", "reset enable_seqscan")
        _ = try run("census: group events by hashing", "reset enable_sort")
        _ = try run(
            "census: rows windows",
            "create table \(census.rowsWindows) as \(censusRowsWindowsSQL(lookbackDays: lookbackDays))")
        let rows = censusRowsSQL(windows: census.rowsWindows) { source, _ in
            (from: "(select from_time from \(census.rowsWindows) where source = \(SQL.literal(source)))", arrived: "true")
        }
        _ = try run("census: rows", "create table \(census.rows) as \(rows)")
        _ = try run(
            "census: statistics window", "create table \(census.statisticsWindow) as \(censusStatisticsWindowSQL())")
        _ = try run(
            "census: statistics",
            "create table \(census.statistics) as \(censusStatisticsSQL(from: "(select from_day from \(census.statisticsWindow))", window: census.statisticsWindow))"
        )
    }

    /// The next restatement window of `facebook_ad_statistics`: the days after its newest day
    /// minus `AffectedSessions.restatementDays` (Facebook restates them), or after `notBefore`
    /// if that is later.
    func censusStatisticsWindowSQL(notBefore: String? = nil) -> String {
        let start = "(select max(date) from \(source("facebook_ad_statistics"))) - \(AffectedSessions.restatementDays)"
        return "select \(notBefore.map { "greatest(\(start), \($0))" } ?? start) as from_day"
    }

    /// Per campaign and day of `facebook_ad_statistics` after `from` (an SQL date), a hash of
    /// its rows (their count and the sum of their rows' 64-bit hashes: no sort, a third of
    /// the time of an md5 of the sorted rows' md5s), and whether the day is in the one-row
    /// `window`'s next window. Rows without a campaign are left out, as the daily mart
    /// leaves them out.
    func censusStatisticsSQL(from: String, window: String) -> String {
        """
        select t.date as day, t.facebook_campaign_id::text as facebook_campaign_id,
               count(*)::text || ' ' || sum(hashtextextended(t::text, 0)::numeric)::text as rows_hash,
               t.date > (select from_day from \(window)) as in_next
        from \(source("facebook_ad_statistics")) t
        where t.date > \(from) and t.facebook_campaign_id is not null
        group by t.date, t.facebook_campaign_id
        """
    }

    /// The time column of each census source.
    static let censusTimeColumns = Dictionary(
        uniqueKeysWithValues: [("amplitude_events", "event_time")] + censusRows.map { ($0.source, $0.time) })

    /// The start of `source`'s next census window, as an SQL expression: its newest time
    /// now minus `lookbackDays`, or `notBefore` if that is later (a lookback raised since
    /// the last census: the census reads only from where that one did).
    func censusWindowStart(_ source: String, lookbackDays: Int, notBefore: String? = nil) -> String {
        let column = Self.censusTimeColumns[source] ?? "created_at"
        let start = "(select max(\(SQL.identifier(column))) from \(self.source(source))) - interval '\(lookbackDays) days'"
        return notBefore.map { "greatest(\(start), \($0))" } ?? start
    }

    /// `(source, from_time)` for every source of `censusRows`.
    func censusRowsWindowsSQL(lookbackDays: Int, notBefore: (String) -> String? = { _ in nil }) -> String {
        Self.censusRows.map {
            let start = censusWindowStart($0.source, lookbackDays: lookbackDays, notBefore: notBefore($0.source))
            return "select \(SQL.literal($0.source))::text as source, \(start) as from_time"
        }.joined(separator: "\nunion all\n")
    }

    /// Per session, its events after `from` (`events`) and after the start in the one-row
    /// `window` (`next_events`, what the publish records), read through the `event_time`
    /// index (write `from` in as a literal: the planner then sees how few events it selects).
    func censusEventCountsSQL(from: String, window: String) -> String {
        """
        select e.event_properties->>'ff_session_id' as session_id, count(*) as events,
               count(*) filter (where e.event_time > (select from_time from \(window))) as next_events
        from \(source("amplitude_events")) e
        where e.event_time > \(from)
          and jsonb_typeof(e.event_properties->'ff_session_id') = 'string'
        group by 1
        """
    }

    /// `(source, id, arrived, in_next)` for the rows of each source of `censusRows` after the
    /// start `read` gives for it (with whether the row `arrived`, an SQL condition on `key`);
    /// `in_next`: after the start in `windows` (what the publish records).
    func censusRowsSQL(windows: String, read: (_ source: String, _ key: String) -> (from: String, arrived: String)) -> String {
        Self.censusRows.map { row in
            let key = "t.\(SQL.identifier(row.key))::text"
            let (from, arrived) = read(row.source, key)
            return """
                select \(SQL.literal(row.source))::text as source, \(key) as id, \(arrived) as arrived,
                       t.\(SQL.identifier(row.time)) > (select from_time from \(windows) where source = \(SQL.literal(row.source))) as in_next
                from \(source(row.source)) t
                where t.\(SQL.identifier(row.time)) > \(from)
                """
        }.joined(separator: "\nunion all\n")
    }

    /// Statements, run inside the publish transaction, that replace this target's state by
    /// the snapshot in `schema`, with `modelsHash` and the build's kind (`full`, `incremental`).
    /// `census` is the lookback window's census an incremental build took; a full build
    /// records none (the next incremental build then selects every session with an event or
    /// row in the window, and records one).
    /// `creatingTables: false` leaves out `createStatements` (run before, outside the
    /// transaction: their `alter table` would lock the state table until the commit).
    public func recordStatements(
        from schema: String, modelsHash: String, kind: String, census: Census? = nil, creatingTables: Bool = true
    ) -> [String] {
        let target = SQL.literal(targetSchema)
        let dimensions = census?.dimensions ?? SQL.qualified(schema: schema, name: "reckon_state_dimensions")
        let censusFrom =
            census.map {
                """
                (select jsonb_object_agg(source, from_time) from (
                   select 'amplitude_events' as source, to_jsonb(from_time) as from_time from \($0.eventsWindow)
                   union all select source, to_jsonb(from_time) from \($0.rowsWindows)
                   union all select 'facebook_ad_statistics', to_jsonb(from_day) from \($0.statisticsWindow)) w
                 where from_time is not null)
                """
            } ?? "null::jsonb"
        var censusStatements = [
            "delete from \(audit("incremental_recent_events")) where target_schema = \(target)",
            "delete from \(audit("incremental_recent_rows")) where target_schema = \(target)",
            "delete from \(audit("incremental_recent_statistics")) where target_schema = \(target)",
        ]
        if let census {
            censusStatements += [
                "insert into \(audit("incremental_recent_events")) select \(target), session_id, next_events from \(census.eventCounts) where next_events > 0",
                "insert into \(audit("incremental_recent_rows")) select \(target), source, id from \(census.rows) where in_next",
                """
                insert into \(audit("incremental_recent_statistics"))
                select \(target), day, facebook_campaign_id, rows_hash from \(census.statistics) where in_next
                """,
                // The next run's listing reads them by hashing when the planner knows their
                // size; with statistics from before this census it may probe them row by row
                // (~1 s for the window's sessions at 1,000,000 sessions). In the transaction:
                // it counts the rows just inserted. Skipped when an autovacuum of these tables
                // (which the last run's rewrite starts) holds them: that one analyzes them.
                """
                do $reckon$
                declare
                  publish_timeout text := current_setting('lock_timeout');
                begin
                  perform set_config('lock_timeout', '100ms', true);
                  analyze \(audit("incremental_recent_rows")), \(audit("incremental_recent_events"));
                  perform set_config('lock_timeout', publish_timeout, true);
                exception when lock_not_available then
                  perform set_config('lock_timeout', publish_timeout, true);
                end $reckon$
                """,
            ]
        }
        var dimensionStatements = [
            "delete from \(audit("incremental_dimensions")) where target_schema = \(target)",
            "insert into \(audit("incremental_dimensions")) select \(target), source, id, name_key, row_md5 from \(dimensions)",
        ]
        if let changed = census?.changedDimensions {
            // Only the keys whose rows changed (a NULL key counts as '').
            let changedKeys = "(select source, coalesce(id, '') from \(changed))"
            dimensionStatements = [
                """
                delete from \(audit("incremental_dimensions")) d
                where d.target_schema = \(target) and (d.source, coalesce(d.id, '')) in \(changedKeys)
                """,
                """
                insert into \(audit("incremental_dimensions"))
                select \(target), source, id, name_key, row_md5 from \(dimensions) c where (c.source, coalesce(c.id, '')) in \(changedKeys)
                """,
            ]
        }
        return (creatingTables ? createStatements : []) + censusStatements + dimensionStatements + [
            """
            insert into \(audit("incremental_state")) as s
              (target_schema, models_hash, reckon_version, build_kind, published_at, watermarks, fingerprints,
               census_from)
            select \(target), \(SQL.literal(modelsHash)), \(SQL.literal(reckonVersion)), \(SQL.literal(kind)), now(),
                   w.watermarks,
                   coalesce((select jsonb_object_agg(f.source, f.fingerprint) from (
                     select source, md5(string_agg(row_md5, '' order by id collate "C", row_md5)) as fingerprint
                     from \(audit("incremental_dimensions")) where target_schema = \(target) group by source) f), '{}'::jsonb),
                   \(censusFrom)
            from \(SQL.qualified(schema: schema, name: "reckon_state_watermarks")) w
            on conflict (target_schema) do update set
              models_hash = excluded.models_hash, reckon_version = excluded.reckon_version,
              build_kind = excluded.build_kind, published_at = excluded.published_at,
              watermarks = excluded.watermarks, fingerprints = excluded.fingerprints,
              census_from = excluded.census_from
            """
        ]
    }

    /// The models' hash (md5 of `modelsText`, computed by the server).
    public func modelsHash(on connection: Connection) throws -> String {
        try connection.execute("select md5($1)", name: "models hash", [modelsText]).scalar(as: String.self) ?? ""
    }

    /// The recorded state of this target.
    public struct Recorded: Sendable, Equatable {
        /// The models' hash at the last publish.
        public let modelsHash: String
        /// reckon's version at the last publish.
        public let reckonVersion: String
        /// `full` or `incremental`.
        public let buildKind: String
        /// Each source's watermark as text (nil: the table was empty).
        public let watermarks: [String: String?]
        /// Per source (`amplitude_events` and `IncrementalState.censusRows`), the start of
        /// the window whose events (counts per session) or rows (keys) the last publish
        /// recorded; empty when none was recorded, as after a full build.
        public var censusFrom: [String: String] = [:]
    }

    /// The state of the last publish, or nil when none was recorded.
    public func recorded(on connection: Connection) throws -> Recorded? {
        let exists = try connection.execute(
            "select to_regclass($1) is not null", name: "incremental state", [audit("incremental_state")]
        ).scalar(as: Bool.self)
        guard exists == true else { return nil }
        let result = try connection.execute(
            // `to_jsonb`: an audit schema of an older reckon has no `census_from` yet.
            """
            select models_hash, reckon_version, build_kind, watermarks::text, to_jsonb(s)->>'census_from'
            from \(audit("incremental_state")) s where target_schema = $1
            """,
            name: "incremental state", [targetSchema])
        guard let row = result.rows.first else { return nil }
        func object(_ text: String?) -> [String: Any] {
            guard let data = text?.data(using: .utf8) else { return [:] }
            return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        }
        var watermarks: [String: String?] = [:]
        for (key, value) in object(row[3]) { watermarks[key] = value as? String }
        return Recorded(
            modelsHash: row[0] ?? "", reckonVersion: row[1] ?? "", buildKind: row[2] ?? "", watermarks: watermarks,
            censusFrom: object(row[4]).compactMapValues { $0 as? String })
    }
}

/// The source indexes an incremental build reads the history through, and which are missing
/// (`reckon doctor` recommends them; docs/incremental.md).
public enum IncrementalIndexAdvice {
    /// (logical source, indexed expression as `pg_indexes` prints it, the expression to create).
    static let wanted: [(source: String, shown: String, expression: String)] = [
        ("amplitude_events", "'ff_session_id'::text", "((event_properties->>'ff_session_id'))"),
        ("amplitude_events", "(event_time)", "(event_time)"),
        ("funnelfox_sessions", "(created_at)", "(created_at)"),
        ("funnelfox_sessions", "(profile_id)", "(profile_id)"),
    ]

    /// `create index …` statements for the wanted indexes no index of the source has.
    public static func missing(configuration: Configuration, connection: Connection) throws -> [String] {
        try wanted.compactMap { index in
            let table = configuration.sourceTable(index.source)
            let found = try connection.execute(
                "select count(*) > 0 from pg_indexes where schemaname = $1 and tablename = $2 and strpos(indexdef, $3) > 0",
                name: "doctor: indexes", [table.schema, table.table, index.shown]
            ).scalar(as: Bool.self)
            guard found != true else { return nil }
            return "create index on \(SQL.qualified(schema: table.schema, name: table.table)) \(index.expression)"
        }
    }
}
