import Checks
import Foundation
import Testing

@testable import Reports

/// The full report shows failing rows the way the digest does: the key and the columns the
/// check uses (or its `sample_columns:`), long values cut, long arrays counted.
@Suite struct SampleRulesTests {
    static let adIDs = "{" + (0..<12).map { "12021000990009\($0)5799" }.joined(separator: ",") + "}"

    static func wideCheck(shown: [String]? = nil) -> CheckResult {
        var check = CheckResult(
            name: "hours_to_convert_not_negative", kind: "expression", file: "checks/x.yml", line: 64, severity: .error,
            status: .fail, table: "analytics.mart_marketing_attribution", observed: "2 failing rows", expected: "error if > 0",
            sampleColumns: ["session_id", "session_date", "utm_campaign", "ad_ids", "hours_to_convert", "converted", "revenue_usd"],
            sampleRows: [
                ["s-1", "2026-11-01", String(repeating: "spring sale ", count: 20), adIDs, "-3", "true", "10.00"],
                ["s-2", "2026-11-02", "x", adIDs, "-1", "true", "12.00"],
            ],
            sql: "select t.* from \"analytics\".\"mart_marketing_attribution\" as t where not coalesce((hours_to_convert >= 0), true)")
        check.shownSampleColumns = shown
        return check
    }

    static func render(_ check: CheckResult) throws -> String {
        let result = RunResult(
            reckonVersion: "0.1.0", command: "check", startedAt: Date(timeIntervalSince1970: 0), durationSeconds: 1,
            database: "dbname=x", checkedSchema: "analytics", checks: [check])
        let data = try HTMLReporter(generatedAt: Date(timeIntervalSince1970: 0), reckonVersion: "0.1.0").render(result)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func theReportShowsTheKeyAndTheColumnsTheCheckUses() throws {
        let html = try Self.render(Self.wideCheck())
        #expect(html.contains("<th>session_id</th><th>hours_to_convert</th></tr>"))
        #expect(!html.contains("<th>utm_campaign</th>"))
        #expect(html.contains("5 more are in the JSON result"))
    }

    @Test func sampleColumnsChooseAndLongValuesAreCut() throws {
        let html = try Self.render(Self.wideCheck(shown: ["session_id", "utm_campaign", "ad_ids"]))
        #expect(html.contains("<th>session_id</th><th>utm_campaign</th><th>ad_ids</th></tr>"))
        #expect(html.contains("<td>12 values</td>"))
        #expect(!html.contains(Self.adIDs))
        #expect(html.contains("spring sale spring sale") && html.contains("…</td>"))
        #expect(!html.contains(String(repeating: "spring sale ", count: 20)))
    }

    @Test func narrowSamplesAreShownWhole() {
        var check = Self.wideCheck()
        check.sampleColumns = ["session_id", "rows"]
        check.sampleRows = [["s-1", "2"]]
        #expect(SampleView.make(check).columns == ["session_id", "rows"])
    }
}
