import Checks
import Foundation
import Reports
import Testing

@Suite struct HTMLReporterTests {
    let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)

    func html(_ result: RunResult) throws -> String {
        String(decoding: try reporter.render(result), as: UTF8.self)
    }

    @Test func summaryComesFirstWithCountsDatabaseAndCommit() throws {
        let text = try html(Fixtures.failingRun)
        let summary = try #require(text.range(of: "<header class=\"summary status-fail\">"))
        let firstCheck = try #require(text.range(of: "<section class=\"check"))
        #expect(summary.lowerBound < firstCheck.lowerBound)
        #expect(text.contains("reckon run: 3 of 6 checks failed"))
        #expect(text.contains("<code>postgresql://reckon:***@localhost:5433/marketing</code>"))
        #expect(text.contains("<code>4882458c0ffee</code>"))
        #expect(text.contains("<td>3.3 s</td>"))
        #expect(text.contains("no: the previous marts stay published"))
    }

    @Test func failuresAndErrorsComeFirstThenWarningsThenCollapsedPasses() throws {
        let text = try html(Fixtures.failingRun)
        func position(_ needle: String) throws -> String.Index { try #require(text.range(of: needle)).lowerBound }
        let sections = try [
            "<section class=\"check check-fail\" id=\"check-2\">", "<section class=\"check check-fail\" id=\"check-3\">",
            "<section class=\"check check-fail\" id=\"check-6\">", "<section class=\"check check-error\" id=\"check-5\">",
            "<section class=\"check check-warn\" id=\"check-4\">", "<details class=\"passes\">",
            "<section class=\"check check-pass\" id=\"check-1\">",
        ].map(position)
        #expect(sections == sections.sorted())
    }

    @Test func observedAndThresholdAreShownForEachCheck() throws {
        let text = try html(Fixtures.failingRun)
        #expect(
            text.contains(
                "<tr><th scope=\"row\">Observed</th><td class=\"observed\">81.2% overall</td></tr>\n<tr><th scope=\"row\">Expected</th><td>≥ 90% overall; ad_id ≥ 95%</td></tr>"
            ))
        #expect(text.contains("<pre class=\"error-message\">ERROR: column &quot;spend&quot; does not exist (SQLSTATE 42703)</pre>"))
    }

    @Test func matchRateTiersGetATableAndABarChart() throws {
        let text = try html(Fixtures.failingRun)
        #expect(
            text.contains(
                "<td>tier=ad_id</td><td>71.0%</td><td>≥ 95%</td><td class=\"num\">8,804</td><td class=\"num\">12,400</td><td class=\"num\">71.0%</td><td class=\"num\">95.0%</td>"
            ))
        #expect(text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(text.contains("class=\"bar bar-fail\""))
        #expect(text.components(separatedBy: "<rect ").count - 1 == 4)
    }

    @Test func reconciliationShowsTheBridgePerDay() throws {
        let text = try html(Fixtures.failingRun)
        #expect(text.contains("Bridge per group"))
        #expect(
            text.contains(
                "<th class=\"num\">left</th><th class=\"num\">right</th><th class=\"num\">attributed</th><th class=\"num\">unattributed</th><th class=\"num\">difference</th>"
            ))
        #expect(
            text.contains(
                "<td>date=2026-11-02</td><td>12.40</td><td>≤ 0.01</td><td class=\"num\">10,212.40</td><td class=\"num\">10,200</td><td class=\"num\">9,400</td><td class=\"num\">800</td><td class=\"num\">12.40</td>"
            ))
    }

    @Test func sampleRowsAndSQLAreShown() throws {
        let text = try html(Fixtures.failingRun)
        #expect(text.contains("<caption>Failing rows: a sample of 2 (the SQL below lists them all)</caption>"))
        #expect(text.contains("<td class=\"null\">NULL</td>"))
        #expect(
            text.contains(
                "<details class=\"sql\" open>\n<summary>SQL</summary>\n<pre><code>SELECT session_id, utm_campaign, ad_id, tier\nFROM reckon_staging.mart_sessions\nWHERE channel = &#39;facebook&#39;"
            ))
    }

    @Test func hostileTextIsEscapedEverywhere() throws {
        let text = try html(Fixtures.failingRun)
        #expect(!text.contains("<script"))
        #expect(!text.contains("alert(\"x\")"))
        #expect(text.contains("Black Friday &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39; 🚀 ␀␛[31m␇␋␡"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    @Test func selfContainedWithoutScriptsOrExternalAssets() throws {
        let text = try html(Fixtures.failingRun)
        #expect(!text.contains("<script"))
        #expect(!text.contains("<link"))
        #expect(!text.contains("src="))
        #expect(!text.contains("url("))
        #expect(!text.contains("@import"))
        #expect(text.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func allPassingRunCollapsesEverything() throws {
        let text = try html(Fixtures.passingRun)
        #expect(text.contains("reckon run: all 6 checks passed"))
        #expect(!text.contains("id=\"problems\""))
        #expect(text.contains("<summary>Show the 6 passed checks</summary>"))
    }

    @Test func templatesFromADirectoryReplaceTheDefaults() throws {
        let directory = try Tools.temporaryDirectory()
        try "<h1>{{statusLabel}}</h1>{{#problems}}<p>{{name}}</p>{{/problems}}".write(
            to: directory.appendingPathComponent("report.mustache"), atomically: true, encoding: .utf8)
        let custom = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version, templatesDirectory: directory)
        let text = String(decoding: try custom.render(Fixtures.failingRun), as: UTF8.self)
        #expect(text.hasPrefix("<h1>FAIL</h1><p>facebook_match_rate_by_tier</p>"))
        #expect(text.contains("&lt;script&gt;"))
    }

    @Test func aBrokenTemplateIsReportedByName() throws {
        let directory = try Tools.temporaryDirectory()
        try "{{#open}}".write(to: directory.appendingPathComponent("check.mustache"), atomically: true, encoding: .utf8)
        let custom = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version, templatesDirectory: directory)
        #expect { try custom.render(Fixtures.failingRun) } throws: { error in
            guard case ReportError.template(let name, _) = error else { return false }
            return name == "check"
        }
    }
}
