import Foundation
import PostgresClient

/// The columns every raw source must have (listed in docs/sources.md), and the check that they do.
public enum SourceContract {
    /// Contract columns per logical source name.
    public static let columns: [String: [String]] = [
        "facebook_campaigns": ["facebook_campaign_id", "campaign_name", "objective", "status", "account_id", "created_time"],
        "facebook_adsets": ["facebook_adset_id", "facebook_campaign_id", "adset_name", "status", "created_time"],
        "facebook_ads": ["facebook_ad_id", "facebook_adset_id", "facebook_campaign_id", "ad_name", "status", "created_time"],
        "facebook_ad_statistics": [
            "date", "facebook_ad_id", "facebook_adset_id", "facebook_campaign_id", "campaign_name", "adset_name",
            "ad_name", "spend", "impressions", "clicks", "account_currency",
        ],
        "funnelfox_funnels": ["id", "title", "type", "environment", "version"],
        "funnelfox_sessions": [
            "id", "profile_id", "funnel_id", "funnel_version", "origin", "user_agent", "ip", "country", "city", "created_at",
        ],
        "funnelfox_subscriptions": ["id", "session_id", "profile_id", "psp_id", "payment_provider", "status", "sandbox", "created_at"],
        "amplitude_events": [
            "uuid", "event_type", "event_time", "user_id", "device_id", "platform", "os_name", "os_version", "country",
            "city", "event_properties",
        ],
        "stripe_subscriptions": ["id", "customer_id", "status", "billing_interval", "interval_count", "currency", "created_at"],
        "stripe_payments": [
            "id", "subscription_id", "customer_id", "amount", "currency", "status", "balance_transaction_id", "created_at",
        ],
        "stripe_refunds": ["id", "payment_id", "amount", "currency", "status", "balance_transaction_id", "created_at"],
        "stripe_balance_transactions": [
            "id", "source_id", "type", "amount", "fee", "net", "currency", "exchange_rate", "created_at",
        ],
    ]

    /// One thing missing from the configured sources.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The logical source name.
        public let logicalName: String
        /// The real `schema.table` it maps to.
        public let realName: String
        /// The missing column, or nil when the whole table is missing.
        public let column: String?
        /// The reckon.yml setting that names the column, when the contract does not.
        public var setting: String? = nil
        /// The column's type, when it exists but is not the `text` the setting needs.
        public var wrongType: String? = nil

        /// `source funnelfox_sessions (raw.funnelfox_sessions): missing column origin`.
        public var description: String {
            guard let column else { return "source \(logicalName) (\(realName)): table or view not found" }
            let named = setting.map { " (named by \($0))" } ?? ""
            if let wrongType {
                return "source \(logicalName) (\(realName)): column \(column)\(named) is \(wrongType); it must be text, as session ids are"
            }
            return "source \(logicalName) (\(realName)): missing column \(column)\(named)"
        }
    }

    /// The columns a configuration adds to the contract: `sources.event_session_column`.
    static func configuredColumns(_ configuration: Configuration) -> [(source: String, column: String, setting: String)] {
        guard let column = configuration.eventSessionColumn else { return [] }
        return [("amplitude_events", column, "sources.event_session_column")]
    }

    /// Lists every missing table and column in one query.
    public static func problems(configuration: Configuration, connection: Connection) throws -> [Problem] {
        let configured = configuredColumns(configuration)
        var expected: [(String, String, String, String)] = []
        for name in Configuration.logicalSources {
            let (schema, table) = configuration.sourceTable(name)
            for column in columns[name] ?? [] { expected.append((name, schema, table, column)) }
            for extra in configured where extra.source == name {
                expected.append((name, schema, table, extra.column))
            }
        }
        let result = try connection.execute(
            """
            with expected(logical_name, schema_name, table_name, column_name) as (
              select * from unnest($1::text[], $2::text[], $3::text[], $4::text[]))
            select e.logical_name, e.schema_name, e.table_name, e.column_name,
                   (c.oid is not null) as table_exists, format_type(a.atttypid, a.atttypmod)
            from expected e
            left join pg_namespace n on n.nspname = e.schema_name
            left join pg_class c on c.relnamespace = n.oid and c.relname = e.table_name
                 and c.relkind in ('r', 'v', 'm', 'f', 'p')
            left join pg_attribute a on a.attrelid = c.oid and a.attname = e.column_name
                 and a.attnum > 0 and not a.attisdropped
            where a.attname is null or (e.logical_name, e.column_name) in (
              select * from unnest($5::text[], $6::text[]))
            order by e.logical_name, e.column_name
            """, name: "source contract",
            [
                arrayLiteral(expected.map(\.0)), arrayLiteral(expected.map(\.1)), arrayLiteral(expected.map(\.2)),
                arrayLiteral(expected.map(\.3)), arrayLiteral(configured.map(\.source)),
                arrayLiteral(configured.map(\.column)),
            ])
        var problems: [Problem] = []
        var missingTables = Set<String>()
        for row in result.rows {
            let logical = row[0] ?? ""
            let realName = "\(row[1] ?? "").\(row[2] ?? "")"
            let setting = configured.first { $0.source == logical && $0.column == row[3] }?.setting
            if let type = row[5] {
                // A configured column that exists: its type must be text.
                guard type != "text" else { continue }
                problems.append(Problem(logicalName: logical, realName: realName, column: row[3], setting: setting, wrongType: type))
            } else if row[4] == "t" {
                problems.append(Problem(logicalName: logical, realName: realName, column: row[3], setting: setting))
            } else if missingTables.insert(logical).inserted {
                problems.append(Problem(logicalName: logical, realName: realName, column: nil))
            }
        }
        return problems
    }

    /// A PostgreSQL array literal of text values, bound as one parameter.
    public static func arrayLiteral(_ values: [String]) -> String {
        "{"
            + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

/// Raised when sources are missing tables or columns; lists every problem at once.
public struct SourceContractError: Error, CustomStringConvertible, Sendable {
    /// Everything missing.
    public let problems: [SourceContract.Problem]
    /// Creates the error.
    public init(problems: [SourceContract.Problem]) { self.problems = problems }
    /// A header line and one line per problem.
    public var description: String {
        "the configured sources do not match the contract (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
