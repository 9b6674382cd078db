import Foundation
import PostgresClient

/// A row-level expression a check needs from a table, named so aggregates can use it.
struct Projection: Sendable {
    let alias: String
    let sql: String
}

/// Aggregates of a check computed per group (match-rate tiers and days, reconciliation groups).
struct Grouping: Sendable {
    /// Projection aliases used as group keys (one or two).
    var keys: [String]
    /// The grouping sets, each a subset of `keys`.
    var sets: [[String]]
    /// A boolean projection alias restricting the grouped rows.
    var filter: String?
    /// Aggregate expressions over projection aliases.
    var aggregates: [String]
}

/// One check's contribution to a scan of one table: what it projects from each row and the
/// aggregates it needs, overall and per group. Parts of several checks on the same table
/// are fused into one query (one scan).
struct ScanPart: Sendable {
    /// The table's quoted SQL name.
    var table: String
    /// The table's readable name.
    var tableLabel: String
    var projections: [Projection] = []
    var scalars: [String] = []
    var groupings: [Grouping] = []
}

/// One row of a grouping's result.
struct GroupRow: Sendable {
    /// Key values (text), aligned with `Grouping.keys`; nil for NULL or a key not in the set.
    var keys: [String?]
    /// Whether each key is part of this row's grouping set.
    var grouped: [Bool]
    /// Aggregate values.
    var values: [Double?]
}

/// What a scan part computed.
struct ScanOutput: Sendable {
    /// Rows of the table (no filter).
    var tableRows: Double
    /// The part's scalar aggregates, in order.
    var scalars: [Double?]
    /// Rows of each grouping, in order.
    var groupings: [[GroupRow]]
}

/// Assembles the fused query of one table and splits its result back into parts.
enum ScanQuery {
    /// The SQL of one scan computing every part's aggregates.
    static func sql(table: String, parts: [ScanPart], name: String) -> String {
        let projections = parts.flatMap(\.projections)
        let scalars = ["count(*)"] + parts.flatMap(\.scalars)
        let projectionList = projections.isEmpty ? "" : projections.map { "\($0.sql) as \($0.alias)" }.joined(separator: ",\n    ")
        let valueArray = "array[" + scalars.map { "(\($0))::numeric" }.joined(separator: ", ") + "]::numeric[]"
        let hasGroupings = parts.contains { !$0.groupings.isEmpty }
        if !hasGroupings {
            return """
                -- reckon check scan: \(name)
                select \(valueArray) as v
                from (select \(projectionList) from \(table) as t) as s
                """
        }
        var branches = ["select 'scalar' as part, null::text as gs, null::text as g1, null::text as g2, \(valueArray) as v from s"]
        for (partIndex, part) in parts.enumerated() {
            for (groupingIndex, grouping) in part.groupings.enumerated() {
                let bits = grouping.keys.map { "grouping(\($0))::text" }.joined(separator: " || ")
                let first = "(\(grouping.keys[0]))::text"
                let second = grouping.keys.count > 1 ? "(\(grouping.keys[1]))::text" : "null::text"
                let values = "array[" + grouping.aggregates.map { "(\($0))::numeric" }.joined(separator: ", ") + "]::numeric[]"
                let sets = grouping.sets.map { "(" + $0.joined(separator: ", ") + ")" }.joined(separator: ", ")
                let filter = grouping.filter.map { " where \($0)" } ?? ""
                branches.append(
                    "select 'p\(partIndex)g\(groupingIndex)', \(bits), \(first), \(second), \(values) from s\(filter) group by grouping sets (\(sets))"
                )
            }
        }
        return """
            -- reckon check scan: \(name)
            with s as materialized (select \(projectionList) from \(table) as t)
            \(branches.joined(separator: "\nunion all\n"))
            """
    }

    /// Splits the result of `sql(table:parts:)` into one output per part.
    static func outputs(_ result: QueryResult, parts: [ScanPart]) throws -> [ScanOutput] {
        var scalarValues: [Double?] = []
        var grouped: [String: [GroupRow]] = [:]
        if result.columnNames.count == 1 {
            scalarValues = parseArray(result.rows.first?.first ?? nil)
        } else {
            for row in result.rows {
                let part = row[0] ?? ""
                if part == "scalar" {
                    scalarValues = parseArray(row[4])
                } else {
                    let bits = Array(row[1] ?? "")
                    let groupRow = GroupRow(
                        keys: [row[2], row[3]], grouped: bits.map { $0 == "0" }, values: parseArray(row[4]))
                    grouped[part, default: []].append(groupRow)
                }
            }
        }
        guard let tableRows = scalarValues.first ?? nil else {
            throw PostgresError(kind: .client, message: "the scan returned no row count")
        }
        var offset = 1
        var outputs: [ScanOutput] = []
        for (partIndex, part) in parts.enumerated() {
            let scalars = Array(scalarValues[offset..<(offset + part.scalars.count)])
            offset += part.scalars.count
            let groupings = part.groupings.indices.map { grouped["p\(partIndex)g\($0)"] ?? [] }
            outputs.append(ScanOutput(tableRows: tableRows, scalars: scalars, groupings: groupings))
        }
        return outputs
    }

    /// Parses PostgreSQL's text form of a numeric[] (`{1,2.5,NULL}`).
    static func parseArray(_ text: String?) -> [Double?] {
        guard let text, text.count >= 2 else { return [] }
        return text.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map {
            $0 == "NULL" ? nil : Double(String($0))
        }
    }
}
