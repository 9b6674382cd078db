import Checks
import Foundation

/// Turns a `RunResult` into the plain dictionaries the HTML templates read.
///
/// Every key a template uses is always present at its level (flags like `hasTable` instead of
/// missing values), so Mustache never climbs to a parent's value by accident. Every string is
/// passed through `ReportText.xmlSafe`; Mustache escapes it when rendering.
enum HTMLViewModel {
    static func make(_ result: RunResult, generatedAt: Date, reckonVersion: String) -> [String: Any] {
        let ordered = orderedChecks(result.checks)
        let views = ordered.map { check(result.checks[$0], index: $0) }
        let problems = views.filter { ["fail", "error"].contains($0["status"] as? String) }
        let warnings = views.filter { ($0["status"] as? String) == "warn" }
        let passes = views.filter { ($0["status"] as? String) == "pass" }
        let status = result.status
        let trends = ordered.compactMap { index in trend(result.checks[index], anchor: "check-\(index + 1)") }
        return [
            "hasTrends": !trends.isEmpty, "trends": trends,
            "status": status.rawValue,
            "statusLabel": label(status),
            "headline": headline(result),
            "command": safe(result.command),
            "database": safe(result.database),
            "checkedSchema": safe(result.checkedSchema),
            "hasModelsCommit": result.modelsCommit != nil,
            "modelsCommit": safe(result.modelsCommit ?? ""),
            "hasPublished": result.published != nil,
            "published": result.published.map { $0 ? "yes: the marts were published" : "no: the previous marts stay published" } ?? "",
            "startedAt": ReportText.timestamp(result.startedAt),
            "generatedAt": ReportText.timestamp(generatedAt),
            "duration": ReportText.duration(result.durationSeconds),
            "reckonVersion": safe(reckonVersion),
            "hasNotes": !(result.notes ?? []).isEmpty,
            "notes": (result.notes ?? []).map { ["text": safe($0)] },
            "counts": [
                "total": result.checks.count, "pass": result.count(.pass), "warn": result.count(.warn),
                "fail": result.count(.fail), "error": result.count(.error),
            ],
            "countsText":
                "\(result.count(.fail)) failed, \(counted(result.count(.error), "error")), \(counted(result.count(.warn), "warning"))",
            "hasChecks": !views.isEmpty,
            "ordered": views,
            "hasProblems": !problems.isEmpty, "problems": problems, "problemCount": problems.count,
            "hasWarnings": !warnings.isEmpty, "warnings": warnings, "warningCount": warnings.count,
            "hasPasses": !passes.isEmpty, "passes": passes, "passCount": passes.count,
        ]
    }

    /// Indices of `checks`: failed, then errored, then warnings, then passes; definition
    /// order within each.
    static func orderedChecks(_ checks: [CheckResult]) -> [Int] {
        let rank: [CheckStatus: Int] = [.fail: 0, .error: 1, .warn: 2, .pass: 3]
        return checks.indices.sorted { (rank[checks[$0].status] ?? 4, $0) < (rank[checks[$1].status] ?? 4, $1) }
    }

    static func headline(_ result: RunResult) -> String {
        let total = result.checks.count
        switch result.status {
        case .pass: return total == 1 ? "the check passed" : "all \(counted(total, "check")) passed"
        case .warn: return "\(counted(total, "check")) passed, \(result.count(.warn)) with warnings"
        case .fail: return "\(result.count(.fail)) of \(counted(total, "check")) failed"
        case .error: return "\(result.count(.error)) of \(counted(total, "check")) could not run"
        }
    }

    static func label(_ status: CheckStatus) -> String {
        switch status {
        case .pass: "PASS"
        case .warn: "WARN"
        case .fail: "FAIL"
        case .error: "ERROR"
        }
    }

    static func safe(_ text: String) -> String { ReportText.xmlSafe(text) }

    /// `text` escaped for HTML with a `<wbr>` after each underscore, so a long check name
    /// wraps between its words, never inside one.
    static func breakableHTML(_ text: String) -> String {
        ReportText.htmlEscaped(safe(text)).replacingOccurrences(of: "_", with: "_<wbr>")
    }

