import Foundation
import ReckonCore

/// The kinds of check the language knows, as spelled in `kind:`.
public enum CheckKind: String, Sendable, CaseIterable, Codable {
    /// No two rows share the values of `columns`.
    case unique
    /// `columns` are never NULL.
    case notNull = "not_null"
    /// `column` only holds one of `values`.
    case acceptedValues = "accepted_values"
    /// A boolean SQL expression every row satisfies.
    case expression
    /// Every value of `column` exists in `to.to_column`.
    case relationship
    /// The table has as many rows as another.
    case rowCountMatch = "row_count_match"
    /// Share of matched rows, overall, per tier and per day.
    case matchRate = "match_rate"
    /// Two aggregates agree, per group, within a tolerance, with a bridge.
    case reconciliation
    /// A query whose rows are the failures.
    case sql
    /// Age of the newest timestamp.
    case freshness
    /// A metric per data day judged against its own trailing days.
    case anomaly
}

/// A table named in a checks file, resolved when the checks run.
///
/// `mart_x` (a bare name) or `ref('mart_x')` is a table of the checked schema (the published
/// target, or the staging schema during `reckon run`); `source('stripe_payments')` is the real
/// table of a logical source (`Configuration.sourceTable`); `schema.table` is taken as written.
public enum TableReference: Sendable, Equatable, CustomStringConvertible {
    /// A table of the checked schema.
    case checked(String)
    /// A logical source of the source contract.
    case source(String)
    /// An explicit `schema.table`.
    case qualified(schema: String, table: String)

    /// Parses the text of a `table:`/`to:` value; nil when it is not one of the forms.
    public static func parse(_ text: String) -> TableReference? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let argument = Template.call(trimmed) {
            switch argument.function {
            case "ref": return .checked(argument.value)
            case "source": return .source(argument.value)
            default: return nil
            }
        }
        guard !trimmed.isEmpty, !trimmed.contains("(") else { return nil }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return .checked(parts[0])
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return .qualified(schema: parts[0], table: parts[1])
        default: return nil
        }
    }

    /// The reference as written in a checks file.
    public var description: String {
        switch self {
        case .checked(let name): return name
        case .source(let name): return "source('\(name)')"
        case .qualified(let schema, let table): return "\(schema).\(table)"
        }
    }
}

/// A condition on a measured figure, in the style of dbt's `error_if: ">10"`.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    /// The comparison operators a condition may use.
    public enum Comparison: String, Sendable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case notEqual = "!="
        case greater = ">"
        case less = "<"
        case equal = "="
    }

    /// How the figure is compared.
    public var comparison: Comparison
    /// What it is compared with (a percentage is stored as a fraction).
    public var value: Double

    /// Creates a condition.
    public init(_ comparison: Comparison, _ value: Double) {
        self.comparison = comparison
        self.value = value
    }

    /// Parses `"> 0"`, `">= 0.9"`, `"< 95%"`; nil when malformed.
    public static func parse(_ text: String) -> Condition? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let comparison = Comparison.allCases.first(where: { trimmed.hasPrefix($0.rawValue) }) else { return nil }
        var number = trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if number.hasSuffix("%") {
            number.removeLast()
            scale = 0.01
        }
        guard let value = Double(number), value.isFinite else { return nil }
        return Condition(comparison, value * scale)
    }

    /// Whether `figure` satisfies the condition (i.e. the threshold is crossed).
    public func holds(_ figure: Double) -> Bool {
        switch comparison {
        case .greater: return figure > value
        case .greaterOrEqual: return figure >= value
        case .less: return figure < value
        case .lessOrEqual: return figure <= value
        case .equal: return figure == value
        case .notEqual: return figure != value
        }
    }

    /// Whether every figure satisfying this condition also satisfies `other`.
    public func implies(_ other: Condition) -> Bool {
        let below: Set<Comparison> = [.less, .lessOrEqual]
        let above: Set<Comparison> = [.greater, .greaterOrEqual]
        switch (comparison, other.comparison) {
        case (.equal, _): return other.holds(value)
        case (_, .notEqual): return !holds(other.value)
        case (.notEqual, _), (_, .equal): return false
        case let (mine, theirs) where below.contains(mine) && below.contains(theirs):
            return value < other.value || (value == other.value && !(mine == .lessOrEqual && theirs == .less))
        case let (mine, theirs) where above.contains(mine) && above.contains(theirs):
            return value > other.value || (value == other.value && !(mine == .greaterOrEqual && theirs == .greater))
        default: return false
        }
    }

    /// `> 0`.
    public var description: String { "\(comparison.rawValue) \(formatNumber(value))" }
}

