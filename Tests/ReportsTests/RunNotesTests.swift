import Checks
import Foundation
import Reports
import Testing

/// A run's notes (e.g. history not recorded) appear in the HTML summary and the JSON, and
/// a run without notes renders as before.
@Suite struct RunNotesTests {
    let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)

    @Test func notesAppearEscapedInTheSummary() throws {
        var result = Fixtures.failingRun
        result.notes = ["history is off: permission denied for database <warehouse>"]
        let text = String(decoding: try reporter.render(result), as: UTF8.self)
        #expect(
            text.contains(
                "<tr><th scope=\"row\">Notes</th><td><div class=\"error-message\">history is off: permission denied for database &lt;warehouse&gt;</div></td></tr>"
            ))
        let json = String(decoding: try result.jsonData(), as: UTF8.self)
        #expect(json.contains("\"notes\""))
    }

    @Test func aRunWithoutNotesHasNoNotesRowOrKey() throws {
        let text = String(decoding: try reporter.render(Fixtures.failingRun), as: UTF8.self)
        #expect(!text.contains(">Notes<"))
        #expect(!String(decoding: try Fixtures.failingRun.jsonData(), as: UTF8.self).contains("\"notes\""))
    }
}
