import Checks
import Foundation
import Reports
import Testing

/// The HTML report in a real browser: headless Chromium renders it, logs no console error,
/// and the failing checks' names are in the rendered DOM. Runs whenever chromium is installed
/// and always in CI and under `make test` (`Tools.required`), where a missing chromium fails the test.
@Suite(.serialized) struct BrowserTests {
    static let enabled = Tools.chromium != nil || Tools.required

    /// Where the screenshot is kept for people to look at.
    static let screenshotPath = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-report-screenshot.png")

    func chromium(_ arguments: [String], profile: URL) throws -> Tools.Output {
        let chromium = try #require(Tools.chromium, "chromium must be installed in CI (apt-get install -y chromium)")
        return try Tools.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile.path)",
                "--enable-logging=stderr", "--v=0",
            ] + arguments)
    }

    /// Console messages Chromium logged for the page ("CONSOLE(12)] …" or "Uncaught …").
    func consoleErrors(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { line in
            line.contains("CONSOLE") || line.contains("Uncaught") || line.contains(":ERROR:CONSOLE")
        }
    }

    @Test(.enabled(if: enabled, "chromium is not installed"))
    func failingReportRendersInChromiumWithTheFailedChecksNamed() throws {
        let directory = try Tools.temporaryDirectory()
        let page = directory.appendingPathComponent("report.html")
        try HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version).write(Fixtures.failingRun, to: page)

        let dom = try chromium(
            ["--virtual-time-budget=2000", "--dump-dom", page.absoluteString], profile: directory.appendingPathComponent("profile-dom"))
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(consoleErrors(dom.stderr) == [])
        // The rendered DOM holds the names as text (serialized escaped; they wrap only at their
        // underscores), and no script got in.
        let names = dom.stdout.replacingOccurrences(of: "<wbr>", with: "")
        #expect(names.contains("facebook_match_rate_by_tier"))
        #expect(names.contains("revenue_reconciles_with_stripe"))
        #expect(names.contains("spend_matches_facebook_statistics"))
        #expect(dom.stdout.contains("Black Friday &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'co' 🚀"))
        #expect(!dom.stdout.contains("<script"))

        try? FileManager.default.removeItem(at: Self.screenshotPath)
        let shot = try chromium(
            ["--hide-scrollbars", "--window-size=1200,2000", "--screenshot=\(Self.screenshotPath.path)", page.absoluteString],
            profile: directory.appendingPathComponent("profile-shot"))
        #expect(shot.status == 0, "\(shot.stderr)")
        #expect(consoleErrors(shot.stderr) == [])
        let png = try Data(contentsOf: Self.screenshotPath)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a blank page compresses to a few kilobytes")
    }

    /// The trend chart of a match rate renders in the browser: an SVG line chart with the
    /// threshold lines and the failed days marked, and its table beside it.
    @Test(.enabled(if: enabled, "chromium is not installed"))
    func trendChartRendersWithThresholdsAndFailedDaysMarked() throws {
        let directory = try Tools.temporaryDirectory()
        let page = directory.appendingPathComponent("trend.html")
        try HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version).write(Fixtures.trendRun, to: page)
        let dom = try chromium(
            ["--virtual-time-budget=2000", "--dump-dom", page.absoluteString], profile: directory.appendingPathComponent("profile"))
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(consoleErrors(dom.stderr) == [])
        let html = dom.stdout
        guard let start = html.range(of: "<section class=\"trend\""),
            let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
        else {
            Issue.record("no trend section in the rendered DOM")
            return
        }
        let trend = String(html[start.lowerBound..<end.upperBound])
        #expect(trend.contains("<svg"))
        #expect(trend.contains("<polyline"))
        // Three series (the day rate, ad_id, utm_campaign): three lines.
        #expect(trend.components(separatedBy: "<polyline").count - 1 == 3)
        #expect(trend.contains("class=\"threshold threshold-error\""))
        #expect(trend.contains("class=\"threshold threshold-warn\""))
        // The two failed ad_id days (one in the last 30 days only: 2026-10-03; 2026-09-28) and the warned day.
        #expect(trend.components(separatedBy: "class=\"day-mark day-fail\"").count - 1 == 2)
        #expect(trend.components(separatedBy: "class=\"day-mark day-warn\"").count - 1 == 1)
        #expect(trend.contains("ad_id on 2026-09-28: 12.0% (FAIL)"))
        // The last 30 days only: 2026-09-06 … 2026-10-05.
        #expect(trend.contains("<th scope=\"row\">2026-09-06</th>") && !trend.contains("2026-09-05"))
        #expect(trend.contains("<table"))
    }

    @Test(.enabled(if: enabled, "chromium is not installed"))
    func consoleErrorsWouldBeCaught() throws {
        // The detector itself: a page that throws must be reported.
        let directory = try Tools.temporaryDirectory()
        let page = directory.appendingPathComponent("broken.html")
        try "<!DOCTYPE html><p>x</p><script>throw new Error('boom')</script>".write(to: page, atomically: true, encoding: .utf8)
        let output = try chromium(
            ["--virtual-time-budget=1000", "--dump-dom", page.absoluteString], profile: directory.appendingPathComponent("profile"))
        #expect(consoleErrors(output.stderr).contains { $0.contains("boom") }, "\(output.stderr)")
    }
}
