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
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    error_if: > 0\n", line: 6, column: 15,
            mentions: ["quote it", "error_if: \"> 0\""]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    warn_if: >= 5\n", line: 6, column: 14,
            mentions: ["quote it", "warn_if: \">= 5\""]),
        BadInput(
            yaml:
                "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    error_if: \"> 0\"\n    warn_if: \"> 10\"\n",
            line: 7, column: 14, mentions: ["warn_if \"> 10\" can never fire", "error_if \"> 0\""]),
        BadInput(
            yaml:
                "checks:\n  - name: a\n    kind: match_rate\n    table: t\n    tier_column: tier\n    overall: {error_if: \"< 0.85\", warn_if: \"< 0.6\"}\n",
            line: 6, column: 44, mentions: ["'overall' of check 'a'", "warn_if \"< 0.6\" can never fire"]),
        BadInput(
            yaml:
                "checks:\n  - name: a\n    kind: match_rate\n    table: t\n    tier_column: tier\n    overall: {error_if: \"< 0.5\"}\n    tiers: {ad_id: {error_if: \"< 0.3\", warn_if: \"< 0.2\"}}\n",
            line: 7, column: 49, mentions: ["tier 'ad_id'", "can never fire"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    sample_rows: -1\n", line: 6, column: 18,
            mentions: ["'sample_rows' of check 'a' must be between 0 and 10000, found -1"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    sample_rows: 9999999999999999\n",
            line: 6, column: 18, mentions: ["must be between 0 and 10000"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    timeout_seconds: 9999999999999999\n",
            line: 6, column: 22, mentions: ["'timeout_seconds' of check 'a' must be between 1 and 86400"]),
        BadInput(
            yaml: "checks:\n  - name: a\n    kind: unique\n    table: t\n    columns: [x]\n    timeout_seconds: -1\n", line: 6, column: 22,
            mentions: ["must be between 1 and 86400"]),
    ])
    func badInputIsLocatedWithChoices(_ input: BadInput) throws {
        let error = try #require(parseError(input.yaml))
        #expect(error.file == "checks/x.yml")
        #expect(error.line == input.line, "\(error)")
        #expect(error.column == input.column, "\(error)")
        for mention in input.mentions { #expect(error.message.contains(mention), "\(error)") }
    }

    @Test func everyMistakeIsReportedAtOnce() throws {
        let yaml = """
            checks:
              - name: a
                kind: unique
                table: t
                colums: [x]
              - name: fine
                kind: unique
                table: t
                columns: [x]
              - name: b
                kind: uniqe
                table: t
              - name: c
                kind: not_null
                table: t
                columns: [x]
                error_if: "< 0.9"
                warn_if: "< 0.5"
            """
        do {
            _ = try CheckFileParser.parse(yaml, file: "checks/x.yml")
            Issue.record("parsed a file with three mistakes")
        } catch let errors as InputFileErrors {
            #expect(errors.errors.map(\.line) == [5, 11, 18])
            #expect(errors.errors.allSatisfy { $0.file == "checks/x.yml" && $0.column > 0 })
            #expect(errors.description.split(separator: "\n").count == 3)
            #expect(errors.description.hasPrefix("checks/x.yml:5:5: unknown key 'colums'"))
        }
    }

    struct Implication: Sendable, CustomStringConvertible {
        let warn: String
        let error: String
        let neverFires: Bool
        var description: String { "warn_if \(warn), error_if \(error)" }
    }

    @Test(arguments: [
        Implication(warn: "< 0.6", error: "< 0.85", neverFires: true),
        Implication(warn: "< 0.85", error: "< 0.6", neverFires: false),
        Implication(warn: "< 0.6", error: "< 0.6", neverFires: true),
        Implication(warn: "<= 0.6", error: "< 0.6", neverFires: false),
        Implication(warn: "> 10", error: "> 0", neverFires: true),
        Implication(warn: "> 0", error: "> 10", neverFires: false),
        Implication(warn: ">= 10", error: "> 10", neverFires: false),
        Implication(warn: "= 3", error: "> 0", neverFires: true),
        Implication(warn: "!= 0", error: "!= 0", neverFires: true),
        Implication(warn: "> 5", error: "!= 0", neverFires: true),
        Implication(warn: "> 0", error: "!= 0", neverFires: true),
        Implication(warn: ">= 0", error: "!= 0", neverFires: false),
        Implication(warn: "< 5", error: "> 10", neverFires: false),
        Implication(warn: "!= 1", error: "> 0", neverFires: false),
    ])
    func warnIfThatCanNeverFireIsFound(_ pair: Implication) throws {
        let thresholds = Thresholds(errorIf: Condition.parse(pair.error), warnIf: Condition.parse(pair.warn))
        #expect(thresholds.errorIf != nil && thresholds.warnIf != nil)
        #expect((thresholds.unreachableWarning != nil) == pair.neverFires)
    }

    @Test func checkSQLFollowsTheModelsRuleForBracesThatAreNoPlaceholder() throws {
        let context = CheckContext(configuration: Configuration(), checkedSchema: "analytics")
        let text = "v <> '{{ ad.id }}' and w = '{{campaign.name}}' and x = '{{' and t = {{ ref('mart_x') }}"
        #expect(
            try SQLTemplate.render(text, context: context)
                == "v <> '{{ ad.id }}' and w = '{{campaign.name}}' and x = '{{' and t = \"analytics\".\"mart_x\"")
        #expect(SQLTemplate.problem(in: "utm like '{{%'") == nil)
    }

    @Test func shippedChecksParse() throws {
        let checks = try CheckFileParser.load(directory: TestSupportPaths.checksDirectory)
        #expect(checks.count >= 15)
        #expect(Set(checks.map(\.name)).count == checks.count)
    }
}