/// The `error_if` / `warn_if` pair that judges one figure.
public struct Thresholds: Sendable, Equatable {
    /// Crossing it fails the check (or warns, for a check of severity `warn`).
    public var errorIf: Condition?
    /// Crossing it warns.
    public var warnIf: Condition?

    /// Creates thresholds.
    public init(errorIf: Condition? = nil, warnIf: Condition? = nil) {
        self.errorIf = errorIf
        self.warnIf = warnIf
    }

    /// The verdict on `figure` for a check of `severity`.
    public func judge(_ figure: Double, severity: Severity) -> CheckStatus {
        if let errorIf, errorIf.holds(figure) { return severity == .error ? .fail : .warn }
        if let warnIf, warnIf.holds(figure) { return .warn }
        return .pass
    }

    /// Why `warn_if` can never fire, or nil: a figure crossing it always crosses `error_if`
    /// too, and `error_if` is judged first (e.g. `error_if: "< 0.85"` with `warn_if: "< 0.6"`).
    public var unreachableWarning: String? {
        guard let errorIf, let warnIf, warnIf.implies(errorIf) else { return nil }
        return
            "warn_if \"\(warnIf)\" can never fire: every figure that crosses it also crosses error_if \"\(errorIf)\", "
            + "which is judged first; a warning level lies before the error level (e.g. error_if: \"< 0.6\" with warn_if: \"< 0.85\")"
    }

    /// "pass unless > 0" style text for people.
    public var expected: String {
        var parts: [String] = []
        if let errorIf { parts.append("error if \(errorIf)") }
        if let warnIf { parts.append("warn if \(warnIf)") }
        return parts.isEmpty ? "always passes" : parts.joined(separator: ", ")
    }
}

/// One side or bridge term of a reconciliation: an aggregate over a table, or a query.
public struct AggregateSide: Sendable, Equatable {
    /// The term's name in results (`left`, `right`, or the bridge label).
    public var label: String
    /// The table aggregated (nil when `sql` is given).
    public var table: TableReference?
    /// `sum:` expression, or nil for a row count.
    public var sum: String?
    /// `count:` expression (`*` counts rows), used when `sum` is nil.
    public var count: String?
    /// `where:` filter of the rows.
    public var filter: String?
    /// `group:` expression giving each row's group (e.g. `date`), when the check is grouped.
    public var group: String?
    /// A query returning `value` (ungrouped) or `group, value` rows, instead of a table.
    public var sql: String?
    /// For bridge terms: thresholds on the term's share of the left side (0.05 = 5 %).
    public var shareThresholds: Thresholds?

    /// Creates a side.
    public init(
        label: String, table: TableReference? = nil, sum: String? = nil, count: String? = nil, filter: String? = nil,
        group: String? = nil, sql: String? = nil, shareThresholds: Thresholds? = nil
    ) {
        self.label = label
        self.table = table
        self.sum = sum
        self.count = count
        self.filter = filter
        self.group = group
        self.sql = sql
        self.shareThresholds = shareThresholds
    }
}

