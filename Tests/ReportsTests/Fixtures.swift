import Checks
import Foundation

/// Hand-made results the reporter tests render.
enum Fixtures {
    /// 2026-11-25T09:30:00Z.
    static let startedAt = Date(timeIntervalSince1970: 1_795_599_000)
    static let generatedAt = Date(timeIntervalSince1970: 1_795_599_100)
    static let version = "0.1.0-test"

    /// A campaign name no report may break on: markup, quotes, ampersand, emoji, a NUL, an
    /// escape, a bell, a vertical tab and a DEL.
    static let hostileName = "Black Friday <script>alert(\"x\")</script> & 'co' 🚀 \u{0}\u{1B}[31m\u{7}\u{0B}\u{7F}"

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
    static let schemaPath = resources.appendingPathComponent("junit-10.xsd").path

    /// A run with one check of each outcome, grouped match-rate and reconciliation checks and
    /// hostile text everywhere.
    static var failingRun: RunResult {
        RunResult(
            reckonVersion: version, command: "run", startedAt: startedAt, durationSeconds: 3.2514,
            database: "postgresql://reckon:***@localhost:5433/marketing", checkedSchema: "reckon_staging",
            modelsCommit: "4882458c0ffee", published: false,
            checks: [
                CheckResult(
                    name: "mart_sessions_session_id_unique", kind: "unique", file: "checks/mart_sessions.yml", line: 3,
                    severity: .error, status: .pass, tags: ["integrity"], table: "reckon_staging.mart_sessions",
                    observed: "0 duplicate rows", expected: "0", message: "session_id is unique",
                    metrics: ["failing_rows": 0],
                    sql: "SELECT session_id, count(*) FROM reckon_staging.mart_sessions GROUP BY 1 HAVING count(*) > 1",
                    durationSeconds: 0.412),
                CheckResult(
                    name: "facebook_match_rate_by_tier", kind: "match_rate", file: "checks/mart_sessions.yml", line: 21,
                    severity: .error, status: .fail, description: "Share of Facebook sessions matched to an ad, per fallback tier.",
                    tags: ["attribution", "facebook"], owner: "growth-data", table: "reckon_staging.mart_sessions",
                    observed: "81.2% overall", expected: "≥ 90% overall; ad_id ≥ 95%",
                    message: "tier ad_id matched 71.0% of 12,400 sessions, below 95%",
                    metrics: ["matched": 30_088, "total": 37_054, "rate": 0.812],
                    groups: [
                        GroupResult(
                            key: "tier=ad_id", status: .fail, observed: "71.0%", expected: "≥ 95%",
                            values: ["matched": 8_804, "total": 12_400, "rate": 0.71, "threshold": 0.95]),
                        GroupResult(
                            key: "tier=utm_content", status: .pass, observed: "88.3%", expected: "≥ 80%",
                            values: ["matched": 12_098, "total": 13_701, "rate": 0.883, "threshold": 0.8]),
                        GroupResult(
                            key: "tier=utm_campaign", status: .warn, observed: "64.2%", expected: "≥ 60% (warn < 70%)",
                            values: ["matched": 7_030, "total": 10_953, "rate": 0.642, "threshold": 0.6]),
                        GroupResult(
                            key: "tier=\(hostileName)", status: .pass, observed: "100%", expected: "≥ 0%",
                            values: ["matched": 3, "total": 3, "rate": 1.0]),
                    ],
                    sampleColumns: ["session_id", "utm_campaign", "ad_id", "tier"],
                    sampleRows: [
                        ["s-000193", hostileName, nil, "ad_id"],
                        ["s-000207", "retargeting_nov & more", "23851234", "ad_id"],
                    ],
                    sql:
                        "SELECT session_id, utm_campaign, ad_id, tier\nFROM reckon_staging.mart_sessions\nWHERE channel = 'facebook' AND fb_ad_id IS NULL AND tier = 'ad_id'",
                    durationSeconds: 1.204),
                CheckResult(
                    name: "revenue_reconciles_with_stripe", kind: "reconciliation", file: "checks/revenue.yml", line: 4,
                    severity: .error, status: .fail, tags: ["revenue"], table: "reckon_staging.mart_sessions",
                    observed: "difference 12.40 USD on 2026-11-02", expected: "|difference| ≤ 0.01 USD per day",
                    message: "1 of 3 days does not reconcile: Stripe net settled ≠ attributed + unattributed",
                    metrics: ["left": 30_512.9, "right": 30_500.5, "attributed": 28_100.5, "unattributed": 2_400, "difference": 12.4],
                    groups: [
                        GroupResult(
                            key: "date=2026-11-01", status: .pass, observed: "0.00", expected: "≤ 0.01",
                            values: ["left": 10_000, "right": 10_000, "attributed": 9_200, "unattributed": 800, "difference": 0]),
                        GroupResult(
                            key: "date=2026-11-02", status: .fail, observed: "12.40", expected: "≤ 0.01",
                            values: ["left": 10_212.4, "right": 10_200, "attributed": 9_400, "unattributed": 800, "difference": 12.4]),
                        GroupResult(
                            key: "date=2026-11-03", status: .pass, observed: "0.00", expected: "≤ 0.01",
                            values: ["left": 10_300.5, "right": 10_300.5, "attributed": 9_500.5, "unattributed": 800, "difference": 0]),
                    ],
                    sampleColumns: ["charge_id", "amount_usd", "created"],
                    sampleRows: [["ch_3Nx", "12.40", "2026-11-02 23:59:58+00"]],
                    sql: "WITH stripe AS (SELECT … ) SELECT * FROM stripe FULL JOIN mart USING (day) WHERE abs(difference) > 0.01",
                    durationSeconds: 0.877),
                CheckResult(
                    name: "unattributed_revenue_share", kind: "expression", file: "checks/revenue.yml", line: 30,
                    severity: .warn, status: .warn, observed: "7.9%", expected: "< 5% (warn)",
                    message: "7.9% of Stripe revenue is not claimed by any session", metrics: ["unattributed_share": 0.079],
                    sql: "SELECT 1", durationSeconds: 0.051),
                CheckResult(
                    name: "spend_matches_facebook_statistics", kind: "reconciliation", file: "checks/spend.yml", line: 2,
                    severity: .error, status: .error, table: "reckon_staging.mart_campaign_daily",
                    message: "the check's SQL failed",
                    sql: "SELECT sum(spend) FROM reckon_staging.mart_campaign_daily", durationSeconds: 0.003,
                    errorMessage: "ERROR: column \"spend\" does not exist (SQLSTATE 42703)"),
                CheckResult(
                    name: hostileName, kind: "accepted_values", file: "checks/spend.yml", line: 40, severity: .error,
                    status: .fail, description: "Value with \(hostileName)", tags: [hostileName], owner: hostileName,
                    observed: "1 row with \(hostileName)", expected: "one of 'a', \"b\"", message: hostileName,
                    metrics: [hostileName: 1],
                    sampleColumns: [hostileName], sampleRows: [[hostileName]], sql: "SELECT '\(hostileName)'",
                    durationSeconds: 0.02),
            ])
    }