    static func check(_ check: CheckResult, index: Int) -> [String: Any] {
        let figures = orderedKeys(check.metrics.keys).map { key -> [String: Any] in
            ["name": safe(key), "value": format(check.metrics[key] ?? 0, key: key, ratesAreFractions: (check.metrics[key] ?? 0) <= 1)]
        }
        let sample = SampleView.make(check)
        var view: [String: Any] = [
            "anchor": "check-\(index + 1)",
            "name": safe(check.name),
            "nameHTML": breakableHTML(check.name),
            "kind": safe(check.kind),
            "severity": check.severity.rawValue,
            "status": check.status.rawValue,
            "statusLabel": label(check.status),
            "file": safe(check.file),
            "line": check.line,
            "hasTable": check.table != nil, "table": safe(check.table ?? ""),
            "hasOwner": check.owner != nil, "owner": safe(check.owner ?? ""),
            "hasTags": !check.tags.isEmpty, "tags": check.tags.map(safe),
            "hasDescription": !(check.description ?? "").isEmpty, "description": safe(check.description ?? ""),
            "observed": safe(check.observed.isEmpty ? "–" : check.observed),
            "expected": safe(check.expected.isEmpty ? "–" : check.expected),
            "hasMessage": !check.message.isEmpty, "message": safe(check.message),
            "hasError": check.errorMessage != nil, "errorMessage": safe(check.errorMessage ?? ""),
            "duration": ReportText.duration(check.durationSeconds),
            "hasFigures": !figures.isEmpty, "figures": figures,
            "hasSample": !sample.rows.isEmpty,
            "sampleCount": sample.rows.count,
            "sampleColumns": sample.columns.map(safe),
            "hasHiddenSampleColumns": sample.hiddenColumnCount > 0,
            "hiddenSampleColumnCount": sample.hiddenColumnCount,
            "sampleRows": sample.rows.map { row -> [String: Any] in
                ["cells": row.map { cell -> [String: Any] in ["isNull": cell == nil, "text": safe(cell ?? "")] }]
            },
            "hasSQL": !check.sql.isEmpty, "sql": safe(check.sql),
            "sqlOpen": check.status == .fail || check.status == .error,
        ]
        view["hasGroups"] = !check.groups.isEmpty
        view["hasChart"] = false
        if !check.groups.isEmpty {
            for (key, value) in groups(check) { view[key] = value }
        }
        return view
    }

    /// Keys in a reading order: counts and rates first, then the two sides of a reconciliation,
    /// its bridge terms, and the difference last.
    static func orderedKeys(_ keys: some Collection<String>) -> [String] {
        let first = ["matched", "unmatched", "total", "rate", "threshold", "min_rate", "left", "right"]
        let last = ["difference", "relative_difference", "tolerance"]
        let middle = keys.filter { !first.contains($0) && !last.contains($0) }.sorted()
        return first.filter(keys.contains) + middle + last.filter(keys.contains)
    }

    static func isRate(_ key: String) -> Bool {
        key == "rate" || key.hasSuffix("_rate") || key.hasSuffix("threshold") || key.hasSuffix("_share") || key == "share"
    }

    static func format(_ value: Double, key: String, ratesAreFractions: Bool) -> String {
        if isRate(key), ratesAreFractions { return ReportText.percent(value) }
        return ReportText.number(value)
    }

    static func groups(_ check: CheckResult) -> [String: Any] {
        var keys = Set<String>()
        for group in check.groups { keys.formUnion(group.values.keys) }
        let columns = orderedKeys(keys)
        let ratesAreFractions = check.groups.allSatisfy { group in
            group.values.filter { isRate($0.key) }.allSatisfy { $0.value <= 1 }
        }
        // Failed groups first, then errored, warned and passed; the check's order within each.
        let rank: [CheckStatus: Int] = [.fail: 0, .error: 1, .warn: 2, .pass: 3]
        let sortedGroups = check.groups.enumerated().sorted {
            (rank[$0.element.status] ?? 4, $0.offset) < (rank[$1.element.status] ?? 4, $1.offset)
        }.map(\.element)
        let rows = sortedGroups.map { group -> [String: Any] in
            [
                "key": safe(group.key),
                "status": group.status.rawValue,
                "statusLabel": label(group.status),
                "observed": safe(group.observed),
                "expected": safe(group.expected),
                "cells": columns.map { key in group.values[key].map { format($0, key: key, ratesAreFractions: ratesAreFractions) } ?? "–" },
            ]
        }
        let isReconciliation = check.kind.contains("reconcil")
        var view: [String: Any] = [
            "groupsTitle": isReconciliation ? "Bridge per group (both sides, the terms between them, the difference)" : "Per group",
            "groupColumns": columns.map(safe),
            "groupRows": rows,
        ]
        if let chart = chart(check, ratesAreFractions: ratesAreFractions) {
            view["hasChart"] = true
            view["chart"] = chart
        }
        return view
    }