/// Thresholds of a match rate: on the overall rate, per tier, and per day.
public struct MatchRateThresholds: Sendable, Equatable {
    /// On the overall matched share.
    public var overall: Thresholds
    /// On each tier's share, by tier value.
    public var tiers: [String: Thresholds]
    /// On each day's overall matched share.
    public var perDay: Thresholds?
    /// On each day's share of a tier.
    public var perDayTiers: [String: Thresholds]

    /// Creates match-rate thresholds.
    public init(
        overall: Thresholds, tiers: [String: Thresholds] = [:], perDay: Thresholds? = nil,
        perDayTiers: [String: Thresholds] = [:]
    ) {
        self.overall = overall
        self.tiers = tiers
        self.perDay = perDay
        self.perDayTiers = perDayTiers
    }
}

/// One level (`error_if` or `warn_if`) of an anomaly check: a day crosses it when it crosses
/// every condition given (e.g. a relative change below -30 % *and* a z-score below -3).
public struct AnomalyLevel: Sendable, Equatable {
    /// On `(value - baseline mean) / |baseline mean|`.
    public var relativeChange: Condition?
    /// On `(value - baseline mean) / baseline standard deviation`.
    public var zScore: Condition?

    /// Creates a level.
    public init(relativeChange: Condition? = nil, zScore: Condition? = nil) {
        self.relativeChange = relativeChange
        self.zScore = zScore
    }

    /// Whether a day with these figures crosses the level. A figure that is undefined (a
    /// baseline mean of 0, a standard deviation of 0) leaves its condition out; a level
    /// none of whose conditions can be judged is not crossed.
    public func crossed(relativeChange change: Double?, zScore z: Double?) -> Bool {
        var judged = 0
        if let relativeChange {
            if let change {
                guard relativeChange.holds(change) else { return false }
                judged += 1
            }
        }
        if let zScore {
            if let z {
                guard zScore.holds(z) else { return false }
                judged += 1
            }
        }
        return judged > 0
    }

    /// `relative_change < -0.3 and z_score < -3`.
    public var description: String {
        var parts: [String] = []
        if let relativeChange { parts.append("relative_change \(relativeChange)") }
        if let zScore { parts.append("z_score \(zScore)") }
        return parts.joined(separator: " and ")
    }
}

/// What an `anomaly` check says.
public struct AnomalySpecification: Sendable, Equatable {
    /// The aggregate SQL expression per day (and group), or nil for the group's share of the day's rows.
    public var metric: String?
    /// The column giving each row's day.
    public var dateColumn: String
    /// The optional column (or SQL expression) splitting each day into groups.
    public var groupBy: String?
    /// Calendar days before a day that form its baseline.
    public var baselineDays: Int
    /// The last calendar days (up to the newest day in the data) that are judged; nil: every day with a baseline.
    public var windowDays: Int?
    /// Days (per group) with fewer rows are neither judged nor part of a baseline.
    public var minimumRows: Int
    /// Baseline days (with at least `minimumRows` rows) a day needs to be judged.
    public var minimumBaselineDays: Int
    /// The failing level.
    public var errorIf: AnomalyLevel?
    /// The warning level.
    public var warnIf: AnomalyLevel?

    /// Creates an anomaly specification.
    public init(
        metric: String?, dateColumn: String, groupBy: String? = nil, baselineDays: Int = 14, windowDays: Int? = nil,
        minimumRows: Int = 1, minimumBaselineDays: Int? = nil, errorIf: AnomalyLevel? = nil, warnIf: AnomalyLevel? = nil
    ) {
        self.metric = metric
        self.dateColumn = dateColumn
        self.groupBy = groupBy
        self.baselineDays = baselineDays
        self.windowDays = windowDays
        self.minimumRows = minimumRows
        self.minimumBaselineDays = minimumBaselineDays ?? max(2, (baselineDays + 1) / 2)
        self.errorIf = errorIf
        self.warnIf = warnIf
    }
}

