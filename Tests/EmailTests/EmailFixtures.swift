import Checks
import Foundation

/// Hand-made results the email tests render and send.
enum EmailFixtures {
    /// 2026-11-24T06:00:00Z.
    static let startedAt = Date(timeIntervalSince1970: 1_795_500_000)

    /// A campaign name that tries to add a header.
    static let injectingCampaign = "Black Friday\r\nBcc: thief@evil.example\r\n\r\n<script>alert(1)</script>"

    /// Twelve long ad ids as PostgreSQL writes a bigint[].
    static let adIDs = "{" + (0..<12).map { "1202100099000\(95_799 + $0 * 37)" }.joined(separator: ",") + "}"

    /// One failing row-condition check with realistic wide sample rows.
    static func failingCheck(_ number: Int, campaign: String = "retargeting_nov") -> CheckResult {
        let columns = [
            "session_id", "session_date", "utm_source", "utm_campaign", "ad_ids", "facebook_ad_id", "facebook_match_tier",
            "revenue_usd", "converted", "total_events",
        ]
        let rows: [[String?]] = (0..<10).map { row in
            [
                "s-\(number)-\(row)", "2026-11-2\(row % 4)", "facebook", campaign + String(repeating: " very long campaign name", count: 4),
                adIDs, nil, "ad_id", "\(row * 10).50", "true", "\(row + 3)",
            ]
        }
        return CheckResult(
            name: "matched_ad_exists_in_facebook_ads_\(number)", kind: "relationship", file: "checks/mart_marketing_attribution.yml",
            line: 81 + number, severity: .error, status: .fail,
            description: "Every matched session points to an ad that exists in facebook_ads.", tags: ["facebook"],
            table: "analytics__staging.mart_marketing_attribution", observed: "\(1_234 + number) failing rows",
            expected: "error if > 0", message: "\(1_234 + number) sessions point to a missing ad",
            metrics: ["failing_rows": Double(1_234 + number)], sampleColumns: columns, sampleRows: rows,
            sql:
                "select t.* from \"analytics__staging\".\"mart_marketing_attribution\" as t where t.\"facebook_ad_id\" is not null"
                + " and t.\"facebook_ad_id\" not in (select \"facebook_ad_id\" from \"analytics__staging\".\"facebook_ads\")")
    }

    static func warningCheck() -> CheckResult {
        CheckResult(
            name: "spend_on_unknown_ads", kind: "sql", file: "checks/spend.yml", line: 29, severity: .warn, status: .warn,
            description: "Spend on ads missing from facebook_ads, per day.", observed: "90 failing rows", expected: "error if > 0",
            sampleColumns: ["date", "statistics_rows", "spend", "ad_ids"],
            sampleRows: [["2026-08-03", "57", "2.01", adIDs], ["2026-08-04", "57", "2.04", adIDs]],
            sql:
                "select date, count(*) as statistics_rows, sum(spend) as spend, array_agg(ad_id) as ad_ids from raw.facebook_ad_statistics group by 1"
        )
    }

    static func matchRateCheck() -> CheckResult {
        var groups: [GroupResult] = []
        for day in 1...20 {
            let date = String(format: "2026-11-%02d", day)
            groups.append(
                GroupResult(key: "date=\(date)", status: .pass, observed: "", expected: "", values: ["rate": 0.8 + Double(day % 5) / 100]))
            groups.append(
                GroupResult(
                    key: "date=\(date) tier=ad_id", status: day == 20 ? .fail : .pass, observed: "", expected: "",
                    values: ["rate": day == 20 ? 0.41 : 0.6 + Double(day % 3) / 100, "threshold": 0.5]))
        }
        return CheckResult(
            name: "facebook_match_rate", kind: "match_rate", file: "checks/mart_marketing_attribution.yml", line: 25, severity: .error,
            status: .fail, description: "Share of Facebook sessions matched to an ad.", observed: "81.2% overall",
            expected: "≥ 50% per day for ad_id",
            groups: groups, sql: "select … group by grouping sets (…)")
    }

    static func passingCheck(_ number: Int) -> CheckResult {
        CheckResult(
            name: "passing_check_\(number)", kind: "not_null", file: "checks/x.yml", line: number, severity: .error, status: .pass,
            observed: "0 failing rows", expected: "error if > 0")
    }

    /// A run with `failing` failing checks, a match rate, a warning and some passes.
    static func run(failing: Int, campaign: String = "retargeting_nov") -> RunResult {
        RunResult(
            reckonVersion: "0.1.0", command: "run", startedAt: startedAt, durationSeconds: 12.5,
            database: "host=db.internal port=5432 user=reckon password=*** dbname=analytics", checkedSchema: "analytics__staging",
            published: false,
            checks: [passingCheck(1), warningCheck()] + (0..<failing).map { failingCheck($0, campaign: campaign) } + [matchRateCheck()]
                + (2...8).map(passingCheck))
    }

    /// The result `reckon run` writes when the database is unreachable.
    static let unreachable = RunResult(
        reckonVersion: "0.1.0", command: "run", startedAt: startedAt, durationSeconds: 2.0,
        database: "postgresql://reckon:***@db.internal:5432/analytics", checkedSchema: "analytics__staging", published: false,
        checks: [], errorMessage: "cannot connect to PostgreSQL at host db.internal port 5432: Connection refused")
}