    /// A horizontal bar chart of the groups' `rate` (with each group's `threshold` or
    /// `min_rate` as a black mark), when the groups have rates. Per-day groups are left to the
    /// trend chart (`trend`).
    static func chart(_ check: CheckResult, ratesAreFractions: Bool) -> [String: Any]? {
        let groups = check.groups.filter { $0.values["rate"] != nil && !$0.key.hasPrefix("date=") }
        guard !groups.isEmpty else { return nil }
        let scale = ratesAreFractions ? 1.0 : 100.0
        // Wide enough for the longest label (about 6.5 px a character at 11 px), never cut.
        let labelWidth = max(80, min(600, Double(groups.map { safe($0.key).count }.max() ?? 0) * 6.5 + 8))
        let plotWidth = 260.0
        let valueWidth = 60.0
        let rowHeight = 24.0
        let barHeight = 16.0
        let top = 8.0
        let plotLeft = labelWidth + 8
        let axisY = top + Double(groups.count) * rowHeight
        func x(_ value: Double) -> Double { plotLeft + max(0, min(1, value / scale)) * plotWidth }
        func round1(_ value: Double) -> String { String(format: "%.1f", value) }
        let bars = groups.enumerated().map { index, group -> [String: Any] in
            let rate = group.values["rate"] ?? 0
            let threshold = group.values["threshold"] ?? group.values["min_rate"]
            let y = top + Double(index) * rowHeight + (rowHeight - barHeight) / 2
            let key = safe(group.key)
            return [
                "key": key, "label": key, "status": group.status.rawValue,
                "labelX": round1(labelWidth), "textY": round1(y + barHeight - 4),
                "y": round1(y), "barHeight": round1(barHeight),
                "barWidth": round1(x(rate.isFinite ? rate : 0) - plotLeft),
                "valueX": round1(x(rate.isFinite ? rate : 0) + 4),
                "valueLabel": format(rate, key: "rate", ratesAreFractions: ratesAreFractions),
                "hasThreshold": threshold != nil,
                "thresholdX": round1(x(threshold ?? 0)),
                "thresholdTop": round1(y - 3), "thresholdBottom": round1(y + barHeight + 3),
                "thresholdLabel": threshold.map { format($0, key: "rate", ratesAreFractions: ratesAreFractions) } ?? "",
            ]
        }
        let ticks = stride(from: 0.0, through: 1.0, by: 0.25).map { fraction -> [String: Any] in
            ["x": round1(plotLeft + fraction * plotWidth), "label": "\(Int(fraction * 100))%"]
        }
        return [
            "title": "\(safe(check.name)): rate per group",
            "valueName": "rate per group",
            "width": round1(plotLeft + plotWidth + valueWidth),
            "height": round1(axisY + 18),
            "plotLeft": round1(plotLeft),
            "axisY": round1(axisY),
            "labelY": round1(axisY + 13),
            "ticks": ticks,
            "bars": bars,
        ]
    }

    /// Colours of the trend lines: the day's overall rate, then one per tier.
    static let seriesColours = ["#101828", "#2e90fa", "#7a5af8", "#0e9384", "#dd2590", "#b54708", "#667085"]

