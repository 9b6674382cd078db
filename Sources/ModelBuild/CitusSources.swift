import Foundation
import PostgresClient
import ReckonCore

/// How the configured sources are laid out on a Citus coordinator, for `reckon doctor`.
///
/// reckon's per-session models are distributed by `session_id` and co-located with the
/// sessions source, so the layout that keeps the build on the workers is: the sessions
/// source distributed by its `id`, the events distributed by session (a column named in
/// `sources.event_session_column`, co-located with the sessions: the `stg_events` insert then
/// runs shard by shard), and the small dimension tables (Facebook, Stripe, funnels,
/// subscriptions) as reference tables. A large source left as a local table is read through
/// the coordinator by every statement.
public struct CitusSourceLayout: Sendable, Equatable {
    /// One source's layout.
    public struct Source: Sendable, Equatable, CustomStringConvertible {
        /// The logical source name.
        public let logicalName: String
        /// The real `schema.table`.
        public let realName: String
        /// `distributed`, `reference`, `local` (a coordinator table) or `view`.
        public let layout: String
        /// The distribution column of a distributed table.
        public let distributionColumn: String?
        /// Shards of a distributed table.
        public let shardCount: Int?
        /// Bytes on disk, every shard included (for a local table: the table).
        public let bytes: Int64
        /// Whether a distributed table is co-located with the sessions source.
        public var colocatedWithSessions = false

        /// `funnelfox_sessions (raw.funnelfox_sessions): distributed by id, 32 shards, 12 MB`.
        public var description: String {
            let size = Self.formatBytes(bytes)
            switch layout {
            case "distributed":
                let colocated = colocatedWithSessions && logicalName != "funnelfox_sessions" ? ", co-located with funnelfox_sessions" : ""
                return
                    "\(logicalName) (\(realName)): distributed by \(distributionColumn ?? "?"), \(shardCount ?? 0) shards\(colocated), \(size)"
            case "reference": return "\(logicalName) (\(realName)): reference table, \(size)"
            case "view": return "\(logicalName) (\(realName)): view (laid out by the tables it reads)"
            default: return "\(logicalName) (\(realName)): local table on the coordinator, \(size)"
            }
        }

        static func formatBytes(_ bytes: Int64) -> String {
            let megabytes = Double(bytes) / 1_048_576
            return megabytes >= 1024 ? String(format: "%.1f GB", megabytes / 1024) : String(format: "%.1f MB", megabytes)
        }
    }

    /// Every configured source, in the contract's order.
    public let sources: [Source]
    /// Layouts that make the build slow or keep the models from being co-located.
    public let warnings: [String]

    /// A local source at least this large is worth a warning (100 MB).
    public static let largeLocalBytes: Int64 = 100 * 1_048_576

