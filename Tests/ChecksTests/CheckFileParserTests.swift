import Checks
import ReckonCore
import Testing

/// The check language: what parses, and the located errors of what does not.
@Suite struct CheckFileParserTests {
    func parseError(_ yaml: String) -> InputFileError? {
        do {
            _ = try CheckFileParser.parse(yaml, file: "checks/x.yml")
            return nil
        } catch let error as InputFileError {
            return error
        } catch {
            return nil
        }
    }

    @Test func parsesEveryCommonKeyAndDefaults() throws {
        let checks = try CheckFileParser.parse(
            """
            version: 1
            defaults: {table: mart_x, owner: team, tags: [base]}
            checks:
              - name: a
                kind: not_null
                columns: [id, name]
                severity: warn
                where: id > 0
                tags: [extra]
                warn_if: ">= 5"
              - name: b
                kind: relationship
                table: source('stripe_payments')
                column: subscription_id
                to: source('stripe_subscriptions')
                to_column: id
            """, file: "checks/x.yml")
        #expect(checks.count == 2)
        #expect(checks[0].table == .checked("mart_x"))
        #expect(checks[0].severity == .warn)
        #expect(checks[0].tags == ["base", "extra"])
        #expect(checks[0].owner == "team")
        #expect(checks[0].thresholds == Thresholds(errorIf: nil, warnIf: Condition(.greaterOrEqual, 5)))
        #expect(checks[0].line == 4)
        #expect(checks[1].table == .source("stripe_payments"))
        #expect(
            checks[1].specification
                == .relationship(column: "subscription_id", to: .source("stripe_subscriptions"), toColumn: "id", toFilter: nil))
    }

    struct BadInput: Sendable, CustomStringConvertible {
        let yaml: String
        let line: Int
        let column: Int
        let mentions: [String]
        var description: String { mentions.first ?? "" }
    }

    @Test(arguments: [
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: not_null\n    table: t\n    colums: [x]\n", line: 5, column: 5,
            mentions: ["unknown key 'colums'", "valid keys:", "columns"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: uniq\n    table: t\n", line: 3, column: 11,
            mentions: ["unknown kind 'uniq'", "unique, not_null, accepted_values"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: {a: 1}\n", line: 5, column: 14,
            mentions: ["must be a list"]),
        BadInput(
            yaml:
                "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n  - name: a\n    kind: not_null\n    table: t\n    columns: [x]\n",
            line: 6, column: 11, mentions: ["duplicate check name 'a'", "checks/x.yml:2"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    severity: fatal\n", line: 6, column: 15,
            mentions: ["unknown severity 'fatal'", "error, warn"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    error_if: 10\n", line: 6, column: 15,
            mentions: ["must be a condition", ">="]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: source('stripe')\n    columns: [x]\n", line: 4, column: 12,
            mentions: ["not a logical source", "stripe_payments"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: expression\n    table: t\n    expression: x > {{ sorce('a') }}\n", line: 5, column: 17,
            mentions: ["unknown placeholder function 'sorce'"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: sql\n    sql: [1]\n", line: 4, column: 10,
            mentions: ["must be a string"]),
        BadInput(yaml: "checks:\n  - name: a\n    kind: unique\n   table: t\n", line: 4, column: 4, mentions: ["invalid YAML"]),
    ])
    func badInputIsLocatedWithChoices(_ input: BadInput) throws {
        let error = try #require(parseError(input.yaml))
        #expect(error.file == "checks/x.yml")
        #expect(error.line == input.line, "\(error)")
        #expect(error.column == input.column, "\(error)")
        for mention in input.mentions { #expect(error.message.contains(mention), "\(error)") }
    }

    @Test func shippedChecksParse() throws {
        let checks = try CheckFileParser.load(directory: TestSupportPaths.checksDirectory)
        #expect(checks.count >= 15)
        #expect(Set(checks.map(\.name)).count == checks.count)
    }
}