    /// The last 30 days of a check's per-day rates as a line chart, one line per series (the
    /// day's overall rate `date=D`, and each tier `date=D tier=T`), each series' thresholds as
    /// horizontal lines and failed or warned days marked; with the same figures as a table.
    /// Nil when the check has no per-day rates.
    static func trend(_ check: CheckResult, anchor: String, days dayCount: Int = 30) -> [String: Any]? {
        struct Point {
            var rate: Double
            var status: CheckStatus
            var threshold: Double?
            var warnThreshold: Double?
        }
        var seriesNames: [String] = []
        var points: [String: [String: Point]] = [:]
        for group in check.groups {
            guard group.key.hasPrefix("date="), let rate = group.values["rate"], rate.isFinite else { continue }
            let parts = group.key.split(separator: " ", maxSplits: 1).map(String.init)
            let day = String(parts[0].dropFirst("date=".count))
            let series = parts.count == 2 ? parts[1] : "all tiers"
            if !seriesNames.contains(series) { seriesNames.append(series) }
            points[series, default: [:]][day] = Point(
                rate: rate, status: group.status, threshold: group.values["threshold"],
                warnThreshold: group.values["warn_threshold"])
        }
        let days = Array(Set(points.values.flatMap(\.keys)).sorted().suffix(dayCount))
        guard days.count >= 2 else { return nil }
        // "all tiers" first, then the tiers in name order.
        seriesNames = seriesNames.filter { $0 == "all tiers" } + seriesNames.filter { $0 != "all tiers" }.sorted()
        let scale = points.values.flatMap(\.values).allSatisfy { $0.rate <= 1 } ? 1.0 : 100.0
        let plotLeft = 44.0
        let plotTop = 12.0
        let plotWidth = Double(max(days.count - 1, 1)) * 20
        let plotHeight = 180.0
        let plotRight = plotLeft + plotWidth
        let plotBottom = plotTop + plotHeight
        func round1(_ value: Double) -> String { String(format: "%.1f", value) }
        func x(_ index: Int) -> Double { plotLeft + Double(index) * plotWidth / Double(max(days.count - 1, 1)) }
        func y(_ value: Double) -> Double { plotBottom - max(0, min(1, value / scale)) * plotHeight }
        func percent(_ value: Double) -> String { format(value, key: "rate", ratesAreFractions: scale == 1) }
        let yTicks = stride(from: 0.0, through: 1.0, by: 0.25).map { fraction -> [String: Any] in
            [
                "y": round1(plotBottom - fraction * plotHeight), "label": "\(Int(fraction * 100))%",
                "textY": round1(plotBottom - fraction * plotHeight + 3),
            ]
        }
        let xTicks = days.enumerated().filter { $0.offset % 5 == 0 || $0.offset == days.count - 1 }.map { index, day -> [String: Any] in
            ["x": round1(x(index)), "label": safe(String(day.suffix(5)))]
        }
        var marked = 0
        let series = seriesNames.enumerated().map { seriesIndex, name -> [String: Any] in
            let colour = seriesColours[seriesIndex % seriesColours.count]
            let own = points[name] ?? [:]
            let present = days.enumerated().compactMap { index, day in own[day].map { (index, day, $0) } }
            let line = present.map { "\(round1(x($0.0))),\(round1(y($0.2.rate)))" }.joined(separator: " ")
            let dots = present.map { index, day, point -> [String: Any] in
                let flagged = point.status != .pass
                if flagged { marked += 1 }
                return [
                    "x": round1(x(index)), "y": round1(y(point.rate)), "status": point.status.rawValue, "flagged": flagged,
                    "label": "\(safe(name)) on \(safe(day)): \(percent(point.rate)) (\(label(point.status)))",
                ]
            }
            let threshold = present.last?.2.threshold
            let warnThreshold = present.last?.2.warnThreshold
            return [
                "name": safe(name), "colour": colour, "line": line, "dots": dots,
                "hasThreshold": threshold != nil, "thresholdY": round1(y(threshold ?? 0)),
                "thresholdLabel": threshold.map { "\(safe(name)) error \(percent($0))" } ?? "",
                "thresholdTextY": round1(y(threshold ?? 0) - 3),
                "hasWarnThreshold": warnThreshold != nil, "warnThresholdY": round1(y(warnThreshold ?? 0)),
                "warnThresholdLabel": warnThreshold.map { "\(safe(name)) warn \(percent($0))" } ?? "",
                "warnThresholdTextY": round1(y(warnThreshold ?? 0) - 3),
            ]
        }
        let rows = days.reversed().map { day -> [String: Any] in
            let cells = seriesNames.map { name -> [String: Any] in
                guard let point = points[name]?[day] else { return ["text": "–", "status": "none", "flagged": false, "statusLabel": ""] }
                return [
                    "text": percent(point.rate), "status": point.status.rawValue, "flagged": point.status != .pass,
                    "statusLabel": label(point.status),
                ]
            }
            return ["day": safe(day), "cells": cells]
        }
        let name = safe(check.name)
        return [
            "anchor": anchor, "checkName": name,
            "title": "\(name): rate per day over the last \(days.count) days, per tier",
            "width": round1(plotRight + 150), "height": round1(plotBottom + 24),
            "plotLeft": round1(plotLeft), "plotRight": round1(plotRight), "plotTop": round1(plotTop),
            "plotBottom": round1(plotBottom), "thresholdLabelX": round1(plotRight + 4), "xLabelY": round1(plotBottom + 14),
            "yTicks": yTicks, "xTicks": xTicks, "series": series, "seriesNames": seriesNames.map(safe),
            "hasMarked": marked > 0, "markedCount": marked, "rows": rows,
            "firstDay": safe(days.first ?? ""), "lastDay": safe(days.last ?? ""),
        ]
    }
}
