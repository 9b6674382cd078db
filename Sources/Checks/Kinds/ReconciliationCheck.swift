import Foundation
import PostgresClient

/// `reconciliation`: `left = right + Σ bridge`, per group, within the tolerance.
///
/// Table sides (`table` + `sum`/`count` + `where` + `group`) are aggregates in their table's
/// fused scan; `sql` sides run as their own query and return `value` (ungrouped) or
/// `group, value`. Each group keeps both sides, every bridge term and the difference; a
/// bridge term may also be judged on its share of the left side (e.g. unattributed revenue).
struct ReconciliationCheck: CheckBuilder {
    let support: BuilderSupport
    let left: AggregateSide
    let right: AggregateSide
    let bridge: [AggregateSide]
    let groupLabel: String?
    let absoluteTolerance: Double
    let relativeTolerance: Double

    var terms: [AggregateSide] { [left, right] + bridge }
    var context: CheckContext { support.context }

    func scanParts(prefix: String) throws -> [ScanPart] {
        try terms.enumerated().compactMap { index, term -> ScanPart? in
            guard let table = term.table else { return nil }
            let alias = "\(prefix)_\(index)"
            var part = ScanPart(table: context.sql(table), tableLabel: context.label(table))
            let valueAlias = "\(alias)_v"
            var filterAlias: String?
            if let filter = term.filter {
                filterAlias = "\(alias)_w"
                part.projections.append(
                    Projection(alias: "\(alias)_w", sql: "coalesce((\(try support.render(filter))), false)"))
            }
            // Grouped terms filter the grouped branch; scalar ones filter the aggregate.
            let filterClause = term.group == nil ? (filterAlias.map { " filter (where \($0))" } ?? "") : ""
            let figure = index == 0 ? "left" : index == 1 ? "right" : "bridge.\(term.label)"
            let aggregate: String
            if let sum = term.sum {
                part.projections.append(Projection(alias: valueAlias, sql: "(\(try support.render(sum)))"))
                aggregate = "coalesce(sum(\(valueAlias))\(filterClause), 0)"
            } else if let count = term.count, count != "*" {
                part.projections.append(Projection(alias: valueAlias, sql: "(\(try support.render(count)))"))
                aggregate = "count(\(valueAlias))\(filterClause)"
            } else {
                aggregate = "count(*)\(filterClause)"
            }
            if let group = term.group {
                part.projections.append(Projection(alias: "\(alias)_g", sql: "(\(try support.render(group)))::text"))
                part.groupings.append(
                    Grouping(
                        name: figure, keys: ["\(alias)_g"], sets: [["\(alias)_g"]], filter: filterAlias,
                        aggregates: [Aggregate(figure: "value", sql: aggregate)]))
            } else {
                part.scalars.append(Aggregate(figure: figure, sql: aggregate))
            }
            return part
        }
    }

    func queries(sampleLimit: Int) throws -> [String] {
        try terms.compactMap { term in
            guard let sql = term.sql else { return nil }
            return "-- reckon reconciliation term: \(support.definition.name) \(term.label)\nselect * from (\n\(try cleaned(sql))\n) as q"
        }
    }

