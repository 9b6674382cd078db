import Foundation
import ReckonCore

/// Judges a comparison against the `diff.fail_if` limits of reckon.yml.
public enum DiffLimits {
    /// One outcome per limit, in the order of the limits.
    public static func evaluate(_ limits: [DiffLimit], marts: [MartComparison], metrics: [MetricChange]) -> [LimitOutcome] {
        limits.map { limit in
            let (observed, detail) = measure(limit.measure, marts: marts, metrics: metrics)
            return LimitOutcome(
                measure: limit.measure.rawValue, condition: limit.condition, observed: observed,
                crossed: limit.isCrossed(by: observed), detail: detail)
        }
    }

    /// The magnitude of a measure and a sentence saying where it comes from.
    static func measure(_ measure: DiffLimit.Measure, marts: [MartComparison], metrics: [MetricChange]) -> (Double, String) {
        func metric(_ section: String, _ name: String) -> MetricChange? {
            metrics.first { $0.section == section && $0.name == name }
        }
        func money(_ section: String, _ name: String, relative: Bool = false) -> (Double, String) {
            guard let found = metric(section, name), let change = found.absoluteChange else {
                return (0, "\(name) not measured (the mart or its column is missing)")
            }
            let sentence = "\(name) \(DiffText.value(found.base, found.unit)) → \(DiffText.value(found.candidate, found.unit))"
            if relative { return (abs(found.relativeChange ?? (change == 0 ? 0 : 1)) * 100, sentence) }
            return (abs(change), sentence)
        }
        switch measure {
        case .rowsChangedPercent:
            guard let worst = marts.max(by: { $0.rowsDifferingPercent < $1.rowsDifferingPercent }) else { return (0, "no mart") }
            return (
                worst.rowsDifferingPercent,
                "\(worst.name): \(DiffText.count(worst.rowsDiffering)) of \(DiffText.count(worst.baseRows ?? 0)) rows differ"
            )
        case .rowsChanged:
            let total = marts.reduce(0) { $0 + $1.rowsDiffering }
            return (Double(total), "\(DiffText.count(total)) rows added, removed or changed over \(marts.count) marts")
        case .matchRatePoints:
            let moves = metrics.filter { $0.section == "match rate" }.compactMap { metric in
                metric.absoluteChange.map { (metric, abs($0) * 100) }
            }
            guard let worst = moves.max(by: { $0.1 < $1.1 }) else { return (0, "match rate not measured") }
            return (
                worst.1,
                "match rate \(worst.0.name) \(DiffText.value(worst.0.base, .rate)) → \(DiffText.value(worst.0.candidate, .rate))"
            )
        case .revenueChanged: return money("totals", "revenue")
        case .revenueChangedPercent: return money("totals", "revenue", relative: true)
        case .refundsChanged: return money("totals", "refunds")
        case .conversionsChanged: return money("totals", "conversions")
        case .spendChanged: return money("campaigns", "spend")
        case .columnsChanged:
            let changed = marts.flatMap { mart in
                mart.addedColumns.map { "+\(mart.name).\($0)" } + mart.droppedColumns.map { "-\(mart.name).\($0)" }
                    + mart.retypedColumns.map { "~\(mart.name).\($0)" }
            }
            return (Double(changed.count), changed.isEmpty ? "no column added, dropped or retyped" : changed.joined(separator: ", "))
        }
    }
}

/// Numbers as the diff reports write them (the same on every machine).
public enum DiffText {
    /// "1,234" for counts.
    public static func count(_ value: Int) -> String { TextFormat.groupedDigits(String(value)) }

    /// A value in its unit: "1,234", "$1,234.56", "92.4%", "2.35"; "–" for none.
    public static func value(_ value: Double?, _ unit: MetricChange.Unit) -> String {
        guard let value, value.isFinite else { return "–" }
        switch unit {
        case .count: return TextFormat.groupedDigits(String(format: "%.0f", value))
        case .usd: return (value < 0 ? "-$" : "$") + TextFormat.groupedDigits(String(format: "%.2f", abs(value)))
        case .rate: return String(format: "%.1f%%", value * 100)
        case .ratio: return String(format: "%.2f", value)
        }
    }

    /// A signed change in its unit: "+12", "-$3.50", "+1.2 pts", "+0.05"; "0" when none.
    public static func change(_ value: Double?, _ unit: MetricChange.Unit) -> String {
        guard let value, value.isFinite else { return "–" }
        if abs(value) < 1e-12 { return "0" }
        let sign = value > 0 ? "+" : "-"
        switch unit {
        case .count: return sign + TextFormat.groupedDigits(String(format: "%.0f", abs(value)))
        case .usd: return sign + "$" + TextFormat.groupedDigits(String(format: "%.2f", abs(value)))
        case .rate: return sign + String(format: "%.2f pts", abs(value) * 100)
        case .ratio: return sign + String(format: "%.2f", abs(value))
        }
    }

    /// A relative change: "+12.3%", "-0.4%"; "–" when the base is zero.
    public static func relative(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        if abs(value) < 1e-12 { return "0%" }
        return (value > 0 ? "+" : "-") + String(format: "%.1f%%", abs(value) * 100)
    }

    /// A percentage of rows: "3.20%".
    public static func percent(_ value: Double) -> String { String(format: "%.2f%%", value) }
}
