import Foundation
import PostgresClient

/// `anomaly`: a metric per data day (and group) judged against the same metric on the
/// `baseline_days` calendar days before it, taken from the checked table itself, so a first
/// run already has a baseline.
///
/// The per-day (× group) figures come from the table's fused scan: one grouped branch with
/// grouping sets (day, group) and (day) over the scan's materialized projection, the metric
/// evaluated over the row's own columns. The trailing mean and standard deviation are then
/// computed here over those few rows (days × groups).
struct AnomalyCheck: CheckBuilder {
    let support: BuilderSupport
    let specification: AnomalySpecification

    /// The group's SQL expression: a plain name is a column of the table, anything else SQL.
    func groupSQL() throws -> String? {
        guard let groupBy = specification.groupBy else { return nil }
        if groupBy.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil {
            return support.column(groupBy)
        }
        return "(\(try support.render(groupBy)))"
    }

    /// The group's name in group keys (`facebook_match_tier=ad_id`): the column, or `group`
    /// for an expression.
    var groupLabel: String {
        guard let groupBy = specification.groupBy,
            groupBy.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil
        else { return "group" }
        return groupBy
    }

    /// The name of the judged figure in results: `share` for a share of the day's rows.
    var figureName: String { specification.metric == nil ? "share" : "value" }

    func scanParts(prefix: String) throws -> [ScanPart] {
        var part = ScanPart(table: try support.table(), tableLabel: support.tableLabel)
        var filterAlias: String?
        if let filter = try support.filter() {
            filterAlias = "\(prefix)_w"
            part.projections.append(Projection(alias: "\(prefix)_w", sql: "coalesce(\(filter), false)"))
        }
        let day = "\(prefix)_d"
        part.projections.append(Projection(alias: day, sql: "(\(support.column(specification.dateColumn)))::date"))
        var keys = [day]
        var sets = [[day]]
        if let group = try groupSQL() {
            part.projections.append(Projection(alias: "\(prefix)_g", sql: "(\(group))::text"))
            keys.append("\(prefix)_g")
            sets.insert(keys, at: 0)
        }
        var aggregates = [Aggregate(figure: "rows", sql: "count(*)")]
        var rowAlias: String?
        if let metric = specification.metric {
            let rendered = try support.render(metric)
            if let lifted = MetricLifting.lift(rendered, prefix: "\(prefix)_a") {
                // Plain aggregates: their arguments become row-level projections.
                part.projections += lifted.arguments.map { Projection(alias: $0.alias, sql: $0.sql) }
                aggregates.append(Aggregate(figure: "value", sql: lifted.metric))
            } else {
                rowAlias = "\(prefix)_r"
                part.projections.append(Projection(alias: "\(prefix)_r", sql: "t"))
                aggregates.append(Aggregate(figure: "value", sql: rendered))
            }
        }
        part.groupings.append(
            Grouping(name: "days", keys: keys, sets: sets, filter: filterAlias, aggregates: aggregates, rowAlias: rowAlias))
        return [part]
    }

    /// One day of one group, with its baseline once judged.
    struct DayFigure {
        var day: Int
        var dayText: String
        var group: GroupKey
        var rows: Double
        var value: Double
    }

