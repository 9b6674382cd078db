import Foundation
import MartDiff
import ReckonCore
import Reports
import TestSupport
import Testing

/// The Markdown, HTML, JUnit and JSON of a diff, from hand-made results.
@Suite struct DiffReportTests {
    static let startedAt = Date(timeIntervalSince1970: 1_795_599_000)

    /// A result with `columns` changed columns of `samples` long samples each.
    static func result(columns: Int = 3, samples: Int = 5, valueLength: Int = 40) -> DiffResult {
        let changed = (0..<columns).map { index in
            ColumnChange(
                name: "column_\(index)", changedCells: 1_000 - index,
                samples: (0..<samples).map { row in
                    CellSample(
                        key: "s-\(row)", base: String(repeating: "b", count: valueLength) + " | <b>@team</b>",
                        candidate: row == 0 ? nil : String(repeating: "c", count: valueLength))
                })
        }
        let mart = MartComparison(
            name: "mart_marketing_attribution", presence: .both, keyColumns: ["session_id"], baseRows: 100_000,
            candidateRows: 100_001, addedRows: 1, removedRows: 0, changedRows: 1_000, addedColumns: ["new_column"],
            columns: changed, addedSample: ["s-new"], sql: "select 1")
        let metrics = [
            MetricChange(section: "match rate", name: "overall", unit: .rate, base: 0.85, candidate: 0.75),
            MetricChange(section: "totals", name: "revenue", unit: .usd, base: 1_000, candidate: 1_000),
        ]
        let marts = [mart]
        return DiffResult(
            reckonVersion: "0.1.0-test", baseSchema: "analytics", candidateSchema: "ci_123", database: "postgresql://u:***@h/db",
            startedAt: startedAt, durationSeconds: 1.25, marts: marts, metrics: metrics,
            campaignMovers: [
                CampaignMove(
                    campaignId: "42", campaignName: "Black Friday <script>", baseSpend: 100, candidateSpend: 100, baseRevenue: 300,
                    candidateRevenue: 150, baseConversions: 3, candidateConversions: 1)
            ], campaignsMoved: 7,
            limits: DiffLimits.evaluate(Configuration().diffLimits, marts: marts, metrics: metrics), notes: [])
    }

    @Test func markdownOfAHugeChangeStaysUnderTheCommentLimitWithANote() {
        let huge = Self.result(columns: 400, samples: 5, valueLength: 300)
        let markdown = DiffMarkdown.render(DiffDocument(huge))
        #expect(markdown.utf8.count < DiffMarkdown.commentLimit)
        #expect(markdown.count < 65_536)
        #expect(markdown.contains("Cut here to stay under GitHub's 65,536-character comment limit"))
        // What matters most comes first and survives the cut.
        #expect(markdown.contains("FAIL: 2 of 3 diff limits crossed (rows\\_changed\\_pct \\> 1, match\\_rate\\_points \\> 2)"))
        #expect(
            markdown.contains("| mart\\_marketing\\_attribution | session\\_id | 100,000 | 100,001 | 1 | 0 | 1,000 | 1.00% | +1 added |"))
        #expect(markdown.hasSuffix("compared in 1.2 s_\n") || markdown.hasSuffix("compared in 1.3 s_\n"))
    }

    @Test func smallMarkdownIsWholeAndInert() {
        let markdown = DiffMarkdown.render(DiffDocument(Self.result()))
        #expect(!markdown.contains("Cut here"))
        #expect(markdown.contains("| overall | 85.0% | 75.0% | -10.00 pts | – |"))
        #expect(markdown.contains("#### mart\\_marketing\\_attribution.column\\_0: base → candidate"))
        #expect(!markdown.contains("<b>"))
        #expect(!markdown.contains("<script>"))
        #expect(!markdown.contains("@team"))
        #expect(markdown.contains("@\u{200B}team"))
        #expect(markdown.contains("| s-0 | "))
        #expect(markdown.contains(" | NULL |"))
    }

    @Test func htmlHoldsTheSameContentUncut() throws {
        let huge = Self.result(columns: 60, samples: 5, valueLength: 30)
        let html = String(decoding: DiffHTMLReporter(generatedAt: Self.startedAt).render(huge), as: UTF8.self)
        #expect(!html.contains("<script>"))
        #expect(html.contains("Black Friday &lt;script&gt;"))
        // Every table cell of the document is in the page, the last column's samples too.
        for block in DiffDocument(huge).blocks {
            guard case .table(let table) = block else { continue }
            for row in table.rows { for cell in row where cell != "NULL" { #expect(html.contains(escapeHTML(cell)), "\(cell)") } }
        }
        #expect(html.contains("mart_marketing_attribution.column_59: base → candidate"))
        #expect(html.contains(".summary {"))
    }

    @Test func junitHasOneStableTestCasePerLimitAndIsValid() throws {
        let data = try DiffJUnitReporter(reckonVersion: "0.1.0-test").render(Self.result())
        let schema = TestDatabase.repositoryRoot.appendingPathComponent("Tests/ReportsTests/Resources/junit-10.xsd").path
        #expect(try XMLSchemaValidator(schemaPath: schema).errors(in: data) == [])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#"<testsuites name="reckon diff" tests="3" failures="2" errors="0""#))
        #expect(text.contains(#"<testcase name="diff › rows_changed_pct" classname="diff""#))
        #expect(text.contains(#"<testcase name="diff › revenue_changed" classname="diff""#))
        #expect(text.contains("match_rate_points &gt; 2: observed 10.00 pts (match rate overall 85.0% → 75.0%)"))
    }

    @Test func jsonRoundTrips() throws {
        let result = Self.result()
        #expect(try DiffResult.decode(try result.jsonData()) == result)
        let text = String(decoding: try result.jsonData(), as: UTF8.self)
        #expect(text.contains(#""candidateSchema" : "ci_123""#))
    }

    func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
