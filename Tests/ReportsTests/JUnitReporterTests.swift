import Checks
import Foundation
import FoundationXML
import Reports
import Testing

@Suite struct JUnitReporterTests {
    let reporter = JUnitReporter(reckonVersion: Fixtures.version)

    func document(_ result: RunResult) throws -> XMLDocument {
        try XMLDocument(data: try reporter.render(result))
    }

    func attribute(_ element: XMLNode, _ name: String) -> String? {
        (element as? XMLElement)?.attribute(forName: name)?.stringValue
    }

    @Test func failingRunIsValidAgainstTheSchema() throws {
        let errors = try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: try reporter.render(Fixtures.failingRun))
        #expect(errors == [])
    }

    @Test func failingRunNamesTheFailedChecksStably() throws {
        let xml = try document(Fixtures.failingRun)
        let failed = try xml.nodes(forXPath: "//testcase[failure]").compactMap { attribute($0, "name") }
        #expect(
            failed == [
                "checks/mart_sessions.yml › facebook_match_rate_by_tier", "checks/revenue.yml › revenue_reconciles_with_stripe",
                "checks/spend.yml › " + ReportText.xmlSafe(Fixtures.hostileName),
            ])
        let errored = try xml.nodes(forXPath: "//testcase[error]").compactMap { attribute($0, "name") }
        #expect(errored == ["checks/spend.yml › spend_matches_facebook_statistics"])
        // No test case per group: their names would change as the data window moves.
        #expect(try xml.nodes(forXPath: "//testcase[contains(@name, '[tier=') or contains(@name, '[date=')]").isEmpty)
        let message = try xml.nodes(forXPath: "//testcase[@name='checks/mart_sessions.yml › facebook_match_rate_by_tier']/failure").first
        #expect(
            attribute(message!, "message")
                == "observed 81.2% overall, expected ≥ 90% overall; ad_id ≥ 95%: tier ad_id matched 71.0% of 12,400 sessions, below 95%; "
                + "failed groups: tier=ad_id (observed 71.0%, expected ≥ 95%)")
        #expect(attribute(message!, "type") == "match_rate")
        let error = try xml.nodes(forXPath: "//testcase[@name='checks/spend.yml › spend_matches_facebook_statistics']/error").first
        #expect(attribute(error!, "message") == "ERROR: column \"spend\" does not exist (SQLSTATE 42703)")
    }

    @Test func failedGroupsAreListedMostOffFirst() throws {
        var run = Fixtures.failingRun
        run.checks[1].groups[1].status = .fail  // utm_content: 88.3% against 80% → make it 50% against 80%
        run.checks[1].groups[1].values["rate"] = 0.5
        run.checks[1].groups[1].observed = "50.0%"
        run.checks[1].groups[2].status = .fail  // utm_campaign: 64.2% against 60%: 4.2 points off, after ad_id's 24
        run.checks[1].groups[2].values["rate"] = 0.558
        run.checks[1].groups[2].observed = "55.8%"
        let xml = try document(run)
        let failure = try #require(
            try xml.nodes(forXPath: "//testcase[@name='checks/mart_sessions.yml › facebook_match_rate_by_tier']/failure").first)
        let message = try #require(attribute(failure, "message"))
        #expect(
            message.hasSuffix(
                "failed groups: tier=utm_content (observed 50.0%, expected ≥ 80%), tier=ad_id (observed 71.0%, expected ≥ 95%), "
                    + "tier=utm_campaign (observed 55.8%, expected ≥ 60% (warn < 70%))"))
        #expect(
            failure.stringValue?.contains(
                "failed groups, most off first:\n  tier=utm_content: observed 50.0%, expected ≥ 80%\n  tier=ad_id: observed 71.0%, expected ≥ 95%\n"
            ) == true)
        // Reconciliation groups: the largest difference first.
        run.checks[2].groups[0].status = .fail
        run.checks[2].groups[0].values["difference"] = -40
        let reconciliation = try #require(
            try document(run).nodes(forXPath: "//testcase[@name='checks/revenue.yml › revenue_reconciles_with_stripe']/failure").first)
        #expect(
            attribute(reconciliation, "message")?.hasSuffix(
                "failed groups: date=2026-11-01 (observed 0.00, expected ≤ 0.01), date=2026-11-02 (observed 12.40, expected ≤ 0.01)")
                == true)
    }

    @Test func failureBodyHoldsTheSampleAsAnAlignedTableAndTheSQL() throws {
        let xml = try document(Fixtures.failingRun)
        let body = try #require(
            try xml.nodes(forXPath: "//testcase[@name='checks/mart_sessions.yml › facebook_match_rate_by_tier']/failure").first?.stringValue
        )
        let safe = ReportText.xmlSafe(Fixtures.hostileName)
        let width = max(safe.count, "retargeting_nov & more".count)
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: count - text.count) }
        #expect(
            body.contains(
                """
                failing rows (sample of 2):
                  session_id | \(pad("utm_campaign", width)) | ad_id    | tier
                  -----------+-\(String(repeating: "-", count: width))-+----------+------
                  s-000193   | \(pad(safe, width)) | NULL     | ad_id
                  s-000207   | \(pad("retargeting_nov & more", width)) | 23851234 | ad_id

                SQL (lists all failing rows):
                SELECT session_id, utm_campaign, ad_id, tier
                FROM reckon_staging.mart_sessions
                """), "\(body)")
    }

    @Test func allPassingRunHasNoFailures() throws {
        let data = try reporter.render(Fixtures.passingRun)
        #expect(try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: data) == [])
        let xml = try XMLDocument(data: data)
        #expect(attribute(try #require(xml.rootElement()), "failures") == "0")
        #expect(attribute(try #require(xml.rootElement()), "errors") == "0")
        for suite in try xml.nodes(forXPath: "//testsuite") { #expect(attribute(suite, "failures") == "0") }
        #expect(try xml.nodes(forXPath: "//failure | //error").isEmpty)
        #expect(String(decoding: data, as: UTF8.self).contains(#"<testsuites name="reckon run" tests="6" failures="0" errors="0""#))
    }

    @Test func warningsAreSkippedWithTheirMessageWithoutFailing() throws {
        let xml = try document(Fixtures.failingRun)
        let warning = try #require(
            try xml.nodes(forXPath: "//testcase[@name='checks/revenue.yml › unattributed_revenue_share']").first as? XMLElement)
        #expect(warning.elements(forName: "failure").isEmpty)
        let skipped = try #require(warning.elements(forName: "skipped").first)
        #expect(
            attribute(skipped, "message")
                == "warning: observed 7.9%, expected < 5% (warn): 7.9% of Stripe revenue is not claimed by any session")
        let out = try #require(warning.elements(forName: "system-out").first?.stringValue)
        #expect(out.hasPrefix("WARNING: observed 7.9%, expected < 5% (warn): 7.9% of Stripe revenue is not claimed by any session"))
        let property = try xml.nodes(forXPath: "//property[@name='warning:checks/revenue.yml › unattributed_revenue_share']").first
        #expect(
            attribute(property!, "value")
                == "warning: observed 7.9%, expected < 5% (warn): 7.9% of Stripe revenue is not claimed by any session")
        // Only warnings are skipped: passes and failures are not.
        #expect(try xml.nodes(forXPath: "//testcase[skipped]").count == 1)
    }

    @Test func systemOutCarriesSampleRowsAndSQL() throws {
        let xml = try document(Fixtures.failingRun)
        let out = try #require(
            try xml.nodes(forXPath: "//testcase[@name='checks/mart_sessions.yml › facebook_match_rate_by_tier']/system-out").first?
                .stringValue)
        #expect(out.contains("failing rows (sample of 2):\n  session_id | utm_campaign | ad_id | tier\n"))
        #expect(out.contains("  s-000207 | retargeting_nov & more | 23851234 | ad_id"))
        #expect(
            out.contains(
                "sql:\nSELECT session_id, utm_campaign, ad_id, tier\nFROM reckon_staging.mart_sessions\nWHERE channel = 'facebook'"))
    }

    @Test func hostileTextSurvivesEscaped() throws {
        let data = try reporter.render(Fixtures.failingRun)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("<script>"))
        #expect(text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'co' 🚀 ␀␛[31m␇␋␡"))
        let xml = try XMLDocument(data: data)
        let names = try xml.nodes(forXPath: "//testcase").compactMap { attribute($0, "name") }
        #expect(names.contains("checks/spend.yml › Black Friday <script>alert(\"x\")</script> & 'co' 🚀 ␀␛[31m␇␋␡"))
    }

    @Test func lineBreaksAndTabsInAttributesSurviveAParse() throws {
        var run = Fixtures.failingRun
        run.checks[4].errorMessage = "ERROR: syntax error\nLINE 1: SELECT\t*\r\nHINT: check it"
        let xml = try document(run)
        let error = try #require(
            try xml.nodes(forXPath: "//testcase[@name='checks/spend.yml › spend_matches_facebook_statistics']/error").first)
        #expect(attribute(error, "message") == "ERROR: syntax error\nLINE 1: SELECT\t*\r\nHINT: check it")
    }

    @Test(arguments: [
        ("plain", "plain"), ("a\u{0}b", "a␀b"), ("tab\tline\ncr\r", "tab\tline\ncr\r"), ("\u{1B}[0m", "␛[0m"),
        ("del\u{7F}", "del␡"), ("c1\u{85}", "c1\u{FFFD}"), ("nonchar\u{FFFE}", "nonchar\u{FFFD}"), ("🚀<&>", "🚀<&>"),
    ])
    func xmlSafeReplacesWhatXMLCannotHold(input: String, expected: String) {
        #expect(ReportText.xmlSafe(input) == expected)
    }

    @Test(arguments: [
        (0.0, "0.000"), (-1, "0.000"), (.nan, "0.000"), (.infinity, "0.000"), (1e-9, "0.000"), (12345.6789, "12345.679"),
        (1e20, "100000000000000000000.000"),
    ])
    func timesArePlainDecimals(seconds: Double, expected: String) {
        #expect(ReportText.seconds(seconds) == expected)
    }

    @Test func everyFormattedTimeMatchesTheSchemaPattern() throws {
        var run = Fixtures.failingRun
        run.durationSeconds = 1e20
        run.checks[0].durationSeconds = .nan
        run.checks[1].durationSeconds = -3
        #expect(try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: try reporter.render(run)) == [])
    }

    @Test func emptyRunIsValid() throws {
        var run = Fixtures.failingRun
        run.checks = []
        #expect(try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: try reporter.render(run)) == [])
    }

    @Test func validatorReportsSchemaErrors() throws {
        let invalid = Data(#"<?xml version="1.0"?><testsuites><testsuite name="x"/></testsuites>"#.utf8)
        let errors = try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: invalid)
        #expect(errors.contains { $0.contains("tests") })
        #expect(
            try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: Data("<a>".utf8)).first?.hasPrefix("not well-formed") == true
        )
    }

    @Test(.enabled(if: Tools.xmllint != nil || Tools.required, "xmllint is not installed"))
    func xmllintAcceptsTheReport() throws {
        let xmllint = try #require(Tools.xmllint, "xmllint must be installed in CI (libxml2-utils)")
        let directory = try Tools.temporaryDirectory()
        for (name, run) in [("failing", Fixtures.failingRun), ("passing", Fixtures.passingRun), ("large", Fixtures.largeRun(count: 40))] {
            let file = directory.appendingPathComponent("\(name).xml")
            try reporter.render(run).write(to: file)
            let result = try Tools.run(xmllint, ["--noout", "--schema", Fixtures.schemaPath, file.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("validates"))
        }
    }
}