    /// Reads the layout of every configured source from `citus_tables` and `pg_class`.
    public static func read(
        configuration: Configuration, connection: Connection, largeLocalBytes: Int64 = largeLocalBytes
    ) throws -> CitusSourceLayout {
        let names = Configuration.logicalSources
        let tables = names.map { configuration.sourceTable($0) }
        let real = tables.map { SQL.qualified(schema: $0.schema, name: $0.table) }
        let display = tables.map { "\($0.schema).\($0.table)" }
        let sessions = configuration.sourceTable("funnelfox_sessions")
        let result = try connection.execute(
            """
            select s.logical_name, s.display_name,
                   case when c.relkind in ('v', 'm') then 'view'
                        when ct.citus_table_type in ('distributed', 'reference') then ct.citus_table_type::text
                        else 'local' end,
                   ct.distribution_column::text, ct.shard_count,
                   case when ct.table_name is not null then citus_total_relation_size(c.oid)
                        else pg_total_relation_size(c.oid) end,
                   ct.citus_table_type = 'distributed' and ct.colocation_id = (
                     select colocation_id from citus_tables where table_name = to_regclass($4))
            from unnest($1::text[], $2::text[], $3::text[]) with ordinality as s(logical_name, real_name, display_name, position)
            join pg_class c on c.oid = to_regclass(s.real_name)
            left join citus_tables ct on ct.table_name = c.oid
            order by s.position
            """, name: "citus source layout",
            [
                SourceContract.arrayLiteral(names), SourceContract.arrayLiteral(real), SourceContract.arrayLiteral(display),
                SQL.qualified(schema: sessions.schema, name: sessions.table),
            ])
        let sources = result.rows.map { row in
            Source(
                logicalName: row[0] ?? "", realName: row[1] ?? "",
                layout: row[2] ?? "local", distributionColumn: row[3].flatMap { $0 == "<none>" ? nil : $0 },
                shardCount: row[4].flatMap { Int($0) }, bytes: row[5].flatMap { Int64($0) } ?? 0,
                colocatedWithSessions: row[6] == "t")
        }
        var warnings: [String] = []
        for source in sources {
            if source.logicalName == "funnelfox_sessions", source.layout != "view",
                source.layout != "distributed" || source.distributionColumn != "id"
            {
                warnings.append(
                    "source funnelfox_sessions (\(source.realName)) is \(source.layout == "distributed" ? "distributed by \(source.distributionColumn ?? "?")" : "a \(source.layout) table"), "
                        + "not distributed by id: the per-session models cannot be co-located with it "
                        + "(select create_distributed_table('\(source.realName)', 'id'))")
            } else if source.layout == "local", source.bytes >= largeLocalBytes {
                warnings.append(
                    "source \(source.logicalName) (\(source.realName)) is a local table of \(Source.formatBytes(source.bytes)) on the coordinator: "
                        + "every build reads it through the coordinator; distribute it (events: by session, docs/citus.md) or make it a reference table"
                )
            } else if source.logicalName == "amplitude_events", source.layout == "distributed",
                let warning = eventsLayoutWarning(source, configuration: configuration)
            {
                warnings.append(warning)
            }
        }
        return CitusSourceLayout(sources: sources, warnings: warnings)
    }
}

extension CitusSourceLayout {
    /// Why distributed events make the `stg_events` insert move every event between workers
    /// (repartitioned) instead of running shard by shard, or nil when they are laid out by
    /// session: distributed by `sources.event_session_column`, co-located with the sessions.
    static func eventsLayoutWarning(_ events: Source, configuration: Configuration) -> String? {
        let sessions = configuration.sourceTable("funnelfox_sessions")
        let colocate = "colocate_with => '\(sessions.schema).\(sessions.table)'"
        guard let column = configuration.eventSessionColumn else {
            if events.colocatedWithSessions, let distribution = events.distributionColumn {
                return
                    "source amplitude_events (\(events.realName)) is distributed by \(distribution), co-located with funnelfox_sessions, "
                    + "but sources.event_session_column is not set: the stg_events insert moves every event to its session's worker "
                    + "(repartitioned); if \(distribution) holds the events' session id, set sources.event_session_column: \(distribution) "
                    + "(docs/citus.md)"
            }
            return "source amplitude_events (\(events.realName)) is distributed by \(events.distributionColumn ?? "?"): "
                + "the stg_events insert moves every event to its session's worker (repartitioned); lay the events out by session: "
                + "a text column the loader fills with event_properties->>'ff_session_id' (another value, such as the uuid, when that is "
                + "not a JSON string), the table distributed by it (\(colocate)), and the column named in sources.event_session_column "
                + "(docs/citus.md)"
        }
        guard events.distributionColumn != column || !events.colocatedWithSessions else { return nil }
        let state =
            events.distributionColumn == column
            ? "is distributed by \(column) (sources.event_session_column) but not co-located with funnelfox_sessions"
            : "is distributed by \(events.distributionColumn ?? "?"), but sources.event_session_column is \(column)"
        return "source amplitude_events (\(events.realName)) \(state): the stg_events insert moves every event to its session's worker "
            + "(repartitioned); select alter_distributed_table('\(events.realName)', distribution_column => '\(column)', \(colocate))"
    }
}