    /// A run whose match rate has 35 days of per-day groups (the day's rate and each tier's
    /// share, with thresholds), `ad_id` failing on two days and the day rate warning on one.
    static var trendRun: RunResult {
        var run = failingRun
        var groups: [GroupResult] = [
            GroupResult(
                key: "overall", status: .pass, observed: "", expected: "error if < 0.6",
                values: ["matched": 700, "total": 1_000, "rate": 0.7, "threshold": 0.6, "warn_threshold": 0.75])
        ]
        for day in 1...35 {
            let date = String(format: "2026-%02d-%02d", day <= 30 ? 9 : 10, day <= 30 ? day : day - 30)
            let failed = day == 28 || day == 33
            let adId = failed ? 0.12 : 0.5 + Double(day % 4) / 50
            let rate = day == 33 ? 0.55 : 0.72 + Double(day % 3) / 100
            groups.append(
                GroupResult(
                    key: "date=\(date)", status: day == 33 ? .warn : .pass, observed: "", expected: "warn if < 0.6",
                    values: ["matched": rate * 100, "total": 100, "rate": rate, "threshold": 0.4, "warn_threshold": 0.6]))
            groups.append(
                GroupResult(
                    key: "date=\(date) tier=ad_id", status: failed ? .fail : .pass, observed: "", expected: "error if < 0.15",
                    values: ["matched": adId * 100, "total": 100, "rate": adId, "threshold": 0.15]))
            groups.append(
                GroupResult(
                    key: "date=\(date) tier=utm_campaign", status: .pass, observed: "", expected: "reported only",
                    values: ["matched": 20, "total": 100, "rate": 0.2]))
        }
        run.checks = [
            CheckResult(
                name: "facebook_match_rate", kind: "match_rate", file: "checks/mart.yml", line: 25, severity: .error,
                status: .fail, table: "reckon_staging.mart_marketing_attribution", observed: "70.0%",
                expected: "error if < 0.6", message: "outside thresholds: date=2026-09-28 tier=ad_id 12.0%",
                metrics: ["matched": 700, "total": 1_000, "rate": 0.7], groups: groups, sql: "select 1",
                durationSeconds: 0.5)
        ]
        return run
    }

