import Foundation
import ReckonCore
import Testing

@testable import ModelBuild

@Suite struct ModelHeaderTests {
    @Test func shippedModelsDeclareTheirGrain() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models").path
        let project = try ModelProject.load(directory: directory)
        let perSession = project.models.filter { $0.header.distribution == .session }.map(\.name)
        #expect(
            perSession == [
                "stg_events", "int_event_aggregates", "int_session_params", "int_facebook_match", "int_session_revenue",
                "mart_marketing_attribution",
            ])
        #expect(project.models.filter(\.isPublished).map(\.name) == ["mart_marketing_attribution", "mart_campaign_daily"])
    }

    @Test func defaultsFollowTheNameAndGrain() throws {
        let header = try ModelHeader.parse("select 1", name: "mart_x", path: "m.sql")
        #expect(header.isPublished && header.grain == nil && header.distribution == .local)
        let declared = try ModelHeader.parse(
            "-- reckon.grain: session_id\n-- reckon.kind: intermediate\n-- reckon.indexes: a, b_c\nselect 1",
            name: "mart_y", path: "m.sql")
        #expect(!declared.isPublished && declared.distribution == .session && declared.indexes == ["a", "b_c"])
    }

    @Test(arguments: [
        ("-- reckon.grian: session_id", 1, "unknown model header key 'reckon.grian'"),
        ("select 1\n  -- reckon.kind: final", 2, "reckon.kind is 'published' or 'intermediate'"),
        ("-- reckon.distribution: session", 1, "needs reckon.grain"),
        ("-- reckon.grain: a\n-- reckon.grain: b", 2, "given twice"),
        ("-- reckon.indexes: a, B-c", 1, "'B-c' is not a column name"),
    ])
    func malformedHeadersNameTheLine(sql: String, line: Int, message: String) {
        do {
            _ = try ModelHeader.parse(sql, name: "int_x", path: "models/01_int_x.sql")
            Issue.record("no error for \(sql)")
        } catch let error as InputFileError {
            #expect(error.file == "models/01_int_x.sql" && error.line == line)
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
