import Foundation
import PostgresClient
import ReckonCore
import Testing

@testable import Checks

/// The `anomaly` kind: quiet on steady days, fails on an injected drop naming the day most
/// off first, the same fused or not, and its failing-row SQL lists the anomalous days.
@Suite struct AnomalyCheckTests {
    /// 30 days × 100 rows; the `ad_id` share moves between 58 % and 62 %, revenue by day.
    static let fixture = """
        create schema mart;
        create table mart.sessions as
        select d::date as day, i,
               case when i <= 58 + extract(day from d)::int % 5 then 'ad_id'
                    when i <= 80 then 'utm_campaign' end as tier,
               (i % 7 + extract(day from d)::int % 3)::numeric as revenue
        from generate_series('2026-01-01'::date, '2026-01-30'::date, interval '1 day') as d, generate_series(1, 100) as i;
        """

    static let shareCheck = """
        checks:
          - name: tier_share_anomaly
            kind: anomaly
            table: sessions
            date_column: day
            group_by: tier
            baseline_days: 14
            min_rows: 10
            error_if: {relative_change: "< -0.3", z_score: "< -3"}
        """

    static let revenueCheck = """
        checks:
          - name: revenue_anomaly
            kind: anomaly
            table: sessions
            metric: sum(revenue)
            date_column: day
            baseline_days: 7
            min_rows: 10
            error_if: {relative_change: "< -0.5", z_score: "< -3"}
            warn_if: {relative_change: "< -0.35"}
        """

    @Test func aTierShareDropFailsOnItsDayMostOffFirst() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let clean = try await database.check(Self.shareCheck)
        #expect(clean[0].status == .pass, "\(clean[0].message) \(clean[0].errorMessage ?? "")")
        // Days from 2026-01-08 on have 7+ baseline days: 23 days × 3 groups (ad_id, utm_campaign, none).
        #expect(clean[0].metrics["judged_days"] == 69, "\(clean[0].message)")

