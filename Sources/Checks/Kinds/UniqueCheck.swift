import Foundation
import PostgresClient

/// `unique`: no two rows share the values of `columns`.
///
/// In the fused scan: `count(key) - count(distinct key)`, the rows beyond the first of each
/// key. Rows whose single key column is NULL are not compared (as in dbt).
struct UniqueCheck: CheckBuilder {
    let support: BuilderSupport
    let columns: [String]

    var keyExpression: String {
        columns.count == 1 ? support.column(columns[0]) : "row(" + columns.map(support.column).joined(separator: ", ") + ")"
    }

    func scanParts(prefix: String) throws -> [ScanPart] {
        var part = ScanPart(table: try support.table(), tableLabel: support.tableLabel)
        part.projections.append(Projection(alias: "\(prefix)_k", sql: keyExpression))
        if let filter = try support.filter() {
            part.projections.append(Projection(alias: "\(prefix)_w", sql: "coalesce(\(filter), false)"))
            part.scalars.append(
                Aggregate(
                    figure: "duplicate_rows",
                    sql: "count(\(prefix)_k) filter (where \(prefix)_w) - count(distinct \(prefix)_k) filter (where \(prefix)_w)"))
        } else {
            part.scalars.append(Aggregate(figure: "duplicate_rows", sql: "count(\(prefix)_k) - count(distinct \(prefix)_k)"))
        }
        return [part]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let scan = outputs.scans[0]
        var judgement = support.judgeCount(
            scan.scalars[0] ?? 0, of: scan.tableRows, noun: "duplicate rows of \(columns.joined(separator: ", "))")
        judgement.metrics["duplicate_rows"] = scan.scalars[0] ?? 0
        return judgement
    }

    func failingRowsSQL() throws -> String { try duplicateKeysSQL(limit: nil) }

    func sampleRequest(limit: Int) throws -> SampleRequest? { .query(try duplicateKeysSQL(limit: limit)) }

    func duplicateKeysSQL(limit: Int?) throws -> String {
        let keys = columns.map(support.column).joined(separator: ", ")
        let filter = try support.filter().map { " where \($0)" } ?? ""
        let notNull = columns.count == 1 ? (filter.isEmpty ? " where " : " and ") + "\(support.column(columns[0])) is not null" : ""
        let limitText = limit.map { " limit \($0)" } ?? ""
        return
            "select \(keys), count(*) as rows from \(try support.table()) as t\(filter)\(notNull) group by \(keys) having count(*) > 1 order by count(*) desc, \(keys)\(limitText)"
    }
}

/// `row_count_match`: the table has as many rows (after `where`) as `to` (after `to_where`).
///
/// The counts come from the fused scans of both tables. With `key`/`to_key`, the failing
/// rows are the keys whose row counts differ: missing, extra or duplicated.
struct RowCountMatchCheck: CheckBuilder {
    let support: BuilderSupport
    let to: TableReference
    let toFilter: String?
    let key: [String]
    let toKey: [String]

    func scanParts(prefix: String) throws -> [ScanPart] {
        var left = ScanPart(table: try support.table(), tableLabel: support.tableLabel)
        if let filter = try support.filter() {
            left.projections.append(Projection(alias: "\(prefix)_w", sql: "coalesce(\(filter), false)"))
            left.scalars.append(Aggregate(figure: "rows", sql: "count(*) filter (where \(prefix)_w)"))
        } else {
            left.scalars.append(Aggregate(figure: "rows", sql: "count(*)"))
        }
        var right = ScanPart(table: support.context.sql(to), tableLabel: support.context.label(to))
        if let toFilter {
            right.projections.append(Projection(alias: "\(prefix)_tw", sql: "coalesce((\(try support.render(toFilter))), false)"))
            right.scalars.append(Aggregate(figure: "other_rows", sql: "count(*) filter (where \(prefix)_tw)"))
        } else {
            right.scalars.append(Aggregate(figure: "other_rows", sql: "count(*)"))
        }
        return [left, right]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let rows = outputs.scans[0].scalars[0] ?? 0
        let otherRows = outputs.scans[1].scalars[0] ?? 0
        let difference = rows - otherRows
        let status = support.definition.thresholds.judge(difference, severity: support.definition.severity)
        let otherLabel = support.context.label(to)
        return Judgement(
            status: status, observed: "\(formatNumber(rows)) rows vs \(formatNumber(otherRows))",
            expected: support.definition.thresholds.expected + " (difference)",
            message: status == .pass
                ? "\(support.definition.name): \(support.tableLabel) has \(formatNumber(rows)) rows, as \(otherLabel)"
                : "\(support.definition.name): \(support.tableLabel) has \(formatNumber(rows)) rows, \(otherLabel) has \(formatNumber(otherRows)) (difference \(formatNumber(difference)))",
            metrics: ["rows": rows, "other_rows": otherRows, "difference": difference])
    }

    func failingRowsSQL() throws -> String {
        if key.isEmpty {
            return
                "select (select count(*) from \(try support.table()) as t\(try support.filter().map { " where \($0)" } ?? "")) as rows, (select count(*) from \(support.context.sql(to)) as o\(try toFilter.map { " where (\(try support.render($0)))" } ?? "")) as other_rows"
        }
        return try mismatchedKeysSQL(limit: nil)
    }