    func judge(_ outputs: CheckOutputs) -> Judgement {
        let definition = support.definition
        let rows = outputs.scans[0].groupings.first ?? []
        let grouped = specification.groupBy != nil
        // Day totals (grouping set (day)) and the per-group rows.
        var dayRows: [String: Double] = [:]
        var groupRows: [(day: String, group: GroupKey, rows: Double, value: Double?)] = []
        for row in rows {
            guard let day = row.keys[0].text else { continue }
            let count = row.values[0] ?? 0
            let value = row.values.count > 1 ? row.values[1] : nil
            if grouped && row.keys[1] != .all {
                groupRows.append((day, row.keys[1], count, value))
            } else {
                dayRows[day] = count
                if !grouped { groupRows.append((day, .all, count, value)) }
            }
        }
        guard !dayRows.isEmpty else {
            return Judgement(
                status: .warn, observed: "no rows", expected: expected,
                message: "\(definition.name): no rows of \(support.tableLabel) to judge", metrics: ["judged_days": 0])
        }
        let minimum = Double(specification.minimumRows)
        var figures: [GroupKey: [DayFigure]] = [:]
        if specification.metric == nil {
            // A group's share of the day's rows; a group absent on a day has a share of 0.
            let groups = Set(groupRows.map(\.group))
            let counts = Dictionary(groupRows.map { ("\($0.day)|\($0.group)", $0.rows) }, uniquingKeysWith: +)
            for (day, total) in dayRows where total >= minimum && total > 0 {
                guard let number = dayNumber(day) else { continue }
                for group in groups {
                    let count = counts["\(day)|\(group)"] ?? 0
                    figures[group, default: []].append(
                        DayFigure(day: number, dayText: day, group: group, rows: count, value: count / total))
                }
            }
        } else {
            for row in groupRows where row.rows >= minimum {
                guard let number = dayNumber(row.day), let value = row.value else { continue }
                figures[row.group, default: []].append(
                    DayFigure(day: number, dayText: row.day, group: row.group, rows: row.rows, value: value))
            }
        }
        let newest = dayRows.keys.compactMap(dayNumber).max() ?? 0
        let firstJudged = specification.windowDays.map { newest - $0 + 1 } ?? Int.min
        var results: [(group: GroupResult, offness: (Double, Double))] = []
        for days in figures.values {
            let sorted = days.sorted { $0.day < $1.day }
            for (index, figure) in sorted.enumerated() where figure.day >= firstJudged {
                let baseline = sorted[..<index].filter { figure.day - $0.day <= specification.baselineDays }.map(\.value)
                guard baseline.count >= specification.minimumBaselineDays else { continue }
                let mean = baseline.reduce(0, +) / Double(baseline.count)
                let variance = baseline.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(baseline.count - 1)
                let deviation = variance.squareRoot()
                let zScore = deviation > 0 ? (figure.value - mean) / deviation : nil
                let change = mean != 0 ? (figure.value - mean) / abs(mean) : nil
                var status = CheckStatus.pass
                if let level = specification.errorIf, level.crossed(relativeChange: change, zScore: zScore) {
                    status = definition.severity == .error ? .fail : .warn
                } else if let level = specification.warnIf, level.crossed(relativeChange: change, zScore: zScore) {
                    status = .warn
                }
                var key = "date=\(figure.dayText)"
                if grouped { key += " \(groupLabel)=\(figure.group.text ?? "(none)")" }
                var values: [String: Double] = [
                    figureName: figure.value, "baseline_mean": mean, "baseline_stddev": deviation,
                    "baseline_days": Double(baseline.count), "rows": figure.rows,
                ]
                values["z_score"] = zScore
                values["relative_change"] = change
                let observed =
                    "\(format(figure.value)) vs \(format(mean)) ± \(format(deviation)) "
                    + "(\(change.map { String(format: "%+.1f%%", $0 * 100) } ?? "change n/a"), "
                    + "z \(zScore.map { String(format: "%+.2f", $0) } ?? "n/a"))"
                results.append(
                    (
                        GroupResult(key: key, status: status, observed: observed, expected: expected, values: values),
                        (abs(zScore ?? .infinity), abs(change ?? 0))
                    ))
            }
        }
        // Failing groups first, the most-off first; then the others by key.
        let rank: [CheckStatus: Int] = [.fail: 0, .error: 1, .warn: 2, .pass: 3]
        results.sort { left, right in
            let (leftRank, rightRank) = (rank[left.group.status] ?? 4, rank[right.group.status] ?? 4)
            if leftRank != rightRank { return leftRank < rightRank }
            if left.group.status != .pass, left.offness != right.offness { return left.offness > right.offness }
            return left.group.key < right.group.key
        }
        let groups = results.map(\.group)
        let failing = groups.filter { $0.status != .pass }
        let status = worst(groups.map(\.status))
        var message = "\(definition.name): \(counted(groups.count, "day")) judged"
        if grouped { message = "\(definition.name): \(counted(groups.count, "day × group", plural: "days × groups")) judged" }
        message += " against the \(specification.baselineDays) days before each in \(support.tableLabel)"
        if !failing.isEmpty {
            message +=
                "; anomalous: " + failing.prefix(5).map { "\($0.key) \($0.observed)" }.joined(separator: "; ")
            if failing.count > 5 { message += "; and \(failing.count - 5) more" }
        }
        let sampleLimit = definition.sampleRows ?? support.context.configuration.checkSampleRows
        return Judgement(
            status: status,
            observed: failing.isEmpty ? "no anomalous day" : counted(failing.count, "anomalous day"),
            expected: expected, message: message,
            metrics: ["judged_days": Double(groups.count), "failing_groups": Double(failing.count)],
            groups: groups, sampleColumns: failing.isEmpty ? [] : ["group", "observed", "expected"],
            sampleRows: failing.prefix(sampleLimit).map { [$0.key, $0.observed, $0.expected] })
    }

