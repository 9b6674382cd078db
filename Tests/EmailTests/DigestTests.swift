import Checks
import Foundation
import Reports
import Testing

@testable import Email

/// The digest: what it says, in which order, and that it stays a mail-client page.
@Suite struct DigestTests {
    let renderer = DigestRenderer(reportURL: "https://reports.example.com/reckon/latest.html", reportAttached: true)

    @Test func subjectCountsTheFailuresAndWarningsAndNamesTheDatabaseAndDay() {
        let digest = renderer.render(EmailFixtures.run(failing: 2))
        #expect(digest.subject == "reckon: 3 failed, 1 warning — analytics/analytics__staging — 2026-11-24")
        #expect(DigestRenderer.subject(EmailFixtures.unreachable) == "reckon: could not run — analytics/analytics__staging — 2026-11-24")
    }

    @Test func failuresComeFirstThenWarningsThenOneLineForWhatPassed() throws {
        let digest = renderer.render(EmailFixtures.run(failing: 2))
        for part in [digest.html.replacingOccurrences(of: "<wbr>", with: ""), digest.text] {
            let failure = try #require(part.range(of: "matched_ad_exists_in_facebook_ads_0")?.lowerBound.utf16Offset(in: part))
            let matchRate = try #require(part.range(of: "Match rate per tier")?.lowerBound.utf16Offset(in: part))
            let warning = try #require(part.range(of: "spend_on_unknown_ads")?.lowerBound.utf16Offset(in: part))
            let passed = try #require(part.range(of: "8 checks passed: passing_check_1")?.lowerBound.utf16Offset(in: part))
            #expect(failure < warning && warning < matchRate && matchRate < passed)
        }
        #expect(digest.html.contains("Every matched session points to an ad that exists in facebook_ads."))
        #expect(digest.html.contains("1,234 failing rows") || digest.html.contains("1234 failing rows"))
        #expect(digest.html.contains("href=\"https://reports.example.com/reckon/latest.html\""))
        #expect(digest.text.contains("Full report: https://reports.example.com/reckon/latest.html"))
        #expect(digest.text.contains("  Observed: 1234 failing rows"))
        #expect(digest.text.contains("  Expected: error if > 0"))
    }

    @Test func samplesShowFiveRowsOfTheKeyAndTheColumnsTheCheckUses() {
        let check = EmailFixtures.failingCheck(0)
        let sample = SampleView.make(check, maximumRows: 5, maximumLength: 40)
        #expect(sample.columns == ["session_id", "facebook_ad_id"])
        #expect(sample.rows.count == 5)
        #expect(sample.hiddenColumnCount == 8)
        let digest = renderer.render(EmailFixtures.run(failing: 1))
        #expect(digest.text.contains("    session_id | facebook_ad_id"))
        #expect(digest.text.contains("    s-0-4      | NULL"))
        #expect(!digest.text.contains("s-0-5"))
        #expect(!digest.html.contains("very long campaign name"))
        #expect(digest.html.contains("select t.* from &quot;analytics__staging&quot;.&quot;mart_marketing_attribution&quot;"))
    }

    @Test func sampleColumnsOfTheCheckChooseTheColumnsAndArraysBecomeCounts() {
        var check = EmailFixtures.failingCheck(0)
        check.shownSampleColumns = ["session_id", "ad_ids", "utm_campaign", "no_such_column"]
        let sample = SampleView.make(check, maximumRows: 5, maximumLength: 40)
        #expect(sample.columns == ["session_id", "ad_ids", "utm_campaign"])
        #expect(sample.rows[0][1] == "12 values")
        #expect(sample.rows[0][2] == "retargeting_nov very long campaign name…")
        #expect(sample.rows[0][2]?.count == 40)
    }