/// What a check of each kind specifically says.
public enum CheckSpecification: Sendable, Equatable {
    /// `unique`: the key columns.
    case unique(columns: [String])
    /// `not_null`: the columns.
    case notNull(columns: [String])
    /// `accepted_values`: a column and its allowed values (compared as text).
    case acceptedValues(column: String, values: [String])
    /// `expression`: a boolean SQL expression.
    case expression(String)
    /// `relationship`: `column` values present in `to.toColumn`.
    case relationship(column: String, to: TableReference, toColumn: String, toFilter: String?)
    /// `row_count_match`: row count equal to `to`'s; `key`/`toKey` list the mismatched keys.
    case rowCountMatch(to: TableReference, toFilter: String?, key: [String], toKey: [String])
    /// `match_rate`.
    case matchRate(
        matched: String, tierColumn: String?, dateColumn: String?, windowDays: Int?, minimumRows: Int,
        thresholds: MatchRateThresholds)
    /// `reconciliation`: `left` = `right` + Σ `bridge`, per group, within the tolerance.
    case reconciliation(
        left: AggregateSide, right: AggregateSide, bridge: [AggregateSide], groupLabel: String?,
        absoluteTolerance: Double, relativeTolerance: Double)
    /// `sql`: a query whose rows are failures.
    case sql(String)
    /// `freshness`: the timestamp column whose newest value's age (hours) is judged.
    case freshness(column: String)
    /// `anomaly`: a metric per day (and group) against its trailing days.
    case anomaly(AnomalySpecification)
}

/// One check as declared in a checks file.
public struct CheckDefinition: Sendable, Equatable {
    /// Unique name across all checks files.
    public var name: String
    /// Its kind.
    public var kind: CheckKind
    /// `error` blocks publishing; `warn` only reports.
    public var severity: Severity
    /// Free text for people.
    public var description: String?
    /// Tags, for `--select`.
    public var tags: [String]
    /// Who to ask.
    public var owner: String?
    /// The file and line it was declared at.
    public var file: String
    /// 1-based line of the check.
    public var line: Int
    /// The audited table (nil for `sql` and `reconciliation`).
    public var table: TableReference?
    /// `where:` filter of the audited rows (SQL by design).
    public var filter: String?
    /// Thresholds on the check's main figure (kinds other than match_rate/reconciliation).
    public var thresholds: Thresholds
    /// Failing rows to keep, overriding the configuration.
    public var sampleRows: Int?
    /// Time-out of its queries, overriding the configuration.
    public var timeoutSeconds: Int?
    /// `sample_columns:`: the columns of the failing rows the reports show (nil: the key and
    /// the columns the check uses).
    public var sampleColumns: [String]?
    /// What the kind says.
    public var specification: CheckSpecification

    /// Creates a definition.
    public init(
        name: String, kind: CheckKind, severity: Severity = .error, description: String? = nil, tags: [String] = [],
        owner: String? = nil, file: String = "", line: Int = 0, table: TableReference? = nil, filter: String? = nil,
        thresholds: Thresholds = Thresholds(errorIf: Condition(.greater, 0)), sampleRows: Int? = nil,
        timeoutSeconds: Int? = nil, specification: CheckSpecification
    ) {
        self.name = name
        self.kind = kind
        self.severity = severity
        self.description = description
        self.tags = tags
        self.owner = owner
        self.file = file
        self.line = line
        self.table = table
        self.filter = filter
        self.thresholds = thresholds
        self.sampleRows = sampleRows
        self.timeoutSeconds = timeoutSeconds
        self.specification = specification
    }
}

/// Formats a figure for people: integers without decimals, others with up to 4.
func formatNumber(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.4f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// `1 check`, `2 checks`: a count with its noun in the right number (`plural` when not just + "s").
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}

/// Formats money-like figures with two decimals.
func formatAmount(_ value: Double) -> String {
    let text = String(format: "%.2f", value)
    // A difference of -0.004 rounds to "-0.00"; it is zero to the cent.
    return text == "-0.00" ? "0.00" : text
}

/// Formats a fraction as a percentage.
func formatRate(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
