import Foundation
import PostgresClient

/// `match_rate`: the share of rows (after `where`) satisfying `matched`, overall, per tier
/// of `tier_column` (each tier's share of all rows) and per day of `date_column` over the
/// last `window_days` days present (each day judged; days with fewer than `min_rows` rows
/// are skipped).
///
/// Everything comes from the table's fused scan: two scalar counts, and one grouped branch
/// with grouping sets (tier), (day), (day, tier) over the scan's materialized projection.
struct MatchRateCheck: CheckBuilder {
    let support: BuilderSupport
    let matched: String
    let tierColumn: String?
    let dateColumn: String?
    let windowDays: Int?
    let minimumRows: Int
    let thresholds: MatchRateThresholds

    func scanParts(prefix: String) throws -> [ScanPart] {
        var part = ScanPart(table: try support.table(), tableLabel: support.tableLabel)
        let filter = try support.filter()
        let matchedAlias = "\(prefix)_m"
        part.projections.append(Projection(alias: matchedAlias, sql: "coalesce((\(try support.render(matched))), false)"))
        var filterAlias: String?
        if let filter {
            filterAlias = "\(prefix)_w"
            part.projections.append(Projection(alias: "\(prefix)_w", sql: "coalesce(\(filter), false)"))
            part.scalars += [
                Aggregate(figure: "total", sql: "count(*) filter (where \(prefix)_w)"),
                Aggregate(figure: "matched", sql: "count(*) filter (where \(prefix)_w and \(matchedAlias))"),
            ]
        } else {
            part.scalars += [
                Aggregate(figure: "total", sql: "count(*)"),
                Aggregate(figure: "matched", sql: "count(*) filter (where \(matchedAlias))"),
            ]
        }
        var keys: [String] = []
        var sets: [[String]] = []
        if let dateColumn {
            part.projections.append(Projection(alias: "\(prefix)_d", sql: support.column(dateColumn)))
            keys.append("\(prefix)_d")
            sets.append(["\(prefix)_d"])
        }
        if let tierColumn {
            part.projections.append(Projection(alias: "\(prefix)_t", sql: "(\(support.column(tierColumn)))::text"))
            keys.append("\(prefix)_t")
            sets.append(["\(prefix)_t"])
        }
        if keys.count == 2 { sets.append(keys) }
        if !keys.isEmpty {
            part.groupings.append(
                Grouping(
                    name: "groups", keys: keys, sets: sets, filter: filterAlias,
                    aggregates: [
                        Aggregate(figure: "rows", sql: "count(*)"),
                        Aggregate(figure: "matched", sql: "count(*) filter (where \(matchedAlias))"),
                    ]))
        }
        return [part]
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let definition = support.definition
        let scan = outputs.scans[0]
        let total = scan.scalars[0] ?? 0
        let matchedRows = scan.scalars[1] ?? 0
        var groups: [GroupResult] = []
        func add(_ key: String, count: Double, of base: Double, _ limits: Thresholds?) {
            let rate = base > 0 ? count / base : 0
            let status = limits?.judge(rate, severity: definition.severity) ?? .pass
            // The levels travel with the group, so reports can draw them.
            var values = ["matched": count, "total": base, "rate": rate]
            values["threshold"] = limits?.errorIf?.value
            values["warn_threshold"] = limits?.warnIf?.value
            groups.append(
                GroupResult(
                    key: key, status: status, observed: "\(formatRate(rate)) (\(formatNumber(count)) of \(formatNumber(base)))",
                    expected: limits?.expected ?? "reported only", values: values))
        }
        guard total > 0 else {
            return Judgement(
                status: .warn, observed: "no rows", expected: thresholds.overall.expected,
                message: "\(definition.name): no rows of \(support.tableLabel) to judge", metrics: ["total": 0])
        }
        add("overall", count: matchedRows, of: total, thresholds.overall)

        let rows = scan.groupings.first ?? []
        let hasDay = dateColumn != nil
        let tierIndex = hasDay ? 1 : 0
        // Keys are typed: `.all` is "every value" (not in the grouping set), never a tier or a day.
        func dayKey(_ row: GroupRow) -> GroupKey { hasDay ? row.keys[0] : .all }
        func tierKey(_ row: GroupRow) -> GroupKey { tierColumn != nil ? row.keys[tierIndex] : .all }
        if let tierColumn {
            let tierRows = rows.filter { tierKey($0) != .all && dayKey($0) == .all }.sorted { tierKey($0) < tierKey($1) }
            let present = tierRows.compactMap { tierKey($0).text }
            let named = Set(thresholds.tiers.keys).union(thresholds.perDayTiers.keys)
            let absent = named.subtracting(present).sorted()
            if !absent.isEmpty {
                // A tier that never occurs is a mistake in the check (a typo), not a 0 % rate.
                let message =
                    "\(definition.name): tier\(absent.count == 1 ? "" : "s") \(absent.map { "'\($0)'" }.joined(separator: ", ")) "
                    + "named in 'tiers' never occur\(absent.count == 1 ? "s" : "") in \(tierColumn) of \(support.tableLabel); "
                    + "tiers present: \(present.isEmpty ? "none" : present.joined(separator: ", "))"
                return Judgement(
                    status: .error, observed: "not judged", expected: thresholds.overall.expected, message: message,
                    metrics: ["total": total, "matched": matchedRows])
            }
            for row in tierRows {
                let count = row.values[0] ?? 0
                switch tierKey(row) {
                case .value(let tier): add("tier=\(tier)", count: count, of: total, thresholds.tiers[tier])
                default: add("tier=(none)", count: count, of: total, nil)
                }
            }
        }
        var skippedDays = 0
        if hasDay {
            let dayRows = rows.filter { dayKey($0).text != nil && tierKey($0) == .all }.sorted { dayKey($0) < dayKey($1) }
            var days = dayRows.compactMap { dayKey($0).text }
            if let windowDays, days.count > windowDays { days = Array(days.suffix(windowDays)) }
            let window = Set(days)
            for row in dayRows {
                guard let day = dayKey(row).text, window.contains(day) else { continue }
                let dayTotal = row.values[0] ?? 0
                if dayTotal < Double(minimumRows) {
                    skippedDays += 1
                    continue
                }
                add("date=\(day)", count: row.values[1] ?? 0, of: dayTotal, thresholds.perDay)
                if tierColumn != nil {
                    // Every tier present, judged when `per_day.tiers` names it, reported otherwise
                    // (the per-tier trend of the reports).
                    let dayTiers = Set(rows.filter { tierKey($0) != .all }.compactMap { tierKey($0).text })
                        .union(thresholds.perDayTiers.keys).sorted()
                    for tier in dayTiers {
                        let count =
                            rows.first(where: { dayKey($0) == .value(day) && tierKey($0) == .value(tier) })?.values[0] ?? 0
                        add("date=\(day) tier=\(tier)", count: count, of: dayTotal, thresholds.perDayTiers[tier])
                    }
                }
            }
        }
        let status = worst(groups.map(\.status))
        let failing = groups.filter { $0.status != .pass }
        let overallRate = matchedRows / total
        var message = "\(definition.name): \(formatRate(overallRate)) of \(formatNumber(total)) rows of \(support.tableLabel) matched"
        if !failing.isEmpty {
            message +=
                "; outside thresholds: "
                + failing.prefix(5).map { "\($0.key) \($0.observed) (\($0.expected))" }.joined(separator: "; ")
            if failing.count > 5 { message += "; and \(failing.count - 5) more" }
        }
        if skippedDays > 0 { message += "; \(skippedDays) day(s) under min_rows skipped" }
        let sampleLimit = definition.sampleRows ?? support.context.configuration.checkSampleRows
        return Judgement(
            status: status, observed: formatRate(overallRate), expected: thresholds.overall.expected, message: message,
            metrics: ["total": total, "matched": matchedRows, "rate": overallRate, "failing_groups": Double(failing.count)],
            groups: groups, sampleColumns: failing.isEmpty ? [] : ["group", "observed", "expected"],
            sampleRows: failing.prefix(sampleLimit).map { [$0.key, $0.observed, $0.expected] })
    }