    @Test(arguments: [
        ("{1,2,3}", "{1,2,3}"), ("{1,2,3,4}", "4 values"), ("[1, 2, 3, 4, 5]", "5 values"), ("{}", "{}"),
        ("{\"a,b\",c}", "{\"a,b\",c}"), ("{{1,2},{3,4},{5,6},{7,8}}", "4 values"), ("short", "short"),
        (String(repeating: "x", count: 50), String(repeating: "x", count: 39) + "…"),
    ])
    func cellsAreShortenedForPeople(input: String, shown: String) {
        #expect(SampleView.display(input, maximumLength: 40) == shown)
    }

    @Test func twoHundredFailingChecksStayUnder100KilobytesWithACutLine() {
        let digest = renderer.render(EmailFixtures.run(failing: 200))
        #expect(digest.html.utf8.count < 100_000)
        let shown = digest.html.components(separatedBy: "matched_<wbr>ad_<wbr>exists_<wbr>in_<wbr>facebook_<wbr>ads_").count - 1
        #expect(shown > 10 && shown < 200)
        // 200 relationship checks and the failing match rate, in definition order.
        #expect(digest.html.contains("and \(201 - shown) more failing checks — see the attached report"))
        #expect(digest.text.contains("and \(201 - shown) more failing checks — see the attached report"))
        #expect(digest.html.contains("spend_<wbr>on_<wbr>unknown_<wbr>ads"), "the warning is still listed")
        #expect(digest.html.contains("8 checks passed"))
        #expect(digest.html.hasSuffix("</html>\n"))
    }

    @Test func theHTMLUsesNothingMailClientsDrop() {
        let html = renderer.render(EmailFixtures.run(failing: 3, campaign: EmailFixtures.injectingCampaign)).html.lowercased()
        for forbidden in [
            "<script", "<svg", "<details", "<img", "<link", "<iframe", "src=", "url(", "@import", "display:flex", "display:grid",
        ] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        #expect(html.contains("prefers-color-scheme: dark"))
        #expect(html.contains("max-width:640px"))
    }

    @Test func anUnreachableDatabaseIsSaidPlainly() {
        let digest = renderer.render(EmailFixtures.unreachable)
        #expect(digest.html.contains("ERROR: the audit could not run"))
        #expect(digest.html.contains("cannot connect to PostgreSQL at host db.internal port 5432: Connection refused"))
        #expect(digest.text.contains("ERROR: the audit could not run\n  cannot connect to PostgreSQL at host db.internal port 5432"))
        #expect(digest.text.contains("No check was judged"))
    }

    @Test func matchRatePerTierCoversTheLast14DaysAsABarTable() {
        let digest = renderer.render(EmailFixtures.run(failing: 0))
        #expect(digest.html.contains("Match rate per tier, last 14 days"))
        #expect(digest.html.contains(">11-20<") && digest.html.contains(">11-07<") && !digest.html.contains(">11-06<"))
        #expect(digest.html.contains("<td width=\"41%\" style=\"background:\(Palette.fail)"))
        #expect(digest.text.contains("\n  day    ad_id     all\n  11-20  41.0%!  80.0%\n  11-19  61.0%   84.0%\n"))
    }

    @Test func resultsWrittenBeforeTheNewFieldsStillDecode() throws {
        let old = """
            { "schemaVersion": 1, "reckonVersion": "0.1.0", "command": "check", "startedAt": "2026-11-24T06:00:00Z",
              "durationSeconds": 1.2, "database": "dbname=analytics", "checkedSchema": "analytics",
              "checks": [ { "name": "a", "kind": "unique", "file": "checks/x.yml", "line": 1, "severity": "error",
                "status": "fail", "tags": [], "observed": "1", "expected": "0", "message": "", "metrics": {},
                "groups": [], "sampleColumns": ["id"], "sampleRows": [["1"]], "sql": "select 1", "durationSeconds": 0 } ] }
            """
        let result = try RunResult.decode(Data(old.utf8))
        #expect(result.errorMessage == nil && result.checks.first?.shownSampleColumns == nil)
        #expect(result.status == .fail)
        #expect(DigestRenderer.subject(result) == "reckon: 1 failed — analytics/analytics — 2026-11-24")
    }
}