    func sampleRequest(limit: Int) throws -> SampleRequest? {
        key.isEmpty ? nil : .query(try mismatchedKeysSQL(limit: limit))
    }

    func mismatchedKeysSQL(limit: Int?) throws -> String {
        let keyNames = key.enumerated().map { "k\($0.offset)" }
        let leftKeys = key.enumerated().map { "t.\(SQL.identifier($0.element)) as k\($0.offset)" }.joined(separator: ", ")
        let rightKeys = toKey.enumerated().map { "o.\(SQL.identifier($0.element)) as k\($0.offset)" }.joined(separator: ", ")
        let groupList = keyNames.indices.map { String($0 + 1) }.joined(separator: ", ")
        let filter = try support.filter().map { " where \($0)" } ?? ""
        let otherFilter = try toFilter.map { " where (\(try support.render($0)))" } ?? ""
        let output = zip(key, keyNames).map { "coalesce(a.\($1), b.\($1)) as \(SQL.identifier($0))" }.joined(separator: ", ")
        let join = keyNames.map { "a.\($0) = b.\($0)" }.joined(separator: " and ")
        // The counts per key as materialized CTEs: on Citus two tables distributed apart cannot
        // be full-joined where they lie, so each side's counts are computed first (pushed down).
        return """
            with a as materialized (select \(leftKeys), count(*) as n from \(try support.table()) as t\(filter) group by \(groupList)),
            b as materialized (select \(rightKeys), count(*) as n from \(support.context.sql(to)) as o\(otherFilter) group by \(groupList))
            select \(output), coalesce(a.n, 0) as table_rows, coalesce(b.n, 0) as other_rows
            from a full join b on \(join)
            where coalesce(a.n, 0) <> coalesce(b.n, 0)
            order by 1\(limit.map { " limit \($0)" } ?? "")
            """
    }
}

/// `freshness`: hours since the newest value of `column`, judged by `error_if`/`warn_if`.
struct FreshnessCheck: CheckBuilder {
    let support: BuilderSupport
    let column: String

    func scanParts(prefix: String) throws -> [ScanPart] {
        var part = ScanPart(table: try support.table(), tableLabel: support.tableLabel)
        part.projections.append(Projection(alias: "\(prefix)_c", sql: support.column(column)))
        var newest = "max(\(prefix)_c)"
        if let filter = try support.filter() {
            part.projections.append(Projection(alias: "\(prefix)_w", sql: "coalesce(\(filter), false)"))
            newest = "max(\(prefix)_c) filter (where \(prefix)_w)"
        }
        part.scalars.append(
            Aggregate(figure: "age_hours", sql: "extract(epoch from (now() - (\(newest))::timestamptz)) / 3600"))
        return [part]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let name = support.definition.name
        guard let hours = outputs.scans[0].scalars[0] else {
            let status = support.definition.severity == .error ? CheckStatus.fail : .warn
            return Judgement(
                status: status, observed: "no rows", expected: support.definition.thresholds.expected,
                message: "\(name): \(support.tableLabel) has no \(column) value at all")
        }
        let status = support.definition.thresholds.judge(hours, severity: support.definition.severity)
        return Judgement(
            status: status, observed: String(format: "%.1f h old", hours),
            expected: support.definition.thresholds.expected + " (hours)",
            message: "\(name): newest \(column) of \(support.tableLabel) is \(String(format: "%.1f", hours)) hours old",
            metrics: ["age_hours": hours])
    }

    func failingRowsSQL() throws -> String {
        "select max(\(support.column(column))) as newest, now() - max(\(support.column(column))) as age from \(try support.table()) as t\(try support.filter().map { " where \($0)" } ?? "")"
    }
}

/// `sql`: a query whose rows are the failures; the figure judged is their number.
struct SQLQueryCheck: CheckBuilder {
    let support: BuilderSupport
    let sql: String

    var userSQL: String {
        get throws {
            var text = try support.render(sql).trimmingCharacters(in: .whitespacesAndNewlines)
            while text.hasSuffix(";") { text.removeLast() }
            return text
        }
    }

    func scanParts(prefix: String) throws -> [ScanPart] { [] }

    func queries(sampleLimit: Int) throws -> [String] {
        // One execution: the total comes from a window over all rows, the sample from the limit.
        [
            "-- reckon check: \(support.definition.name)\nselect q.*, count(*) over () as \"__reckon_total\" from (\n\(try userSQL)\n) as q limit \(max(sampleLimit, 1))"
        ]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let result = outputs.queries[0]
        let totalIndex = result.columnIndex("__reckon_total") ?? result.columnNames.count - 1
        let total = result.rows.first.flatMap { $0[totalIndex] }.flatMap(Double.init) ?? 0
        var judgement = support.judgeCount(total, of: total, noun: "failing rows")
        judgement.message =
            judgement.status == .pass
            ? "\(support.definition.name): the query returned no rows"
            : "\(support.definition.name): the query returned \(formatNumber(total)) failing rows"
        judgement.metrics = ["failing_rows": total]
        if judgement.status != .pass {
            let keep = result.columnNames.indices.filter { $0 != totalIndex }
            judgement.sampleColumns = keep.map { result.columnNames[$0] }
            judgement.sampleRows = result.rows.prefix(support.definition.sampleRows ?? support.context.configuration.checkSampleRows)
                .map { row in keep.map { row[$0] } }
        }
        return judgement
    }

    func failingRowsSQL() throws -> String { try userSQL }
}
