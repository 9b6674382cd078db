import Foundation
import PostgresClient
import ReckonCore

/// How the configured sources are laid out on a Citus coordinator, for `reckon doctor`.
///
/// reckon's per-session models are distributed by `session_id` and co-located with the
/// sessions source, so the layout that keeps the build on the workers is: the sessions
/// source distributed by its `id`, the events distributed (by `uuid`), and the small
/// dimension tables (Facebook, Stripe, funnels, subscriptions) as reference tables. A large
/// source left as a local table is read through the coordinator by every statement.
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

        /// `funnelfox_sessions (raw.funnelfox_sessions): distributed by id, 32 shards, 12 MB`.
        public var description: String {
            let size = Self.formatBytes(bytes)
            switch layout {
            case "distributed":
                return "\(logicalName) (\(realName)): distributed by \(distributionColumn ?? "?"), \(shardCount ?? 0) shards, \(size)"
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
        let result = try connection.execute(
            """
            select s.logical_name, s.display_name,
                   case when c.relkind in ('v', 'm') then 'view'
                        when ct.citus_table_type in ('distributed', 'reference') then ct.citus_table_type::text
                        else 'local' end,
                   ct.distribution_column::text, ct.shard_count,
                   case when ct.table_name is not null then citus_total_relation_size(c.oid)
                        else pg_total_relation_size(c.oid) end
            from unnest($1::text[], $2::text[], $3::text[]) with ordinality as s(logical_name, real_name, display_name, position)
            join pg_class c on c.oid = to_regclass(s.real_name)
            left join citus_tables ct on ct.table_name = c.oid
            order by s.position
            """, name: "citus source layout",
            [SourceContract.arrayLiteral(names), SourceContract.arrayLiteral(real), SourceContract.arrayLiteral(display)])
        let sources = result.rows.map { row in
            Source(
                logicalName: row[0] ?? "", realName: row[1] ?? "",
                layout: row[2] ?? "local", distributionColumn: row[3].flatMap { $0 == "<none>" ? nil : $0 },
                shardCount: row[4].flatMap { Int($0) }, bytes: row[5].flatMap { Int64($0) } ?? 0)
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
                        + "every build reads it through the coordinator; distribute it (events: by uuid) or make it a reference table")
            }
        }
        return CitusSourceLayout(sources: sources, warnings: warnings)
    }
}
