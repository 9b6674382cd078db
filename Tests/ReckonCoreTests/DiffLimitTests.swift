import Foundation
import ReckonCore
import Testing

@Suite struct DiffLimitTests {
    func configuration(_ yaml: String) throws -> Configuration {
        let path = NSTemporaryDirectory() + "reckon-diff-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: [:])
    }

    @Test func defaultsAreTheDocumentedOnes() {
        #expect(Configuration().diffLimits.map(\.description) == ["rows_changed_pct > 1", "match_rate_points > 2", "revenue_changed: any"])
    }

    @Test func shippedReckonYmlStatesTheDefaults() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let shipped = try Configuration.load(path: url.appendingPathComponent("reckon.yml").path, environment: [:])
        #expect(shipped.diffLimits == Configuration().diffLimits)
    }

    @Test(arguments: [
        ("any", DiffLimit(measure: .spendChanged, comparison: .any)),
        ("> 1.5", DiffLimit(measure: .spendChanged, comparison: .greater, threshold: 1.5)),
        (">=2", DiffLimit(measure: .spendChanged, comparison: .greaterOrEqual, threshold: 2)),
        ("3", DiffLimit(measure: .spendChanged, comparison: .greater, threshold: 3)),
    ])
    func conditionsParse(text: String, expected: DiffLimit) {
        #expect(DiffLimit.parse(measure: .spendChanged, condition: text) == expected)
    }

    @Test(arguments: ["< 1", "> -1", "some", ">", "nan"])
    func badConditionsDoNotParse(text: String) {
        #expect(DiffLimit.parse(measure: .spendChanged, condition: text) == nil)
    }

    @Test(arguments: [(0.0, false), (1.0, false), (1.01, true), (-2.0, true)])
    func greaterIsCrossedByMagnitude(value: Double, crossed: Bool) {
        #expect(DiffLimit(measure: .rowsChanged, comparison: .greater, threshold: 1).isCrossed(by: value) == crossed)
    }

    @Test func fileReplacesTheDefaults() throws {
        let loaded = try configuration("diff:\n  fail_if:\n    rows_changed: \">= 10\"\n    spend_changed: any\n")
        #expect(loaded.diffLimits.map(\.description) == ["rows_changed >= 10", "spend_changed: any"])
        #expect(try configuration("diff:\n  fail_if: {}\n").diffLimits == [])
    }

    @Test func unknownMeasureNamesItsLocation() throws {
        #expect {
            _ = try configuration("diff:\n  fail_if:\n    revenue_changd: any\n")
        } throws: { error in
            String(describing: error).contains(":3:5: unknown measure 'revenue_changd' in diff.fail_if; valid measures: rows_changed_pct")
        }
        #expect {
            _ = try configuration("diff:\n  fail_if:\n    revenue_changed: lots\n")
        } throws: { error in
            String(describing: error).contains(
                ":3:22: diff.fail_if.revenue_changed must be any, \"> N\", \">= N\" or a number N ≥ 0, found 'lots'")
        }
    }
}
