import Foundation

/// A limit of `diff.fail_if` in reckon.yml: how much a candidate may move the marts before
/// `reckon diff` exits 1 and fails its JUnit test case.
///
/// Written as `measure: condition`, where the condition is `any` (the measure moved at all),
/// `"> N"` or `">= N"` (quoted: a bare `>` starts a folded block in YAML), or a plain number N
/// (the same as `"> N"`). Every measure is a magnitude (an absolute change), so a drop and a
/// rise of the same size count the same.
public struct DiffLimit: Sendable, Equatable, CustomStringConvertible {
    /// What a limit measures.
    public enum Measure: String, Sendable, CaseIterable {
        /// Largest share of rows added, removed or changed in one mart, in percent of its base rows.
        case rowsChangedPercent = "rows_changed_pct"
        /// Rows added, removed or changed over all marts.
        case rowsChanged = "rows_changed"
        /// Largest move of the Facebook match rate (overall or one tier), in percentage points.
        case matchRatePoints = "match_rate_points"
        /// Move of the attributed revenue (USD) of `mart_marketing_attribution`.
        case revenueChanged = "revenue_changed"
        /// Move of the attributed revenue, in percent of the base.
        case revenueChangedPercent = "revenue_changed_pct"
        /// Move of the refunds (USD) of `mart_marketing_attribution`.
        case refundsChanged = "refunds_changed"
        /// Move of the number of converted sessions.
        case conversionsChanged = "conversions_changed"
        /// Move of the spend (USD) of `mart_campaign_daily`.
        case spendChanged = "spend_changed"
        /// Columns added, dropped or retyped over all marts.
        case columnsChanged = "columns_changed"
    }

    /// How the measure is compared with the threshold.
    public enum Comparison: String, Sendable {
        /// Crossed when the measure is not zero.
        case any
        /// Crossed when the measure is greater than the threshold.
        case greater = ">"
        /// Crossed when the measure is at least the threshold.
        case greaterOrEqual = ">="
    }

    /// The measure.
    public var measure: Measure
    /// The comparison.
    public var comparison: Comparison
    /// The threshold (0 for `any`).
    public var threshold: Double

    /// Creates a limit.
    public init(measure: Measure, comparison: Comparison, threshold: Double = 0) {
        self.measure = measure
        self.comparison = comparison
        self.threshold = threshold
    }

    /// Parses a condition as written in reckon.yml; nil when it is not `any`, `> N`, `>= N` or N.
    public static func parse(measure: Measure, condition: String) -> DiffLimit? {
        let text = condition.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == "any" { return DiffLimit(measure: measure, comparison: .any) }
        for comparison in [Comparison.greaterOrEqual, .greater] where text.hasPrefix(comparison.rawValue) {
            let number = text.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return DiffLimit(measure: measure, comparison: comparison, threshold: value)
        }
        guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
        return DiffLimit(measure: measure, comparison: .greater, threshold: value)
    }

    /// Whether `value` (a magnitude) crosses the limit.
    public func isCrossed(by value: Double) -> Bool {
        switch comparison {
        case .any: abs(value) > 1e-9
        case .greater: abs(value) > threshold
        case .greaterOrEqual: abs(value) >= threshold
        }
    }

    /// The condition as written: `any`, `> 1`, `>= 2.5`.
    public var condition: String {
        switch comparison {
        case .any: "any"
        case .greater, .greaterOrEqual:
            "\(comparison.rawValue) \(threshold == threshold.rounded() ? String(Int(threshold)) : String(threshold))"
        }
    }

    /// `rows_changed_pct > 1`.
    public var description: String { comparison == .any ? "\(measure.rawValue): any" : "\(measure.rawValue) \(condition)" }
}
