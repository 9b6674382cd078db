import ReckonCore
import Testing

/// The one placeholder syntax of models and checks, and its one rule for other `{{`.
@Suite struct TemplateTests {
    @Test func placeholdersAreResolvedAndOtherBracesAreSQLText() throws {
        let text = "select {{ ref('a') }}, {{schema}} from t where v <> '{{ ad.id }}' and w = '{{campaign.name}}' and p = '{{'"
        let rendered = try Template.render(text) { placeholder in
            "<\(placeholder.name)|\(placeholder.argument ?? "-")>"
        }
        #expect(rendered == "select <ref|a>, <schema|-> from t where v <> '{{ ad.id }}' and w = '{{campaign.name}}' and p = '{{'")
    }

    @Test func aProblemIsLocatedAtItsPlaceholder() {
        do {
            _ = try Template.render("select 1\n  from {{ nope('x') }}") { _ in throw Template.Unresolvable("no such function") }
            Issue.record("rendered an unresolvable placeholder")
        } catch let problem as Template.Problem {
            #expect(problem.message == "no such function")
            #expect(problem.line == 2)
            #expect(problem.column == 8)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