    func cleaned(_ sql: String) throws -> String {
        var text = try support.render(sql).trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast() }
        return text
    }

    /// Each term's value per group key (`.all` when ungrouped; `.null` for a NULL group).
    func values(_ outputs: CheckOutputs) -> [[GroupKey: Double]] {
        var scanIndex = 0
        var queryIndex = 0
        return terms.map { term in
            if term.table != nil {
                let scan = outputs.scans[scanIndex]
                scanIndex += 1
                if term.group != nil {
                    var byGroup: [GroupKey: Double] = [:]
                    for row in scan.groupings[0] { byGroup[row.keys[0], default: 0] += row.values[0] ?? 0 }
                    return byGroup
                }
                return [.all: scan.scalars[0] ?? 0]
            }
            let result = outputs.queries[queryIndex]
            queryIndex += 1
            // `value` by name (else the last column); the group is the first other column.
            let valueIndex = result.columnIndex("value") ?? result.columnNames.count - 1
            let groupIndex = result.columnNames.indices.first { $0 != valueIndex }
            var byGroup: [GroupKey: Double] = [:]
            for row in result.rows {
                let value = row[valueIndex].flatMap { Double($0) } ?? 0
                var key = GroupKey.all
                if groupLabel != nil, let groupIndex { key = row[groupIndex].map(GroupKey.value) ?? .null }
                byGroup[key, default: 0] += value
            }
            return byGroup
        }
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let definition = support.definition
        let perTerm = values(outputs)
        let keys = Set(perTerm.flatMap(\.keys)).sorted()
        var groups: [GroupResult] = []
        var totals = Array(repeating: 0.0, count: terms.count)
        var failingRows: [[String?]] = []
        for key in keys {
            let termValues = perTerm.map { $0[key] ?? 0 }
            for index in termValues.indices { totals[index] += termValues[index] }
            let difference = termValues[0] - termValues[1] - termValues.dropFirst(2).reduce(0, +)
            let allowed = max(absoluteTolerance, relativeTolerance * abs(termValues[0]))
            let ok = abs(difference) <= allowed + 1e-9
            let status: CheckStatus = ok ? .pass : (definition.severity == .error ? .fail : .warn)
            var namedValues = ["left": termValues[0], "right": termValues[1], "difference": difference]
            for (index, term) in bridge.enumerated() { namedValues["bridge.\(term.label)"] = termValues[index + 2] }
            let groupKey = groupLabel.map { "\($0)=\(key)" } ?? key.description
            groups.append(
                GroupResult(
                    key: groupKey, status: status,
                    observed:
                        "\(formatAmount(termValues[0])) vs \(formatAmount(termValues[1] + termValues.dropFirst(2).reduce(0, +))) (difference \(formatAmount(difference)))",
                    expected: "|difference| ≤ \(formatNumber(allowed))", values: namedValues))
            if !ok { failingRows.append([groupKey] + termValues.map { formatAmount($0) } + [formatAmount(difference)]) }
        }
        var shareProblems: [String] = []
        for (index, term) in bridge.enumerated() {
            guard let limits = term.shareThresholds else { continue }
            let share = totals[0] != 0 ? totals[index + 2] / totals[0] : 0
            let status = limits.judge(share, severity: definition.severity)
            groups.append(
                GroupResult(
                    key: "share.\(term.label)", status: status, observed: formatRate(share), expected: limits.expected,
                    values: ["share": share, "amount": totals[index + 2], "left": totals[0]]))
            if status != .pass { shareProblems.append("\(term.label) is \(formatRate(share)) of \(left.label) (\(limits.expected))") }
        }
        let totalDifference = totals[0] - totals[1] - totals.dropFirst(2).reduce(0, +)
        let failingGroups = groups.filter { $0.status != .pass && !$0.key.hasPrefix("share.") }
        var message =
            "\(definition.name): \(left.label) \(formatAmount(totals[0])) = \(right.label) \(formatAmount(totals[1]))"
            + bridge.enumerated().map { " + \($0.element.label) \(formatAmount(totals[$0.offset + 2]))" }.joined()
            + ", difference \(formatAmount(totalDifference))"
        if !failingGroups.isEmpty {
            message +=
                "; \(failingGroups.count) of \(keys.count) group(s) off: "
                + failingGroups.prefix(5).map { "\($0.key) \(formatAmount($0.values["difference"] ?? 0))" }.joined(separator: ", ")
        }
        if !shareProblems.isEmpty { message += "; " + shareProblems.joined(separator: "; ") }
        var metrics = [
            "left": totals[0], "right": totals[1], "difference": totalDifference, "groups": Double(keys.count),
            "failing_groups": Double(failingGroups.count),
        ]
        for (index, term) in bridge.enumerated() { metrics["bridge.\(term.label)"] = totals[index + 2] }
        let sampleLimit = definition.sampleRows ?? context.configuration.checkSampleRows
        return Judgement(
            status: worst(groups.map(\.status)),
            observed: failingGroups.isEmpty ? "difference \(formatAmount(totalDifference))" : "\(failingGroups.count) group(s) off",
            expected:
                "|difference| ≤ max(\(formatNumber(absoluteTolerance)), \(formatNumber(relativeTolerance)) × \(left.label)) per group",
            message: message, metrics: metrics, groups: groups,
            sampleColumns: failingRows.isEmpty ? [] : ["group", left.label, right.label] + bridge.map(\.label) + ["difference"],
            sampleRows: Array(failingRows.prefix(sampleLimit)))
    }

    /// One subquery per term giving `grp, value`, fully joined on the group.
    func failingRowsSQL() throws -> String {
        var subqueries: [String] = []
        for term in terms {
            if let sql = term.sql {
                let inner = try cleaned(sql)
                subqueries.append(
                    groupLabel == nil
                        ? "select 'all'::text as grp, sum(q.value)::numeric as value from (\(inner)) as q(value)"
                        : "select q.grp::text as grp, sum(q.value)::numeric as value from (\(inner)) as q(grp, value) group by 1")
                continue
            }
            guard let table = term.table else { continue }
            let value: String
            if let sum = term.sum {
                value = "coalesce(sum(\(try support.render(sum))), 0)"
            } else if let count = term.count, count != "*" {
                value = "count(\(try support.render(count)))"
            } else {
                value = "count(*)"
            }
            let group = try term.group.map { "(\(try support.render($0)))::text" } ?? "'all'::text"
            let filter = try term.filter.map { " where (\(try support.render($0)))" } ?? ""
            subqueries.append("select \(group) as grp, (\(value))::numeric as value from \(context.sql(table))\(filter) group by 1")
        }
        let names = ["l", "r"] + bridge.indices.map { "b\($0)" }
        let from = zip(names, subqueries).enumerated().map { index, pair in
            index == 0 ? "(\(pair.1)) as \(pair.0)" : "full join (\(pair.1)) as \(pair.0) using (grp)"
        }.joined(separator: "\n  ")
        let columns = zip(names, terms).map { "coalesce(\($0).value, 0) as \(SQL.identifier($1.label))" }
        let difference =
            "coalesce(l.value, 0) - coalesce(r.value, 0)" + bridge.indices.map { " - coalesce(b\($0).value, 0)" }.joined()
        let allowed = "greatest(\(absoluteTolerance), \(relativeTolerance) * abs(coalesce(l.value, 0)))"
        return """
            -- reconciliation \(support.definition.name): rows are the groups off by more than the tolerance
            select grp as \(SQL.identifier(groupLabel ?? "group")), \(columns.joined(separator: ", ")), \(difference) as difference
            from \(from)
            where abs(\(difference)) > \(allowed)
            order by 1
            """
    }
}
