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
        return [
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
        key == "rate" || key.hasSuffix("_rate") || key == "threshold" || key.hasSuffix("_share") || key == "share"
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
        let rows = check.groups.map { group -> [String: Any] in
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
    /// `min_rate` as a black mark), when the groups have rates.
    static func chart(_ check: CheckResult, ratesAreFractions: Bool) -> [String: Any]? {
        let groups = check.groups.filter { $0.values["rate"] != nil }
        guard !groups.isEmpty else { return nil }
        let scale = ratesAreFractions ? 1.0 : 100.0
        let labelWidth = 150.0
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
            let shortLabel = key.count > 24 ? String(key.prefix(23)) + "…" : key
            return [
                "key": key, "label": shortLabel, "status": group.status.rawValue,
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
}