    func format(_ value: Double) -> String {
        specification.metric == nil ? formatRate(value) : formatNumber((value * 10_000).rounded() / 10_000)
    }

    /// "error if relative_change < -0.3 and z_score < -3, warn if …".
    var expected: String {
        var parts: [String] = []
        if let level = specification.errorIf { parts.append("error if \(level.description)") }
        if let level = specification.warnIf { parts.append("warn if \(level.description)") }
        return parts.joined(separator: ", ")
    }

    /// The SQL condition of a level over the columns `relative_change` and `z_score`.
    static func levelSQL(_ level: AnomalyLevel) -> String {
        let terms = [("relative_change", level.relativeChange), ("z_score", level.zScore)].compactMap { name, condition in
            condition.map { (name, $0) }
        }
        let each = terms.map { "(\($0.0) is null or \($0.0) \($0.1.comparison.rawValue) \($0.1.value))" }
        let some = "(" + terms.map { "\($0.0) is not null" }.joined(separator: " or ") + ")"
        return "(" + (each + [some]).joined(separator: " and ") + ")"
    }

    func failingRowsSQL() throws -> String {
        let table = try support.table()
        let filter = try support.filter().map { " where \($0)" } ?? ""
        let day = "(\(support.column(specification.dateColumn)))::date"
        let group = try groupSQL().map { "(\($0))::text" } ?? "null::text"
        let minimum = specification.minimumRows
        let perDay: String
        if let metric = specification.metric {
            perDay = """
                per_day as (
                  select \(day) as day, \(group) as grp, count(*) as rows, (\(try support.render(metric)))::float8 as value
                  from \(table) as t\(filter)
                  group by 1, 2
                ),
                days as (select day, grp, rows, value from per_day where rows >= \(minimum) and value is not null),
                """
        } else {
            perDay = """
                per_group as (
                  select \(day) as day, \(group) as grp, count(*) as rows from \(table) as t\(filter) group by 1, 2
                ),
                per_day as (select day, sum(rows) as rows from per_group group by day),
                days as (
                  -- a group's share of the day's rows; a group absent on a day has a share of 0
                  select d.day, g.grp, coalesce(p.rows, 0) as rows, coalesce(p.rows, 0)::float8 / d.rows as value
                  from per_day as d cross join (select distinct grp from per_group) as g
                  left join per_group as p on p.day = d.day and p.grp is not distinct from g.grp
                  where d.rows >= \(minimum) and d.rows > 0
                ),
                """
        }
        let window = specification.windowDays.map { " and day > (select max(day) from per_day) - \($0)" } ?? ""
        let levels = [specification.errorIf, specification.warnIf].compactMap { $0 }.map(Self.levelSQL)
        let anomalous = levels.isEmpty ? "false" : levels.joined(separator: " or ")
        return """
            -- anomalous days: each day's \(figureName) against the \(specification.baselineDays) calendar days before it
            -- (days with at least \(minimum) rows; judged with at least \(specification.minimumBaselineDays) baseline days)
            with \(perDay)
            baselines as (
              select days.*, avg(value) over w as baseline_mean, stddev_samp(value) over w as baseline_stddev,
                     count(*) over w as baseline_days
              from days
              window w as (partition by grp order by day
                           range between interval '\(specification.baselineDays) days' preceding and interval '1 day' preceding)
            ),
            figures as (
              select day, grp as \(SQL.identifier(groupLabel)), rows, value as \(figureName), baseline_days,
                     baseline_mean, baseline_stddev,
                     (value - baseline_mean) / nullif(baseline_stddev, 0) as z_score,
                     (value - baseline_mean) / nullif(abs(baseline_mean), 0) as relative_change
              from baselines
              where baseline_days >= \(specification.minimumBaselineDays)\(window)
            )
            select * from figures
            where \(anomalous)
            order by abs(z_score) desc nulls first, abs(relative_change) desc nulls last, day
            """
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` text; nil when it is not one.
func dayNumber(_ text: String) -> Int? {
    let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3 else { return nil }
    // Howard Hinnant's days_from_civil.
    let (year, month, day) = (parts[1] <= 2 ? parts[0] - 1 : parts[0], parts[1], parts[2])
    let era = (year >= 0 ? year : year - 399) / 400
    let yearOfEra = year - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// Rewrites a metric made of plain aggregate calls (`coalesce(sum(revenue_usd), 0)`,
/// `avg((tier is not null)::int)`) so that each call's argument is a row-level projection of
/// the fused scan (`sum(c1_a0)`), and the scan need not carry the whole row. Anything it
/// cannot read with certainty (an unknown function over columns, `distinct`, `filter`,
/// `over`, `within group`, a quoted name outside a call) gives nil: the metric then runs over the row.
enum MetricLifting {
    static let aggregates: Set<String> = [
        "sum", "avg", "count", "min", "max", "bool_and", "bool_or", "stddev", "stddev_samp", "stddev_pop", "variance",
    ]
    /// Words that may stand outside an aggregate call without being a column.
    static let words: Set<String> = [
        "null", "true", "false", "and", "or", "not", "is", "case", "when", "then", "else", "end", "numeric", "int", "integer",
        "bigint", "smallint", "real", "double", "precision", "float8", "float4", "decimal", "text", "as",
    ]

    static func lift(_ metric: String, prefix: String) -> (metric: String, arguments: [(alias: String, sql: String)])? {
        let characters = Array(metric)
        var output = ""
        var arguments: [(alias: String, sql: String)] = []
        var index = 0
        var sawAggregate = false
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                // A string literal, copied whole.
                var end = index + 1
                while end < characters.count {
                    if characters[end] == "'" {
                        if end + 1 < characters.count && characters[end + 1] == "'" {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                guard end < characters.count else { return nil }
                output += String(characters[index...end])
                index = end + 1
                continue
            }
            if character == "\"" { return nil }
            guard character.isLetter || character == "_" else {
                output.append(character)
                index += 1
                continue
            }
            var end = index
            while end < characters.count && (characters[end].isLetter || characters[end].isNumber || characters[end] == "_") { end += 1 }
            let word = String(characters[index..<end]).lowercased()
            var next = end
            while next < characters.count && characters[next].isWhitespace { next += 1 }
            let isCall = next < characters.count && characters[next] == "("
            if isCall && aggregates.contains(word) {
                // The argument, up to the matching parenthesis (strings skipped).
                var depth = 0
                var close = next
                var inString = false
                while close < characters.count {
                    let c = characters[close]
                    if c == "'" { inString.toggle() }
                    if !inString {
                        if c == "(" { depth += 1 }
                        if c == ")" {
                            depth -= 1
                            if depth == 0 { break }
                        }
                    }
                    close += 1
                }
                guard close < characters.count else { return nil }
                let argument = String(characters[(next + 1)..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
                let lowered = argument.lowercased()
                guard !argument.isEmpty, !lowered.hasPrefix("distinct"), !lowered.hasPrefix("all "), !containsAggregate(argument)
                else { return nil }
                // What follows the call must not modify it (filter, over, within group).
                var after = close + 1
                while after < characters.count && characters[after].isWhitespace { after += 1 }
                let rest = String(characters[after...]).lowercased()
                if rest.hasPrefix("filter") || rest.hasPrefix("over") || rest.hasPrefix("within") { return nil }
                if argument == "*" {
                    output += "\(word)(*)"
                } else {
                    let alias = "\(prefix)\(arguments.count)"
                    arguments.append((alias, argument))
                    output += "\(word)(\(alias))"
                }
                sawAggregate = true
                index = close + 1
                continue
            }
            // Outside an aggregate: only function names and SQL words, never a column.
            guard isCall || words.contains(word) else { return nil }
            output += String(characters[index..<end])
            index = end
        }
        return sawAggregate ? (output, arguments) : nil
    }

    static func containsAggregate(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return aggregates.contains { lowered.range(of: "\\b\($0)\\s*\\(", options: .regularExpression) != nil }
    }
}
