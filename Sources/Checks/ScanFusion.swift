import Foundation
import PostgresClient

/// A row-level expression a check needs from a table, named so aggregates can use it.
struct Projection: Sendable {
    let alias: String
    let sql: String
}

/// One figure a check computes in a scan: its name (`failing_rows`, `matched`) and its
/// aggregate SQL over projection aliases. The figure names the result column.
struct Aggregate: Sendable {
    let figure: String
    let sql: String
}

/// Aggregates of a check computed per group (match-rate tiers and days, reconciliation groups).
struct Grouping: Sendable {
    /// The grouping's name within its check (`groups`, `left`).
    var name: String
    /// Projection aliases used as group keys (one or two).
    var keys: [String]
    /// The grouping sets, each a subset of `keys`.
    var sets: [[String]]
    /// A boolean projection alias restricting the grouped rows.
    var filter: String?
    /// Aggregates over projection aliases.
    var aggregates: [Aggregate]
    /// A projection alias holding the whole table row (`t`), when the aggregates are SQL over
    /// the table's own columns (an anomaly's `metric`): the grouped branch then reads the
    /// row's columns as `t` beside the projection, with its keys qualified by `s.`.
    var rowAlias: String? = nil
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
    var scalars: [Aggregate] = []
    var groupings: [Grouping] = []
}

/// The key of a group in a scan result, typed so that SQL NULL and "all groups" (the key is
/// not part of the row's grouping set, `grouping(key) = 1`) never collide with a real value.
enum GroupKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The row aggregates over every value of this key.
    case all
    /// The rows whose key is SQL NULL.
    case null
    /// The rows whose key has this value (as text).
    case value(String)

    /// The value, when the key has one.
    var text: String? {
        if case .value(let text) = self { return text }
        return nil
    }

    /// For people: the value, `(null)` or `all`.
    var description: String {
        switch self {
        case .all: return "all"
        case .null: return "(null)"
        case .value(let text): return text
        }
    }
}

/// One row of a grouping's result.
struct GroupRow: Sendable {
    /// Key values, aligned with `Grouping.keys`.
    var keys: [GroupKey]
    /// Aggregate values, aligned with `Grouping.aggregates`.
    var values: [Double?]
}

/// What a scan part computed.
struct ScanOutput: Sendable {
    /// Rows of the table (no filter).
    var tableRows: Double
    /// The part's scalar aggregates, aligned with `ScanPart.scalars`.
    var scalars: [Double?]
    /// Rows of each grouping, aligned with `ScanPart.groupings`.
    var groupings: [[GroupRow]]
}

/// The result columns of one part in a fused scan, all named after its check:
/// `<check>:<figure>` (a check name holds no `:`, so two checks never share a column).
struct PartColumns: Sendable {
    /// One column per scalar aggregate.
    var scalars: [String]
    /// Per grouping: the value of the `grouping` column marking its rows, and one column per aggregate.
    var groupings: [(tag: String, aggregates: [String])]

    /// PostgreSQL truncates names to 63 bytes; longer ones fall back to the check's number.
    static let maximumLength = 63

    /// The columns of `part` of the check `name` (number `index` in the run).
    init(part: ScanPart, check name: String, index: Int) {
        func column(_ readable: String, _ fallback: String) -> String {
            readable.utf8.count <= Self.maximumLength ? readable : "c\(index).\(fallback)"
        }
        scalars = part.scalars.enumerated().map { column("\(name):\($0.element.figure)", "s\($0.offset)") }
        groupings = part.groupings.enumerated().map { groupingIndex, grouping in
            let tag = column("\(name):\(grouping.name)", "g\(groupingIndex)")
            let aggregates = grouping.aggregates.enumerated().map {
                column("\(name):\(grouping.name).\($0.element.figure)", "g\(groupingIndex).a\($0.offset)")
            }
            return (tag, aggregates)
        }
    }
}

/// A part of a check placed in a fused scan, with its result columns.
struct ScanMember: Sendable {
    let check: CheckID
    /// The index of the part among the check's parts.
    let partIndex: Int
    let part: ScanPart
    let columns: PartColumns
}

/// Assembles the fused query of one table and decodes its result by column name.
enum ScanQuery {
    /// The column holding the table's row count.
    static let rowsColumn = "rows"
    /// The column whose value says which grouping a row belongs to (NULL: the scalar row).
    static let groupingColumn = "grouping"

