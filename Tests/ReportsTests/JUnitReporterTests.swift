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

    @Test func failingRunNamesTheFailedChecksAndGroups() throws {
        let xml = try document(Fixtures.failingRun)
        let failed = try xml.nodes(forXPath: "//testcase[failure]").compactMap { attribute($0, "name") }
        #expect(
            failed == [
                "facebook_match_rate_by_tier", "facebook_match_rate_by_tier [tier=ad_id]",
                "revenue_reconciles_with_stripe", "revenue_reconciles_with_stripe [date=2026-11-02]",
                ReportText.xmlSafe(Fixtures.hostileName),
            ])
        let errored = try xml.nodes(forXPath: "//testcase[error]").compactMap { attribute($0, "name") }
        #expect(errored == ["spend_matches_facebook_statistics"])
        let message = try xml.nodes(forXPath: "//testcase[@name='facebook_match_rate_by_tier']/failure").first
        #expect(
            attribute(message!, "message")
                == "observed 81.2% overall, expected ≥ 90% overall; ad_id ≥ 95%: tier ad_id matched 71.0% of 12,400 sessions, below 95%")
        #expect(attribute(message!, "type") == "match_rate")
        let error = try xml.nodes(forXPath: "//testcase[@name='spend_matches_facebook_statistics']/error").first
        #expect(attribute(error!, "message") == "ERROR: column \"spend\" does not exist (SQLSTATE 42703)")
    }

    @Test func countsAndTimesAddUp() throws {
        let xml = try document(Fixtures.failingRun)
        let root = try #require(xml.rootElement())
        #expect(root.name == "testsuites")
        // 6 checks + 4 tier groups + 3 day groups.
        #expect(attribute(root, "tests") == "13")
        #expect(attribute(root, "failures") == "5")
        #expect(attribute(root, "errors") == "1")
        #expect(attribute(root, "time") == "3.251")
        let suites = try xml.nodes(forXPath: "/testsuites/testsuite")
        #expect(suites.compactMap { attribute($0, "name") } == ["checks/mart_sessions.yml", "checks/revenue.yml", "checks/spend.yml"])
        #expect(suites.compactMap { attribute($0, "tests") } == ["6", "5", "2"])
        #expect(suites.compactMap { attribute($0, "failures") } == ["2", "2", "1"])
        #expect(suites.compactMap { attribute($0, "errors") } == ["0", "0", "1"])
        #expect(suites.compactMap { attribute($0, "time") } == ["1.616", "0.928", "0.023"])
        let tierCase = try xml.nodes(forXPath: "//testcase[@name='facebook_match_rate_by_tier']").first
        #expect(attribute(tierCase!, "time") == "1.204")
        #expect(attribute(tierCase!, "classname") == "checks.mart_sessions")
    }

    @Test func allPassingRunHasNoFailures() throws {
        let data = try reporter.render(Fixtures.passingRun)
        #expect(try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: data) == [])
        let xml = try XMLDocument(data: data)
        #expect(attribute(try #require(xml.rootElement()), "failures") == "0")
        #expect(attribute(try #require(xml.rootElement()), "errors") == "0")
        for suite in try xml.nodes(forXPath: "//testsuite") { #expect(attribute(suite, "failures") == "0") }
        #expect(try xml.nodes(forXPath: "//failure | //error").isEmpty)
        #expect(String(decoding: data, as: UTF8.self).contains(#"<testsuites name="reckon run" tests="13" failures="0" errors="0""#))
    }

    @Test func warningsPassButAreVisible() throws {
        let xml = try document(Fixtures.failingRun)
        let warning = try #require(try xml.nodes(forXPath: "//testcase[@name='unattributed_revenue_share']").first as? XMLElement)
        #expect(warning.elements(forName: "failure").isEmpty)
        let out = try #require(warning.elements(forName: "system-out").first?.stringValue)
        #expect(out.hasPrefix("WARNING: observed 7.9%, expected < 5% (warn): 7.9% of Stripe revenue is not claimed by any session"))
        let property = try xml.nodes(forXPath: "//property[@name='warning:unattributed_revenue_share']").first
        #expect(
            attribute(property!, "value") == "observed 7.9%, expected < 5% (warn): 7.9% of Stripe revenue is not claimed by any session")
        #expect(try xml.nodes(forXPath: "//property[@name='warning:facebook_match_rate_by_tier [tier=utm_campaign]']").count == 1)
    }

    @Test func systemOutCarriesSampleRowsAndSQL() throws {
        let xml = try document(Fixtures.failingRun)
        let out = try #require(try xml.nodes(forXPath: "//testcase[@name='facebook_match_rate_by_tier']/system-out").first?.stringValue)
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
        #expect(names.contains("Black Friday <script>alert(\"x\")</script> & 'co' 🚀 ␀␛[31m␇␋␡"))
    }

    @Test func lineBreaksAndTabsInAttributesSurviveAParse() throws {
        var run = Fixtures.failingRun
        run.checks[4].errorMessage = "ERROR: syntax error\nLINE 1: SELECT\t*\r\nHINT: check it"
        let xml = try document(run)
        let error = try #require(try xml.nodes(forXPath: "//testcase[@name='spend_matches_facebook_statistics']/error").first)
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
