import Checks
import Foundation
import PostgresClient
import ReckonCore
import TestSupport
import Testing

/// Each kind passes on a clean hand-made table and fails, naming the rows, on a broken one.
@Suite struct CheckKindTests {
    static let fixture = """
        create schema mart;
        create schema raw;
        create table mart.orders (id int, customer text, status text, amount numeric, day date, tier text, matched boolean, created_at timestamptz);
        insert into mart.orders values
          (1, 'a', 'paid', 10.00, '2026-01-01', 'ad_id', true, now() - interval '1 hour'),
          (2, 'b', 'paid', 20.00, '2026-01-01', 'utm_campaign', true, now() - interval '2 hours'),
          (3, 'c', 'refunded', 5.50, '2026-01-02', null, false, now() - interval '3 hours'),
          (4, 'a', 'paid', 7.25, '2026-01-02', 'ad_id', true, now() - interval '4 hours');
        create table raw.customers (id text primary key);
        insert into raw.customers values ('a'), ('b'), ('c');
        create table raw.payments (order_id int, amount numeric, day date);
        insert into raw.payments values (1, 10.00, '2026-01-01'), (2, 20.00, '2026-01-01'), (3, 5.50, '2026-01-02'), (4, 7.25, '2026-01-02');
        """

    /// A check YAML, a SQL statement that breaks exactly what it audits, and the rows it must name.
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let yaml: String
        let defect: String
        let failingRow: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unique", yaml: "kind: unique\n    table: orders\n    columns: [id]",
            defect: "insert into mart.orders (id, customer) values (2, 'dup')", failingRow: "2"),
        Case(
            name: "unique_multi", yaml: "kind: unique\n    table: orders\n    columns: [customer, day]",
            defect: "update mart.orders set day = '2026-01-01' where id = 4", failingRow: "a"),
        Case(
            name: "not_null", yaml: "kind: not_null\n    table: orders\n    columns: [customer, status]",
            defect: "update mart.orders set status = null where id = 3", failingRow: "3"),
        Case(
            name: "accepted_values", yaml: "kind: accepted_values\n    table: orders\n    column: status\n    values: [paid, refunded]",
            defect: "update mart.orders set status = 'lost' where id = 2", failingRow: "2"),
        Case(
            name: "expression", yaml: "kind: expression\n    table: orders\n    expression: amount > 0\n    where: status = 'paid'",
            defect: "update mart.orders set amount = -1 where id = 4", failingRow: "4"),
        Case(
            name: "expression_null_fails", yaml: "kind: expression\n    table: orders\n    expression: amount > 0",
            defect: "update mart.orders set amount = null where id = 1", failingRow: "1"),
        Case(
            name: "relationship",
            yaml: "kind: relationship\n    table: orders\n    column: customer\n    to: source('funnelfox_sessions')\n    to_column: id",
            defect: "update mart.orders set customer = 'zz' where id = 3", failingRow: "3"),
        Case(
            name: "row_count_match",
            yaml: "kind: row_count_match\n    table: orders\n    to: raw.payments\n    key: id\n    to_key: order_id",
            defect: "delete from mart.orders where id = 3", failingRow: "3"),
        Case(
            name: "sql",
            yaml: "kind: sql\n    sql: select id from {{ ref('orders') }} where amount > 50",
            defect: "update mart.orders set amount = 99 where id = 4", failingRow: "4"),
        Case(
            name: "reconciliation",
            yaml: """
                kind: reconciliation
                    group_by: day
                    left: {table: raw.payments, sum: amount, group: day}
                    right: {table: orders, sum: amount, group: day}
                    tolerance: {absolute: 0.005}
                """,
            defect: "update mart.orders set amount = amount + 0.01 where id = 3", failingRow: "day=2026-01-02"),
        Case(
            name: "match_rate",
            yaml: """
                kind: match_rate
                    table: orders
                    tier_column: tier
                    date_column: day
                    overall: {error_if: "< 0.7"}
                    per_day: {error_if: "< 0.5"}
                """,
            defect: "update mart.orders set tier = null where id = 4", failingRow: "date=2026-01-02"),
        Case(
            name: "freshness",
            yaml: "kind: freshness\n    table: orders\n    column: created_at\n    error_if: \"> 24\"",
            defect: "update mart.orders set created_at = created_at - interval '3 days'", failingRow: ""),
    ]

    func yaml(_ testCase: Case) -> String {
        "checks:\n  - name: \(testCase.name)\n    \(testCase.yaml)\n"
    }

    /// Raw sources resolve through the configuration (`source('funnelfox_sessions')` → raw.customers here).
    var configuration: Configuration {
        var configuration = Configuration()
        configuration.sourceTables["funnelfox_sessions"] = "raw.customers"
        return configuration
    }

    @Test(arguments: cases)
    func passesCleanAndFailsOnItsDefect(_ testCase: Case) async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let clean = try await database.check(yaml(testCase), configuration: configuration)
        #expect(clean[0].status == .pass, "\(clean[0].message) \(clean[0].errorMessage ?? "")")

        try database.run(testCase.defect)
        for fuse in [true, false] {
            let broken = try await database.check(yaml(testCase), fuse: fuse, configuration: configuration)
            let result = broken[0]
            #expect(result.status == .fail, "\(result.message) \(result.errorMessage ?? "")")
            if !testCase.failingRow.isEmpty {
                #expect(result.sampleRows.contains { $0.contains(testCase.failingRow) }, "\(result.sampleColumns) \(result.sampleRows)")
            }
            // The SQL listing all failing rows runs as is and returns the named row.
            // The SQL listing all failing rows runs as is and returns exactly the failing rows
            // (their leading columns; for match_rate and freshness, the failing group).
            let listed = try database.connection.execute(result.sql, name: "failing rows").rows
            let expected = Self.listed[testCase.name] ?? []
            let width = expected.first?.count ?? 0
            let leading = listed.map { Array($0.prefix(width)) }
            switch testCase.name {
            case "match_rate":
                #expect(leading.contains(expected[0]), "\(listed)")
            case "freshness":
                #expect(listed.count == 1 && listed[0][1]?.hasPrefix("3 days") == true, "\(listed)")
            default:
                #expect(leading == expected, "\(listed)")
            }
        }
    }

    /// What each case's failing-row SQL returns after its defect (leading columns).
    static let listed: [String: [[String?]]] = [
        "unique": [["2", "2"]], "unique_multi": [["a", "2026-01-01", "2"]], "not_null": [["3"]],
        "accepted_values": [["2", "b", "lost"]], "expression": [["4", "a", "paid", "-1"]],
        "expression_null_fails": [["1", "a", "paid", nil]], "relationship": [["3", "zz"]],
        "row_count_match": [["3", "0", "1"]], "sql": [["4"]],
        "reconciliation": [["2026-01-02", "12.75", "12.76", "-0.01"]],
        "match_rate": [["2026-01-02", "all tiers", "2", "0", "0.0000"]], "freshness": [],
    ]

    @Test func warnSeverityOnlyWarns() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture + "\nupdate mart.orders set status = null where id = 1;")
        let results = try await database.check(
            "checks:\n  - name: n\n    kind: not_null\n    severity: warn\n    table: orders\n    columns: [status]\n")
        #expect(results[0].status == .warn)
        #expect(results[0].metrics["failing_rows"] == 1)
    }

    @Test func warnIfThresholdWarnsBelowErrorThreshold() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture + "\nupdate mart.orders set status = null where id = 1;")
        let results = try await database.check(
            "checks:\n  - name: n\n    kind: not_null\n    table: orders\n    columns: [status]\n    error_if: \"> 2\"\n    warn_if: \"> 0\"\n"
        )
        #expect(results[0].status == .warn)
    }

    @Test func aMissingColumnErrorsOnlyItsCheckInAFusedScan() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let results = try await database.check(
            """
            checks:
              - {name: good, kind: not_null, table: orders, columns: [id]}
              - {name: bad, kind: not_null, table: orders, columns: [no_such_column]}
              - {name: also_good, kind: unique, table: orders, columns: [id]}
              - {name: missing_table, kind: unique, table: nowhere, columns: [id]}
            """)
        #expect(results["good"]?.status == .pass)
        #expect(results["also_good"]?.status == .pass)
        #expect(results["bad"]?.status == .error)
        #expect(results["bad"]?.errorMessage?.contains("no_such_column") == true)
        #expect(results["bad"]?.errorMessage?.contains("42703") == true)
        #expect(results["missing_table"]?.status == .error)
        #expect(results["missing_table"]?.errorMessage?.contains("42P01") == true)
    }

    @Test func aCheckOverItsTimeOutErrors() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let results = try await database.check(
            """
            checks:
              - {name: slow, kind: sql, timeout_seconds: 1, sql: "select pg_sleep(3)"}
              - {name: fast, kind: not_null, table: orders, columns: [id]}
            """)
        #expect(results["slow"]?.status == .error)
        #expect(results["slow"]?.errorMessage?.contains("timed out") == true)
        #expect(results["fast"]?.status == .pass)
    }

    @Test func namesAndValuesCannotInjectSQL() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(
            Self.fixture + """

                create table mart."odd""; drop table orders; --" ("x""; drop table mart.orders; --" text);
                insert into mart."odd""; drop table orders; --" values ('it''s'), ('; drop table mart.orders; --');
                """)
        let results = try await database.check(
            """
            checks:
              - name: quoted_column
                kind: not_null
                table: 'odd"; drop table orders; --'
                columns: ['x"; drop table mart.orders; --']
              - name: quoted_values
                kind: accepted_values
                table: 'odd"; drop table orders; --'
                column: 'x"; drop table mart.orders; --'
                values: ["it's", "'); drop table mart.orders; --"]
              - name: quoted_unique
                kind: unique
                table: 'odd"; drop table orders; --'
                columns: ['x"; drop table mart.orders; --']
            """)
        #expect(results["quoted_column"]?.status == .pass, "\(results)")
        #expect(results["quoted_unique"]?.status == .pass)
        // The value with a quote is accepted; the other row is outside the list and named.
        #expect(results["quoted_values"]?.status == .fail)
        #expect(results["quoted_values"]?.sampleRows == [["; drop table mart.orders; --"]])
        let count = try database.connection.execute("select count(*) from mart.orders", name: "still there").scalar(as: Int.self)
        #expect(count == 4)
    }

    @Test func aTierThatNeverOccursIsACheckErrorNamingThePresentTiers() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let results = try await database.check(
            """
            checks:
              - name: rate
                kind: match_rate
                table: orders
                tier_column: tier
                overall: {error_if: "< 0.5"}
                tiers: {ad_idd: {error_if: "< 0.1"}, ad_id: {error_if: "< 0.1"}}
            """)
        let result = try #require(results["rate"])
        // A misspelled tier is a mistake in the check, not a "0.0%" data failure.
        #expect(result.status == .error)
        #expect(result.errorMessage?.contains("tier 'ad_idd' named in 'tiers' never occurs in tier of mart.orders") == true)
        #expect(result.errorMessage?.contains("tiers present: ad_id, utm_campaign") == true, "\(result.message)")
        #expect(!result.message.contains("0.0%"))
    }

    @Test func groupKeysKeepNullApartFromAValueSpelledLikeIt() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(
            Self.fixture + """

                insert into mart.orders (id, tier, day, matched) values (5, '(null)', '2026-01-03', false), (6, 'all', '2026-01-03', true);
                """)
        let results = try await database.check(
            """
            checks:
              - name: rate
                kind: match_rate
                table: orders
                matched: matched
                tier_column: tier
                date_column: day
                overall: {error_if: "< 0.1"}
              - name: by_tier
                kind: reconciliation
                group_by: tier
                left: {table: orders, count: "*", group: tier}
                right: {table: orders, count: "*", group: tier}
            """)
        let rate = try #require(results["rate"])
        let tiers = rate.groups.filter { $0.key.hasPrefix("tier=") }
        // Six rows: ad_id ×2, utm_campaign, NULL, a tier spelled "(null)" and one spelled "all".
        #expect(tiers.map(\.key) == ["tier=(none)", "tier=(null)", "tier=ad_id", "tier=all", "tier=utm_campaign"])
        #expect(tiers.map { $0.values["matched"] ?? -1 } == [1, 1, 2, 1, 1])
        // Three days, each with its rate and the share of every tier that has a value (4 × 3, 0 where absent).
        #expect(rate.groups.filter { $0.key.hasPrefix("date=") && !$0.key.contains(" tier=") }.count == 3)
        #expect(rate.groups.filter { $0.key.hasPrefix("date=") && $0.key.contains(" tier=") }.count == 12)
        #expect(rate.groups.contains { $0.key == "date=2026-01-03 tier=all" && $0.values["matched"] == 1 })
        let byTier = try #require(results["by_tier"])
        #expect(byTier.status == .pass)
        #expect(byTier.metrics["groups"] == 5)
    }

    @Test func aDifferenceUnderHalfACentReadsZeroNotMinusZero() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture + "\nupdate raw.payments set amount = 10.004 where order_id = 1;")
        let results = try await database.check(
            """
            checks:
              - name: cents
                kind: reconciliation
                left: {table: orders, sum: amount}
                right: {table: raw.payments, sum: amount}
                tolerance: {absolute: 0.005}
            """)
        let result = try #require(results["cents"])
        #expect(result.status == .pass)
        #expect(result.observed == "difference 0.00", "\(result.observed)")
        #expect(!result.message.contains("-0.00"), "\(result.message)")
        #expect(counted(1, "check") == "1 check" && counted(2, "warning") == "2 warnings")
    }

    @Test func fusedChecksOnOneTableCostOneScan() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let yaml = """
            checks:
              - {name: a, kind: not_null, table: orders, columns: [id]}
              - {name: b, kind: unique, table: orders, columns: [id]}
              - {name: c, kind: accepted_values, table: orders, column: status, values: [paid, refunded]}
              - {name: d, kind: expression, table: orders, expression: amount > 0}
              - name: e
                kind: match_rate
                table: orders
                tier_column: tier
                date_column: day
                overall: {error_if: "< 0.5"}
            """
        func scans() throws -> Int {
            try TableStatistics.sequentialScans(database.connection, schema: "mart", table: "orders")
        }
        let before = try scans()
        let fused = try await database.check(yaml)
        let afterFused = try scans()
        _ = try await database.check(yaml, fuse: false)
        let afterUnfused = try scans()
        #expect(fused.allSatisfy { $0.status == .pass })
        #expect(afterFused - before == 1)
        #expect(afterUnfused - afterFused == 5)
    }
}
