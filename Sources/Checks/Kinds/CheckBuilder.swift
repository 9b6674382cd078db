import Foundation
import PostgresClient

/// The verdict and figures a kind draws from its query results.
struct Judgement: Sendable {
    var status: CheckStatus
    var observed: String
    var expected: String
    var message: String
    var metrics: [String: Double] = [:]
    var groups: [GroupResult] = []
    var sampleColumns: [String] = []
    var sampleRows: [[String?]] = []
}

/// How the failing rows of a failed check are fetched.
enum SampleRequest: Sendable {
    /// Rows of `table` satisfying `condition` (over alias `t`); fused with other checks on the table.
    case rows(table: String, condition: String)
    /// A query returning the sample rows, run as is (it carries its own limit).
    case query(String)
}

/// What the engine gives a kind to judge: one output per scan part, one result per query.
struct CheckOutputs: Sendable {
    var scans: [ScanOutput]
    var queries: [QueryResult]
}

/// The SQL builder of one check kind.
///
/// A builder says what it needs from each table (`scanParts`, fused by the engine with
/// the other checks on that table), which queries it runs alone (`queries`), how to judge
/// the figures, the SQL that lists all failing rows, and how to sample them.
protocol CheckBuilder: Sendable {
    /// Aggregates needed from tables; aliases start with `prefix`.
    func scanParts(prefix: String) throws -> [ScanPart]
    /// Queries run on their own (user SQL).
    func queries(sampleLimit: Int) throws -> [String]
    /// The verdict from the results.
    func judge(_ outputs: CheckOutputs) -> Judgement
    /// The pasteable SQL listing every failing row (or computing the figures).
    func failingRowsSQL() throws -> String
    /// How to fetch a sample of failing rows once the check failed; nil when the judgement has them.
    func sampleRequest(limit: Int) throws -> SampleRequest?
}

extension CheckBuilder {
    func queries(sampleLimit: Int) throws -> [String] { [] }
    func sampleRequest(limit: Int) throws -> SampleRequest? { nil }
}

/// Shared helpers for builders.
struct BuilderSupport {
    let definition: CheckDefinition
    let context: CheckContext

    /// The audited table's SQL name.
    func table() throws -> String {
        guard let table = definition.table else { throw TemplateError(message: "check has no table") }
        return context.sql(table)
    }

    /// The audited table's readable name.
    var tableLabel: String { definition.table.map(context.label) ?? "" }

    /// The rendered `where:` filter, parenthesised, or nil.
    func filter() throws -> String? {
        try definition.filter.map { "(" + (try SQLTemplate.render($0, context: context)) + ")" }
    }

    /// Renders user SQL text.
    func render(_ text: String) throws -> String { try SQLTemplate.render(text, context: context) }

    /// `t."column"`.
    func column(_ name: String) -> String { "t." + SQL.identifier(name) }

    /// A failing-row condition combined with the check's filter.
    func combined(_ condition: String) throws -> String {
        guard let filter = try filter() else { return condition }
        return "\(filter) and (\(condition))"
    }

    /// The standard verdict on a count of failing rows.
    func judgeCount(_ failing: Double, of total: Double, noun: String) -> Judgement {
        let status = definition.thresholds.judge(failing, severity: definition.severity)
        let observed = "\(formatNumber(failing)) \(noun)"
        let message =
            status == .pass
            ? "\(definition.name): no \(noun) in \(tableLabel) (\(formatNumber(total)) rows)"
            : "\(definition.name): \(formatNumber(failing)) \(noun) in \(tableLabel) (of \(formatNumber(total)) rows)"
        return Judgement(
            status: status, observed: observed, expected: definition.thresholds.expected, message: message,
            metrics: ["failing_rows": failing, "table_rows": total])
    }
}

/// The builder for a definition.
func builder(for definition: CheckDefinition, context: CheckContext) -> CheckBuilder {
    let support = BuilderSupport(definition: definition, context: context)
    switch definition.specification {
    case .notNull(let columns): return NotNullCheck(support: support, columns: columns)
    case .acceptedValues(let column, let values): return AcceptedValuesCheck(support: support, column: column, values: values)
    case .expression(let expression): return ExpressionCheck(support: support, expression: expression)
    case .relationship(let column, let to, let toColumn, let toFilter):
        return RelationshipCheck(support: support, column: column, to: to, toColumn: toColumn, toFilter: toFilter)
    case .unique(let columns): return UniqueCheck(support: support, columns: columns)
    case .rowCountMatch(let to, let toFilter, let key, let toKey):
        return RowCountMatchCheck(support: support, to: to, toFilter: toFilter, key: key, toKey: toKey)
    case .matchRate(let matched, let tierColumn, let dateColumn, let windowDays, let minimumRows, let thresholds):
        return MatchRateCheck(
            support: support, matched: matched, tierColumn: tierColumn, dateColumn: dateColumn, windowDays: windowDays,
            minimumRows: minimumRows, thresholds: thresholds)
    case .reconciliation(let left, let right, let bridge, let groupLabel, let absolute, let relative):
        return ReconciliationCheck(
            support: support, left: left, right: right, bridge: bridge, groupLabel: groupLabel, absoluteTolerance: absolute,
            relativeTolerance: relative)
    case .sql(let sql): return SQLQueryCheck(support: support, sql: sql)
    case .freshness(let column): return FreshnessCheck(support: support, column: column)
    case .anomaly(let specification): return AnomalyCheck(support: support, specification: specification)
    }
}