        // Half of the day's ad_id rows lose their tier on 2026-01-27.
        try database.run("update mart.sessions set tier = null where day = '2026-01-27' and tier = 'ad_id' and i % 2 = 0")
        for fuse in [true, false] {
            let result = try await database.check(Self.shareCheck, fuse: fuse)[0]
            #expect(result.status == .fail, "\(result.message) \(result.errorMessage ?? "")")
            #expect(result.groups.first?.key == "date=2026-01-27 tier=ad_id", "\(result.groups.prefix(3).map(\.key))")
            #expect(result.groups.filter { $0.status == .fail }.map(\.key) == ["date=2026-01-27 tier=ad_id"])
            let share = result.groups.first?.values["share"] ?? 0
            #expect(abs(share - 0.30) < 0.011, "\(share)")
            #expect((result.groups.first?.values["relative_change"] ?? 0) < -0.4)
            #expect(result.sampleRows.first?.first == "date=2026-01-27 tier=ad_id")
            // The failing-row SQL lists the same day, with its baseline and z-score.
            let listed = try database.connection.execute(result.sql, name: "failing rows")
            #expect(listed.rows.count == 1, "\(listed.rows)")
            #expect(listed.rows.first?[0] == "2026-01-27" && listed.rows.first?[1] == "ad_id", "\(listed.rows)")
            for column in ["baseline_mean", "baseline_stddev", "z_score", "relative_change"] {
                #expect(listed.columnIndex(column) != nil, "\(listed.columnNames)")
            }
            if let index = listed.columnIndex("z_score"), let z = listed.rows.first?[index].flatMap(Double.init) {
                #expect(abs(z - (result.groups.first?.values["z_score"] ?? 0)) < 0.001)
            }
        }
    }

    @Test func aRevenueDropFailsAndAWindowLeavesOlderDaysOut() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        let clean = try await database.check(Self.revenueCheck)
        #expect(clean[0].status == .pass, "\(clean[0].message) \(clean[0].errorMessage ?? "")")
        try database.run("delete from mart.sessions where day = '2026-01-25' and i > 15")
        let result = try await database.check(Self.revenueCheck)[0]
        #expect(result.status == .fail, "\(result.message)")
        #expect(result.groups.first?.key == "date=2026-01-25")
        // The day after keeps the dropped day in its baseline but is itself normal.
        #expect(result.groups.filter { $0.status != .pass }.map(\.key) == ["date=2026-01-25"])
        let listed = try database.connection.execute(result.sql, name: "failing rows").rows
        #expect(listed.map { $0[0] } == ["2026-01-25"], "\(listed)")

        let windowed = try await database.check(
            Self.revenueCheck.replacingOccurrences(of: "min_rows: 10", with: "min_rows: 10\n    window_days: 3"))
        #expect(windowed[0].status == .pass, "\(windowed[0].message)")
        #expect(windowed[0].metrics["judged_days"] == 3)
        let windowedRows = try database.connection.execute(windowed[0].sql, name: "failing rows").rows
        #expect(windowedRows.isEmpty)

        // Days under min_rows are neither judged nor part of a baseline.
        let strict = try await database.check(Self.revenueCheck.replacingOccurrences(of: "min_rows: 10", with: "min_rows: 50"))
        #expect(strict[0].status == .pass, "\(strict[0].message)")
        #expect(!strict[0].groups.contains { $0.key == "date=2026-01-25" })
    }

    @Test func aGroupedMetricIsJudgedPerGroup() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        try database.run("update mart.sessions set revenue = 0 where day = '2026-01-29' and tier = 'utm_campaign'")
        let yaml = Self.revenueCheck.replacingOccurrences(of: "metric: sum(revenue)", with: "metric: avg(revenue)\n    group_by: tier")
        for fuse in [true, false] {
            let result = try await database.check(yaml, fuse: fuse)[0]
            #expect(result.status == .fail, "\(result.message) \(result.errorMessage ?? "")")
            #expect(result.groups.filter { $0.status == .fail }.map(\.key) == ["date=2026-01-29 tier=utm_campaign"])
        }
    }

    @Test func anExpressionGroupIsCalledGroup() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        try database.run("update mart.sessions set tier = null where day = '2026-01-27' and tier = 'ad_id' and i % 2 = 0")
        let yaml = Self.shareCheck.replacingOccurrences(of: "group_by: tier", with: "group_by: coalesce(tier, 'unmatched')")
        let result = try await database.check(yaml)[0]
        #expect(result.status == .fail, "\(result.message) \(result.errorMessage ?? "")")
        #expect(result.groups.first?.key == "date=2026-01-27 group=ad_id")
        let listed = try database.connection.execute(result.sql, name: "failing rows")
        #expect(listed.columnNames.prefix(2) == ["day", "group"], "\(listed.columnNames)")
        #expect(listed.rows.first?[1] == "ad_id")
    }

    /// Metrics of plain aggregates are computed over row-level projections (the scan does not
    /// carry the row); any other metric runs over the whole row, with the same figures.
    @Test func liftedAndRowMetricsAgree() async throws {
        #expect(MetricLifting.lift("coalesce(sum(revenue_usd), 0)", prefix: "c1_a")?.metric == "coalesce(sum(c1_a0), 0)")
        #expect(MetricLifting.lift("avg((tier is not null)::int)", prefix: "a")?.arguments.map(\.sql) == ["(tier is not null)::int"])
        #expect(MetricLifting.lift("sum(x) / nullif(count(*), 0)", prefix: "a")?.metric == "sum(a0) / nullif(count(*), 0)")
        #expect(MetricLifting.lift("sum(coalesce(x, 0))::numeric", prefix: "a")?.arguments.map(\.sql) == ["coalesce(x, 0)"])
        for unliftable in [
            "count(distinct id)", "sum(x) filter (where y)", "max(x) - min_value", "percentile_cont(0.5) within group (order by x)",
            "max(\"Revenue\") - 1 + \"Other\"", "sum(sum(x))", "x", "sum(x) over ()",
        ] {
            #expect(MetricLifting.lift(unliftable, prefix: "a") == nil, "\(unliftable)")
        }
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(Self.fixture)
        try database.run("delete from mart.sessions where day = '2026-01-25' and i > 15")
        let lifted = try await database.check(Self.revenueCheck)[0]
        // A `filter` clause is not lifted: that metric runs over the row.
        let overRow = try await database.check(
            Self.revenueCheck.replacingOccurrences(of: "metric: sum(revenue)", with: "metric: sum(revenue) filter (where true)"))[0]
        #expect(lifted.status == .fail && overRow.status == .fail, "\(lifted.message) \(overRow.message)")
        #expect(lifted.groups.map(\.key) == overRow.groups.map(\.key))
        #expect(lifted.groups.map { $0.values["value"] } == overRow.groups.map { $0.values["value"] })
    }

    func parseError(_ yaml: String) -> String? {
        do {
            _ = try CheckFileParser.parse(yaml, file: "checks/x.yml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func mistakesAreLocated() {
        let base = """
            checks:
              - name: a
                kind: anomaly
                table: t
                metric: sum(x)
                date_column: day
                error_if: {relative_change: "< -0.3", z_score: "< -3"}
            """
        #expect(parseError(base) == nil)
        let cases: [(String, String, String)] = [
            ("    date_column: day\n", "", "checks/x.yml:2:5: check 'a' needs 'date_column'"),
            ("    metric: sum(x)\n", "", "needs 'metric'"),
            (
                "{relative_change: \"< -0.3\", z_score: \"< -3\"}", "\"< -3\"",
                "checks/x.yml:7:15: 'error_if' of check 'a' must be a mapping"
            ),
            ("z_score: \"< -3\"", "z: \"< -3\"", "checks/x.yml:7:43: unknown key 'z'"),
            ("z_score: \"< -3\"", "z_score: \"-3\"", "checks/x.yml:7:52: 'z_score' of 'error_if' of check 'a' must be a condition"),
            (
                "    date_column: day\n", "    date_column: day\n    baseline_days: 1\n",
                "checks/x.yml:7:20: 'baseline_days' of check 'a' must be between 2 and 366"
            ),
            (
                "    date_column: day\n", "    date_column: day\n    min_rows: -1\n",
                "checks/x.yml:7:15: 'min_rows' of check 'a' must be between 0"
            ),
            (
                "    date_column: day\n", "    date_column: day\n    window_days: 0\n",
                "checks/x.yml:7:18: 'window_days' of check 'a' must be between 1"
            ),
            ("error_if: {relative_change: \"< -0.3\", z_score: \"< -3\"}", "warn_if: {}", "needs 'relative_change' or 'z_score'"),
            ("error_if", "warn_iff", "unknown key 'warn_iff'"),
        ]
        for (old, new, expected) in cases {
            let yaml = base.replacingOccurrences(of: old, with: new)
            let error = parseError(yaml) ?? "no error"
            #expect(error.contains(expected), "\(expected) → \(error)")
        }
    }
}
