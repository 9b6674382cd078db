import Checks
import Foundation
import Testing

/// `sample_columns:` chooses the failing-row columns the reports show; the JSON keeps all.
@Suite struct SampleColumnsTests {
    @Test func sampleColumnsAreParsed() throws {
        let checks = try CheckFileParser.parse(
            "checks:\n  - name: a\n    kind: expression\n    table: t\n    expression: x > 0\n    sample_columns: [id, x]\n",
            file: "checks/x.yml")
        #expect(checks.first?.sampleColumns == ["id", "x"])
    }

    @Test func aMisspelledKeyNamesSampleColumns() throws {
        #expect {
            _ = try CheckFileParser.parse(
                "checks:\n  - name: a\n    kind: expression\n    table: t\n    expression: x > 0\n    sample_column: [id]\n",
                file: "checks/x.yml")
        } throws: { error in
            "\(error)".contains("unknown key 'sample_column'") && "\(error)".contains("sample_columns")
        }
    }

    @Test func theResultCarriesThemNextToTheWholeSampledRows() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        try database.run(
            "create schema mart; create table mart.t (id int, note text, x int, ad_ids bigint[]);"
                + " insert into mart.t values (1, 'a', -1, '{1,2,3,4,5}'), (2, 'b', 3, null);")
        let results = try await database.check(
            """
            checks:
              - name: x_positive
                kind: expression
                table: t
                expression: x > 0
                sample_columns: [id, ad_ids]
            """)
        let result = try #require(results.first)
        #expect(result.status == .fail)
        #expect(result.shownSampleColumns == ["id", "ad_ids"])
        #expect(result.sampleColumns == ["id", "note", "x", "ad_ids"])
        #expect(result.sampleRows == [["1", "a", "-1", "{1,2,3,4,5}"]])
    }
}
