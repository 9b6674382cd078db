import Foundation
import ReckonCore

/// The terminal summary, the HTML page and the JSON of a match-rate investigation.
public enum MatchRateRendering {
    /// The ranked terminal summary: the rate, the causes first (at most `limit`), then the
    /// tiers and the rate-versus-mix split; fits a screen.
    public static func summary(_ report: MatchRateReport, limit: Int = 8) -> String {
        var lines: [String] = []
        let period = report.periodStart == report.periodEnd ? report.periodStart : "\(report.periodStart) … \(report.periodEnd)"
        lines.append(
            "Facebook match rate \(period): \(percent(report.period.rate)) (\(report.period.matched)/\(report.period.sessions))"
                + "  vs baseline \(report.baselineStart) … \(report.baselineEnd): \(percent(report.baseline.rate))"
                + "  \(signedPoints(report.period.rate - report.baseline.rate))")
        let lost = Int(((report.baseline.rate - report.period.rate) * Double(report.period.sessions)).rounded())
        lines.append("matched sessions lost against the baseline rate: \(lost)")
        lines.append("")
        lines.append("Causes, ranked by sessions explained beyond the baseline (excess):")
        let causes = report.findings.filter { $0.excessSessions > 0 }.prefix(limit)
        if causes.isEmpty { lines.append("  none beyond the baseline") }
        let width = String(causes.map(\.sessions).max() ?? 0).count
        for (index, finding) in causes.enumerated() {
            let rank = String(index + 1).leftPadded(2)
            let sessions = String(finding.sessions).leftPadded(max(width, 8))
            let excess = ("+" + String(finding.excessSessions)).leftPadded(max(width + 1, 7))
            lines.append("\(rank). \(sessions) sessions \(excess)  \(truncated(finding.title, 90))")
            if index < 3 { lines.append("    \(String(repeating: " ", count: max(width, 8) + 17))\(truncated(finding.detail, 90))") }
        }
        lines.append("")
        lines.append("Tiers          period    share   baseline share   lost")
        for tier in report.tiers {
            lines.append(
                "  \(tier.tier.padded(12))\(String(tier.sessions).leftPadded(7))  \(percent(tier.share).leftPadded(7))"
                    + "  \(percent(tier.baselineShare).leftPadded(15))  \(String(tier.lostSessions).leftPadded(5))")
        }
        lines.append("")
        lines.append("Rate vs mix    lost by rate   lost by mix   worst segment")
        for decomposition in report.decompositions {
            let worst = decomposition.topSegments.first.map {
                "\(truncated($0.value, 30)) \(percent($0.rate)) vs \(percent($0.baselineRate))\($0.isNew ? " (new)" : "")"
            }
            lines.append(
                "  \(decomposition.dimension.padded(12))\(String(decomposition.rateEffectSessions).leftPadded(13))"
                    + "\(String(decomposition.mixEffectSessions).leftPadded(14))   \(worst ?? "-")")
        }
        lines.append("")
        lines.append("near misses by \(report.nearMissMethod); --json or --html for examples and the SQL of each finding")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON document (sorted keys, pretty-printed).
    public static func json(_ report: MatchRateReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }

    /// A self-contained HTML page in the check report's style.
    public static func html(_ report: MatchRateReport, generatedAt: Date, reckonVersion: String) -> String {
        let period = report.periodStart == report.periodEnd ? report.periodStart : "\(report.periodStart) … \(report.periodEnd)"
        let dropped = report.period.rate < report.baseline.rate
        var body = """
            <div class="summary status-\(dropped ? "fail" : "pass")">
            <h1>Facebook match rate \(escape(period)): \(percent(report.period.rate)) <span class="muted">vs \(percent(report.baseline.rate)) \
            in the baseline (\(escape(report.baselineStart)) … \(escape(report.baselineEnd)))</span></h1>
            <table class="facts"><tbody>
            <tr><th>mart</th><td>\(escape(report.martTable))</td></tr>
            <tr><th>period</th><td>\(report.period.matched) of \(report.period.sessions) Facebook sessions matched</td></tr>
            <tr><th>baseline</th><td>\(report.baseline.matched) of \(report.baseline.sessions) over \(report.baseline.days) days</td></tr>
            <tr><th>near misses</th><td>\(escape(report.nearMissMethod))</td></tr>
            </tbody></table>
            </div>
            <h2>Causes <span class="count">\(report.findings.count)</span></h2>

            """
        for (index, finding) in report.findings.prefix(30).enumerated() {
            let status = finding.excessSessions > 0 ? (index == 0 ? "fail" : "warn") : "pass"
            body += """
                <div class="check check-\(status)">
                <h3>\(index + 1). \(escape(finding.title))</h3>
                <p class="meta"><span class="kind">\(escape(finding.kind.rawValue))</span> · \(escape(finding.detail))</p>
                <table class="figures"><thead><tr><th class="num">sessions explained</th><th class="num">baseline sessions</th>\
                <th class="num">expected at this volume</th><th class="num">excess</th></tr></thead><tbody>
                <tr><td class="num">\(finding.sessions)</td><td class="num">\(finding.baselineSessions)</td>\
                <td class="num">\(String(format: "%.1f", finding.expectedSessions))</td><td class="num">\(finding.excessSessions)</td></tr>
                </tbody></table>
                <p class="meta">examples: <code>\(escape(finding.exampleSessionIds.joined(separator: ", ")))</code></p>
                <details><summary>SQL listing all of them</summary><pre>\(escape(finding.sql))</pre></details>
                </div>

                """
        }
        body += """
            <h2>Which tier lost matches</h2>
            <table class="group-table"><thead><tr><th>tier</th><th class="num">period</th><th class="num">share</th>\
            <th class="num">baseline</th><th class="num">baseline share</th><th class="num">lost</th></tr></thead><tbody>

            """
        for tier in report.tiers {
            body += """
                <tr class="\(tier.lostSessions > 0 && tier.tier != "unmatched" ? "row-fail" : "")"><td>\(escape(tier.tier))</td>\
                <td class="num">\(tier.sessions)</td><td class="num">\(percent(tier.share))</td>\
                <td class="num">\(tier.baselineSessions)</td><td class="num">\(percent(tier.baselineShare))</td>\
                <td class="num">\(tier.lostSessions)</td></tr>

                """
        }
        body += "</tbody></table>\n<h2>Rate versus mix</h2>\n"
        for decomposition in report.decompositions {
            body += """
                <div class="check">
                <h3>\(escape(decomposition.dimension))</h3>
                <p class="meta">matches lost by a worse rate inside segments: <b>\(decomposition.rateEffectSessions)</b>; \
                by traffic moving to segments that match less: <b>\(decomposition.mixEffectSessions)</b></p>
                <table class="group-table"><thead><tr><th>segment</th><th class="num">sessions</th><th class="num">rate</th>\
                <th class="num">baseline rate</th><th class="num">lost</th></tr></thead><tbody>

                """
            for segment in decomposition.topSegments {
                body += """
                    <tr><td>\(escape(segment.value))\(segment.isNew ? " <span class=\"tag\">new</span>" : "")</td>\
                    <td class="num">\(segment.sessions)</td><td class="num">\(percent(segment.rate))</td>\
                    <td class="num">\(percent(segment.baselineRate))</td><td class="num">\(segment.lostSessions)</td></tr>

                    """
            }
            body += "</tbody></table>\n"
            if !decomposition.sql.isEmpty {
                body += """
                    <p class="meta">examples: <code>\(escape(decomposition.exampleSessionIds.joined(separator: ", ")))</code></p>
                    <details><summary>SQL listing the unmatched sessions of the first segment</summary><pre>\(escape(decomposition.sql))</pre></details>

                    """
            }
            body += "</div>\n"
        }
        let stamp = ISO8601DateFormatter().string(from: generatedAt)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>reckon investigate match-rate \(escape(period))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <div class="page">
            \(body)<p class="footer">Generated by reckon \(escape(reckonVersion)) at \(stamp).</p>
            </div>
            </body>
            </html>

            """
    }

    static let style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f2f4f7; color: #101828; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
        .page { max-width: 1120px; margin: 0 auto; padding: 24px; }
        h1 { font-size: 22px; margin: 0 0 8px; }
        h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 2px solid #d0d5dd; padding-bottom: 4px; }
        h2 .count { display: inline-block; min-width: 24px; padding: 0 8px; border-radius: 12px; background: #e4e7ec; font-size: 13px; text-align: center; }
        h3 { font-size: 16px; margin: 0 0 4px; word-break: break-word; }
        code, pre { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
        pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
        table { border-collapse: collapse; }
        th, td { text-align: left; vertical-align: top; padding: 4px 10px; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .muted { color: #667085; font-weight: 400; }
        .summary { background: #fff; border: 1px solid #d0d5dd; border-top: 6px solid #98a2b3; border-radius: 8px; padding: 16px 20px; }
        .summary.status-fail { border-top-color: #d92d20; }
        .summary.status-pass { border-top-color: #079455; }
        .facts th { color: #475467; font-weight: 500; padding-left: 0; width: 140px; }
        .check { background: #fff; border: 1px solid #d0d5dd; border-left: 6px solid #98a2b3; border-radius: 8px; padding: 14px 18px; margin: 0 0 14px; }
        .check-fail { border-left-color: #d92d20; }
        .check-warn { border-left-color: #dc6803; }
        .check-pass { border-left-color: #079455; }
        .meta { margin: 0 0 8px; color: #475467; font-size: 12.5px; word-break: break-word; }
        .kind { font-weight: 600; color: #344054; }
        .tag { display: inline-block; background: #eff8ff; color: #175cd3; border-radius: 4px; padding: 0 6px; font-size: 11.5px; }
        .figures, .group-table { margin: 10px 0; border: 1px solid #eaecf0; background: #fff; }
        .figures th, .figures td, .group-table th, .group-table td { border-bottom: 1px solid #eaecf0; font-size: 12.5px; }
        .figures thead th { background: #f9fafb; color: #475467; font-weight: 500; }
        .group-table thead th { background: #f9fafb; color: #475467; }
        .row-fail td { background: #fef3f2; }
        .footer { margin-top: 32px; color: #667085; font-size: 12px; }
        """

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func signedPoints(_ value: Double) -> String { String(format: "%+.1f pts", value * 100) }

    static func truncated(_ text: String, _ length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }

    /// `text` with HTML special characters escaped.
    public static func escape(_ text: String) -> String { TextFormat.htmlEscaped(text) }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
