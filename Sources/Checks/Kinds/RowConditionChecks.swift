import Foundation
import PostgresClient

/// A check whose failures are the rows satisfying one condition (not_null, accepted_values,
/// expression, relationship): one `count(*) filter (…)` in the table's fused scan, and the
/// failing rows are `select * from table where condition`.
protocol RowConditionCheck: CheckBuilder {
    var support: BuilderSupport { get }
    /// The condition a failing row satisfies, over alias `t`, without the check's filter.
    func failingCondition() throws -> String
    /// What a failing row is, for messages ("NULL values").
    var noun: String { get }
}

extension RowConditionCheck {
    func scanParts(prefix: String) throws -> [ScanPart] {
        let condition = try support.combined(try failingCondition())
        return [
            ScanPart(
                table: try support.table(), tableLabel: support.tableLabel,
                projections: [Projection(alias: "\(prefix)_f", sql: "coalesce(\(condition), false)")],
                scalars: [Aggregate(figure: "failing_rows", sql: "count(*) filter (where \(prefix)_f)")])
        ]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let scan = outputs.scans[0]
        return support.judgeCount(scan.scalars[0] ?? 0, of: scan.tableRows, noun: noun)
    }

    func failingRowsSQL() throws -> String {
        "select t.* from \(try support.table()) as t where \(try support.combined(try failingCondition()))"
    }

    func sampleRequest(limit: Int) throws -> SampleRequest? {
        .rows(table: try support.table(), condition: try support.combined(try failingCondition()))
    }
}

/// `not_null`: none of `columns` is NULL.
struct NotNullCheck: RowConditionCheck {
    let support: BuilderSupport
    let columns: [String]
    var noun: String { "rows with NULL \(columns.joined(separator: "/"))" }
    func failingCondition() throws -> String {
        columns.map { "\(support.column($0)) is null" }.joined(separator: " or ")
    }
}

/// `accepted_values`: `column` (as text) is one of `values`; NULL is left to `not_null`.
struct AcceptedValuesCheck: RowConditionCheck {
    let support: BuilderSupport
    let column: String
    let values: [String]
    var noun: String { "rows with \(column) outside the accepted values" }
    func failingCondition() throws -> String {
        let list = values.map(SQL.literal).joined(separator: ", ")
        return "\(support.column(column)) is not null and (\(support.column(column)))::text not in (\(list))"
    }
}

/// `expression`: a boolean SQL expression every row satisfies (NULL counts as not satisfied).
struct ExpressionCheck: RowConditionCheck {
    let support: BuilderSupport
    let expression: String
    var noun: String { "rows violating the expression" }
    func failingCondition() throws -> String { "not coalesce((\(try support.render(expression))), false)" }
}

/// `relationship`: every non-NULL value of `column` exists in `to.toColumn`.
struct RelationshipCheck: RowConditionCheck {
    let support: BuilderSupport
    let column: String
    let to: TableReference
    let toColumn: String
    let toFilter: String?
    var noun: String { "rows whose \(column) is missing from \(support.context.label(to)).\(toColumn)" }
    func failingCondition() throws -> String {
        let other = SQL.identifier(toColumn)
        var inner = "select o.\(other) from \(support.context.sql(to)) as o where o.\(other) is not null"
        if let toFilter { inner += " and (\(try support.render(toFilter)))" }
        // NOT IN over a non-NULL list is planned as a hashed subplan: one pass over `to`.
        return "\(support.column(column)) is not null and \(support.column(column)) not in (\(inner))"
    }
}