    /// Every check passes.
    static var passingRun: RunResult {
        var run = failingRun
        run.published = true
        run.checks = run.checks.map { check in
            var check = check
            check.status = .pass
            check.errorMessage = nil
            check.sampleRows = []
            check.groups = check.groups.map { group in
                var group = group
                group.status = .pass
                return group
            }
            return check
        }
        return run
    }

    /// `count` failing checks with `sampleRows` sample rows each, over ten files, half of them
    /// with ten groups: the size of a large real run.
    static func largeRun(count: Int = 200, sampleRows: Int = 10) -> RunResult {
        let checks = (0..<count).map { index -> CheckResult in
            let grouped = index % 2 == 0
            let groups: [GroupResult] = grouped ? (0..<10).map { day in group(day: day) } : []
            let rows: [[String?]] = (0..<sampleRows).map { row in sampleRow(index: index, row: row) }
            let status: CheckStatus = index % 3 == 0 ? .fail : .pass
            return CheckResult(
                name: "check_\(index)_campaign_\(index % 7)", kind: grouped ? "match_rate" : "unique",
                file: "checks/file_\(index % 10).yml", line: index + 1, severity: .error, status: status,
                description: "Generated check number \(index).", tags: ["generated"], table: "reckon_staging.mart_sessions",
                observed: "\(index) rows", expected: "0 rows", message: "\(index) rows fail the check",
                metrics: ["failing_rows": Double(index)], groups: groups,
                sampleColumns: ["session_id", "utm_campaign", "fb_ad_id", "created_at"], sampleRows: rows,
                sql: "SELECT session_id, utm_campaign, fb_ad_id, created_at\nFROM reckon_staging.mart_sessions\nWHERE check_\(index)",
                durationSeconds: 0.01 * Double(index % 13))
        }
        return RunResult(
            reckonVersion: version, command: "check", startedAt: startedAt, durationSeconds: 42.5, database: "postgresql:///marketing",
            checkedSchema: "reckon", checks: checks)
    }

    private static func group(day: Int) -> GroupResult {
        let matched = Double(900 + day)
        let status: CheckStatus = day == 3 ? .fail : .pass
        let values: [String: Double] = ["matched": matched, "total": 1000, "rate": matched / 1000, "threshold": 0.9]
        return GroupResult(
            key: "date=2026-11-" + String(format: "%02d", day + 1), status: status, observed: "9\(day).0%", expected: "≥ 90%",
            values: values)
    }

    private static func sampleRow(index: Int, row: Int) -> [String?] {
        let adID: String? = row % 4 == 0 ? nil : "2385\(row)"
        return ["s-\(index)-\(row)", "campaign <\(row)> & \"friends\" 🎯", adID, "2026-11-0\(row % 9 + 1) 12:00:00+00"]
    }
}