    func failingRowsSQL() throws -> String {
        // Two steps, so that it also runs on Citus (which has no grouping sets over a
        // distributed table): counts per (day, tier), grouped by the key expressions
        // themselves (a table whose own columns are called `day` or `tier` cannot make a
        // name ambiguous), then the grouping sets over those few rows.
        var keys: [(expression: String, name: String)] = []
        if let dateColumn { keys.append((support.column(dateColumn), "day")) }
        if let tierColumn { keys.append(("(\(support.column(tierColumn)))::text", "tier")) }
        let matchedSQL = "coalesce((\(try support.render(matched))), false)"
        let filter = try support.filter().map { " where \($0)" } ?? ""
        let inner =
            keys.map { "\($0.expression) as \($0.name)" } + ["count(*) as n", "count(*) filter (where \(matchedSQL)) as m"]
        let innerGrouping = keys.isEmpty ? "" : " group by " + keys.indices.map { String($0 + 1) }.joined(separator: ", ")
        var sets = keys.map { "(g.\($0.name))" }
        if keys.count == 2 { sets.append("(g.\(keys[0].name), g.\(keys[1].name))") }
        let grouping = sets.isEmpty ? "" : " group by grouping sets ((), \(sets.joined(separator: ", ")))"
        // A key rolled up by the grouping sets reads "all days" / "all tiers"; a NULL tier is
        // the rows no tier matched.
        let select =
            keys.map { key in
                "case when grouping(g.\(key.name)) = 1 then 'all \(key.name == "day" ? "days" : "tiers")' else (g.\(key.name))::text end as \(key.name)"
            } + ["coalesce(sum(g.n), 0)::bigint as rows", "coalesce(sum(g.m), 0)::bigint as matched"]
        let order =
            keys.isEmpty ? "1" : keys.map { "grouping(g.\($0.name)) desc, g.\($0.name) nulls first" }.joined(separator: ", ")
        // Rates per tier are shares of all rows of the day (or overall), as the check judges them.
        return """
            -- match rates (rows with tier = a tier's rows; rate = matched / rows of the group; tier share = tier rows / all rows)
            with g as materialized (
              select \(inner.joined(separator: ", "))
              from \(try support.table()) as t\(filter)\(innerGrouping)
            )
            select \(select.joined(separator: ", ")), round(coalesce(sum(g.m), 0)::numeric / nullif(sum(g.n), 0), 4) as rate
            from g\(grouping)
            order by \(order)
            """
    }
}

/// The worst of several verdicts: fail, then error, then warn, then pass.
func worst(_ statuses: [CheckStatus]) -> CheckStatus {
    if statuses.contains(.fail) { return .fail }
    if statuses.contains(.error) { return .error }
    if statuses.contains(.warn) { return .warn }
    return .pass
}