    /// The SQL of one scan computing every member's aggregates; `header` becomes its first comment.
    static func sql(table: String, members: [ScanMember], header: String) -> String {
        let projections = members.flatMap(\.part.projections)
        let projectionList = projections.map { "\($0.sql) as \($0.alias)" }.joined(separator: ",\n    ")
        let scalarColumns = members.flatMap { zip($0.part.scalars, $0.columns.scalars) }
        let hasGroupings = members.contains { !$0.part.groupings.isEmpty }
        if !hasGroupings {
            let selectList =
                ["count(*)::numeric as \(SQL.identifier(rowsColumn))"]
                + scalarColumns.map { "(\($0.0.sql))::numeric as \(SQL.identifier($0.1))" }
            return """
                -- \(header)
                select \(selectList.joined(separator: ",\n  "))
                from (select \(projectionList) from \(table) as t) as s
                """
        }
        let groupingColumns = members.flatMap { $0.columns.groupings.flatMap(\.aggregates) }
        // Every branch lists every column; each fills its own and leaves the others NULL.
        var scalarBranch = ["null::text as \(SQL.identifier(groupingColumn))"]
        scalarBranch += ["null::text as key_1", "null::int as grouped_1", "null::text as key_2", "null::int as grouped_2"]
        scalarBranch.append("count(*)::numeric as \(SQL.identifier(rowsColumn))")
        scalarBranch += scalarColumns.map { "(\($0.0.sql))::numeric as \(SQL.identifier($0.1))" }
        scalarBranch += groupingColumns.map { "null::numeric as \(SQL.identifier($0))" }
        var branches = ["select " + scalarBranch.joined(separator: ", ") + "\nfrom s"]
        for member in members {
            for (grouping, columns) in zip(member.part.groupings, member.columns.groupings) {
                var list = [SQL.literal(columns.tag)]
                let qualifier = grouping.rowAlias == nil ? "" : "s."
                for position in 0..<2 {
                    if position < grouping.keys.count {
                        let key = qualifier + grouping.keys[position]
                        list += ["(\(key))::text", "grouping(\(key))"]
                    } else {
                        list += ["null", "null"]
                    }
                }
                list.append("null")
                list += scalarColumns.map { _ in "null" }
                let own = Dictionary(uniqueKeysWithValues: zip(columns.aggregates, grouping.aggregates.map(\.sql)))
                list += groupingColumns.map { column in own[column].map { "(\($0))::numeric" } ?? "null" }
                let sets = grouping.sets.map { "(" + $0.map { qualifier + $0 }.joined(separator: ", ") + ")" }
                    .joined(separator: ", ")
                let filter = grouping.filter.map { " where \(qualifier)\($0)" } ?? ""
                let source = grouping.rowAlias.map { "s cross join lateral (select (s.\($0)).*) as t" } ?? "s"
                branches.append(
                    "select " + list.joined(separator: ", ") + "\nfrom \(source)\(filter) group by grouping sets (\(sets))")
            }
        }
        return """
            -- \(header)
            with s as materialized (select \(projectionList) from \(table) as t)
            \(branches.joined(separator: "\nunion all\n"))
            """
    }

    /// Decodes the result of `sql(table:members:header:)` into one output per member, by column name.
    static func outputs(_ result: QueryResult, members: [ScanMember]) throws -> [ScanOutput] {
        func index(_ name: String) throws -> Int {
            guard let index = result.columnIndex(name) else {
                throw PostgresError(kind: .client, message: "the scan returned no column \(name)")
            }
            return index
        }
        let groupingIndex = result.columnIndex(groupingColumn)
        let rowsIndex = try index(rowsColumn)
        guard let scalarRow = result.rows.first(where: { row in groupingIndex.map { row[$0] == nil } ?? true }),
            let tableRows = scalarRow[rowsIndex].flatMap(Double.init)
        else {
            throw PostgresError(kind: .client, message: "the scan returned no row count")
        }
        var groupedRows: [String: [[String?]]] = [:]
        if let groupingIndex {
            for row in result.rows { if let tag = row[groupingIndex] { groupedRows[tag, default: []].append(row) } }
        }
        let keyIndices = groupingIndex == nil ? [] : [try index("key_1"), try index("key_2")]
        let groupedIndices = groupingIndex == nil ? [] : [try index("grouped_1"), try index("grouped_2")]
        return try members.map { member in
            let scalars = try member.columns.scalars.map { scalarRow[try index($0)].flatMap(Double.init) }
            let groupings = try zip(member.part.groupings, member.columns.groupings).map { grouping, columns in
                let aggregateIndices = try columns.aggregates.map(index)
                return (groupedRows[columns.tag] ?? []).map { row in
                    GroupRow(
                        keys: grouping.keys.indices.map { position in
                            if row[groupedIndices[position]] == "1" { return .all }
                            return row[keyIndices[position]].map(GroupKey.value) ?? .null
                        },
                        values: aggregateIndices.map { row[$0].flatMap(Double.init) })
                }
            }
            return ScanOutput(tableRows: tableRows, scalars: scalars, groupings: groupings)
        }
    }
}
