import Checks
import Foundation
import Reports

/// The daily audit as an email: subject, plain text and HTML, written for mail clients.
public struct Digest: Sendable, Equatable {
    /// `reckon: 2 failed, 1 warning — analytics/analytics — 2026-11-24`.
    public var subject: String
    /// The plain-text part: the same content in aligned text.
    public var text: String
    /// The HTML part: tables and inline styles only, no scripts, images, SVG or `<details>`.
    public var html: String
}

/// Renders a `RunResult` as a `Digest`: failures first (what each check guards, observed vs
/// expected, up to five sample rows of the key and the columns the check uses, the SQL listing
/// every failing row), then warnings, then one line for what passed; the match rate per tier
/// over the last 14 days as a bar table; a link to the full report when its address is known.
///
/// The HTML stays under `maximumHTMLBytes` however many checks fail: checks that do not fit
/// are counted in one line ("and 37 more failing checks — see the attached report").
public struct DigestRenderer: Sendable {
    /// Address of the full report, linked at the top.
    public var reportURL: String?
    /// Whether the full report is attached (the cut line points to it).
    public var reportAttached: Bool
    /// Sample rows shown per failing check.
    public var sampleRows = 5
    /// Longest cell text shown before the ellipsis.
    public var cellLength = 40
    /// Days of match rate shown.
    public var matchRateDays = 14
    /// Upper bound of the HTML part, in bytes.
    public var maximumHTMLBytes = 100_000

    /// Creates a renderer.
    public init(reportURL: String? = nil, reportAttached: Bool = false) {
        self.reportURL = reportURL
        self.reportAttached = reportAttached
    }

    /// The digest of `result`; `subjectOverride` replaces the generated subject.
    public func render(_ result: RunResult, subjectOverride: String? = nil) -> Digest {
        let subject = subjectOverride ?? Self.subject(result)
        let failing = result.checks.filter { $0.status == .fail || $0.status == .error }
        let warnings = result.checks.filter { $0.status == .warn }
        let passed = result.checks.filter { $0.status == .pass }
        let charts = result.checks.compactMap { MatchRateTable.make($0, days: matchRateDays) }

        var html = HTMLDigest(reportURL: reportURL)
        var text = TextDigest()
        html.begin(title: subject, heading: HTMLDigest.heading(result), summary: Self.summary(result), meta: Self.meta(result))
        text.begin(heading: Self.heading(result), summary: Self.summary(result), meta: Self.meta(result), reportURL: reportURL)
        if let reason = result.errorMessage {
            html.runError(reason)
            text.runError(reason)
        }
        // Room for the sections after the failures and the closing markup.
        let reserve = 6_000 + charts.count * 9_000 + min(warnings.count, 30) * 900
        let budget = maximumHTMLBytes - reserve
        var shownFailing = 0
        if !failing.isEmpty {
            html.section("Failed", count: failing.count, color: Palette.fail)
            text.section("FAILED", count: failing.count)
            for check in failing {
                let block = HTMLDigest.failingCheck(check, sample: sample(check))
                guard html.byteCount + block.utf8.count <= budget else { break }
                html.append(block)
                text.failingCheck(check, sample: sample(check))
                shownFailing += 1
            }
            if shownFailing < failing.count {
                let line = "and \(failing.count - shownFailing) more failing checks — \(seeMore)"
                html.note(line)
                text.note(line)
            }
        }
        if !warnings.isEmpty {
            html.section("Warnings", count: warnings.count, color: Palette.warn)
            text.section("WARNINGS", count: warnings.count)
            var shown = 0
            for check in warnings {
                let block = HTMLDigest.warning(check, sample: sample(check, rows: 3))
                guard html.byteCount + block.utf8.count <= maximumHTMLBytes - 3_000 else { break }
                html.append(block)
                text.warning(check, sample: sample(check, rows: 3))
                shown += 1
            }
            if shown < warnings.count {
                let line = "and \(warnings.count - shown) more warnings — \(seeMore)"
                html.note(line)
                text.note(line)
            }
        }
        for chart in charts {
            let block = HTMLDigest.matchRate(chart)
            guard html.byteCount + block.utf8.count <= maximumHTMLBytes - 4_000 else { continue }
            html.append(block)
            text.matchRate(chart)
        }
        if !passed.isEmpty {
            let names = passed.prefix(12).map(\.name).joined(separator: ", ") + (passed.count > 12 ? ", …" : "")
            let line = "\(passed.count) check\(passed.count == 1 ? "" : "s") passed: \(names)"
            html.passed(line)
            text.passed(line)
        }
        html.end(footer: Self.footer(result))
        text.end(footer: Self.footer(result))
        return Digest(subject: subject, text: text.output, html: html.output)
    }

    private var seeMore: String {
        if reportAttached { return "see the attached report" }
        if reportURL != nil { return "see the full report" }
        return "see the full report (reckon report --html)"
    }

    private func sample(_ check: CheckResult, rows: Int? = nil) -> SampleView {
        SampleView.make(check, maximumRows: rows ?? sampleRows, maximumLength: cellLength)
    }

    /// `reckon: 2 failed, 1 warning — analytics/analytics — 2026-11-24`.
    public static func subject(_ result: RunResult) -> String {
        "reckon: \(counts(result)) — \(target(result)) — \(day(result.startedAt))"
    }

    /// `2 failed, 1 warning`, `all 40 checks passed`, or `could not run`.
    static func counts(_ result: RunResult) -> String {
        if result.errorMessage != nil { return "could not run" }
        var parts: [String] = []
        let failed = result.count(.fail)
        let errored = result.count(.error)
        let warned = result.count(.warn)
        if failed > 0 { parts.append("\(failed) failed") }
        if errored > 0 { parts.append("\(errored) could not run") }
        if warned > 0 { parts.append("\(warned) warning\(warned == 1 ? "" : "s")") }
        if parts.isEmpty { return result.checks.isEmpty ? "no checks" : "all \(result.checks.count) checks passed" }
        return parts.joined(separator: ", ")
    }

    /// `database/schema`, the database name read from the masked connection string.
    static func target(_ result: RunResult) -> String {
        guard let name = databaseName(result.database) else { return result.checkedSchema }
        return name + "/" + result.checkedSchema
    }

    /// The `dbname=` of a keyword/value connection string or the path of a URI.
    static func databaseName(_ conninfo: String) -> String? {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            let withoutQuery = conninfo.split(separator: "?", maxSplits: 1).first.map(String.init) ?? conninfo
            guard let afterScheme = withoutQuery.range(of: "://") else { return nil }
            let rest = withoutQuery[afterScheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            let name = String(rest[rest.index(after: slash)...])
            return name.isEmpty ? nil : (name.removingPercentEncoding ?? name)
        }
        for pair in conninfo.split(separator: " ") where pair.hasPrefix("dbname=") {
            let name = pair.dropFirst("dbname=".count).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            return name.isEmpty ? nil : name
        }
        return nil
    }

    /// The run's day, UTC.
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    static func heading(_ result: RunResult) -> String { "reckon audit of \(target(result)) — \(day(result.startedAt))" }

    static func summary(_ result: RunResult) -> String {
        if result.errorMessage != nil { return "The audit could not run: no check was judged." }
        let total = result.checks.count
        return "\(counts(result)) — \(total) check\(total == 1 ? "" : "s"), \(result.count(.pass)) passed"
    }

    static func meta(_ result: RunResult) -> String {
        var parts = ["reckon \(result.command)", "started \(ReportText.timestamp(result.startedAt))"]
        parts.append("took \(ReportText.duration(result.durationSeconds))")
        if let published = result.published { parts.append(published ? "published" : "not published") }
        if let commit = result.modelsCommit { parts.append("models \(commit)") }
        return parts.joined(separator: " · ")
    }

    static func footer(_ result: RunResult) -> String {
        "Sent by reckon \(result.reckonVersion) from the result of reckon \(result.command) on \(result.database)."
    }
}

/// Colours of the statuses: text on a light background; the dark-mode block swaps them.
enum Palette {
    static let fail = "#b42318"
    static let warn = "#b54708"
    static let pass = "#067647"
    static let error = "#6941c6"

    static func color(_ status: CheckStatus) -> String {
        switch status {
        case .fail: fail
        case .warn: warn
        case .pass: pass
        case .error: error
        }
    }

    static func label(_ status: CheckStatus) -> String {
        switch status {
        case .fail: "FAIL"
        case .warn: "WARN"
        case .pass: "PASS"
        case .error: "ERROR"
        }
    }
}

/// The match rate per tier and day of one match_rate check, the last `days` days.
struct MatchRateTable: Sendable, Equatable {
    struct Cell: Sendable, Equatable {
        var rate: Double
        var status: CheckStatus
    }

    var checkName: String
    var tiers: [String]
    var days: [String]
    /// `cells[day][tier]`; the tier `all` is the day's overall rate.
    var cells: [String: [String: Cell]]

    /// The table of `check`, when its groups have per-day per-tier rates.
    static func make(_ check: CheckResult, days: Int) -> MatchRateTable? {
        var cells: [String: [String: Cell]] = [:]
        var tiers: [String] = []
        var hasTierDays = false
        for group in check.groups {
            guard group.key.hasPrefix("date="), let rate = group.values["rate"] else { continue }
            let parts = group.key.split(separator: " ", maxSplits: 1)
            let day = String(parts[0].dropFirst("date=".count))
            var tier = "all"
            if parts.count == 2, parts[1].hasPrefix("tier=") {
                tier = String(parts[1].dropFirst("tier=".count))
                hasTierDays = true
            }
            if !tiers.contains(tier) { tiers.append(tier) }
            cells[day, default: [:]][tier] = Cell(rate: rate, status: group.status)
        }
        guard hasTierDays else { return nil }
        let orderedTiers = tiers.filter { $0 != "all" } + (tiers.contains("all") ? ["all"] : [])
        return MatchRateTable(
            checkName: check.name, tiers: orderedTiers, days: Array(cells.keys.sorted().suffix(days)), cells: cells)
    }
}

/// The HTML part, built block by block so its size is known at every step.
struct HTMLDigest {
    var reportURL: String?
    private(set) var output = ""

    init(reportURL: String?) { self.reportURL = reportURL }

    var byteCount: Int { output.utf8.count }

    mutating func append(_ block: String) { output += block }

    static func escape(_ text: String) -> String { ReportText.htmlEscaped(ReportText.xmlSafe(text)) }

    /// The heading, the day kept on one line.
    static func heading(_ result: RunResult) -> String {
        "reckon audit of \(name(DigestRenderer.target(result))) — <span style=\"white-space:nowrap\">\(DigestRenderer.day(result.startedAt))</span>"
    }

    /// A check name that wraps after underscores, never inside a word.
    static func name(_ text: String) -> String { escape(text).replacingOccurrences(of: "_", with: "_<wbr>") }

    static let font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
    static let mono = "font-family:Menlo,Consolas,'Liberation Mono',monospace"

    mutating func begin(title: String, heading: String, summary: String, meta: String) {
        output += """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
            <title>\(Self.escape(title))</title>
            <style>
            @media (prefers-color-scheme: dark) {
              .rk-body { background:#0c111d !important; color:#e4e7ec !important; }
              .rk-card { background:#161b26 !important; color:#e4e7ec !important; border-color:#333741 !important; }
              .rk-muted { color:#98a2b3 !important; }
              .rk-code { background:#0c111d !important; color:#e4e7ec !important; border-color:#333741 !important; }
              .rk-head th, .rk-head td { background:#1f242f !important; color:#e4e7ec !important; }
              .rk-track { background:#333741 !important; }
              a { color:#84caff !important; }
              .rk-s-fail { color:#f97066 !important; } .rk-s-warn { color:#fdb022 !important; }
              .rk-s-error { color:#b692f6 !important; } .rk-s-pass { color:#47cd89 !important; }
              .rk-cell { border-color:#333741 !important; }
            }
            </style></head>
            <body class="rk-body" style="margin:0;padding:0;background:#f2f4f7;color:#101828;\(Self.font);font-size:14px;line-height:1.45">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="rk-body" style="background:#f2f4f7"><tr><td align="center" style="padding:12px 8px">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;width:100%"><tr><td>
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="rk-card" style="background:#ffffff;border:1px solid #d0d5dd;border-radius:6px;margin:0 0 12px"><tr><td style="padding:14px 16px">
            <div style="font-size:18px;font-weight:bold;margin:0 0 4px">\(heading)</div>
            <div style="font-size:15px;margin:0 0 4px">\(Self.escape(summary))</div>
            <div class="rk-muted" style="font-size:12px;color:#475467">\(Self.escape(meta))</div>

            """
        if let reportURL {
            let link = Self.escape(reportURL)
            output += "<div style=\"margin:8px 0 0\"><a href=\"\(link)\" style=\"color:#175cd3\">Open the full report</a></div>\n"
        }
        output += "</td></tr></table>\n"
    }

    mutating func runError(_ reason: String) {
        output += """
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="rk-card" style="background:#ffffff;border:1px solid #d0d5dd;border-left:6px solid \(Palette.error);border-radius:6px;margin:0 0 12px"><tr><td style="padding:12px 14px">
            <div style="font-size:16px;font-weight:bold;color:\(Palette.error)">ERROR: the audit could not run</div>
            <div style="margin:6px 0 0">\(Self.escape(reason))</div>
            <div class="rk-muted" style="margin:6px 0 0;font-size:12px;color:#475467">No check was judged, so nothing here says the marts are right or wrong. Fix the cause and run the audit again.</div>
            </td></tr></table>

            """
    }

    mutating func section(_ title: String, count: Int, color: String) {
        let status = color == Palette.warn ? "warn" : "fail"
        output +=
            "<div class=\"rk-s-\(status)\" style=\"font-size:16px;font-weight:bold;color:\(color);margin:16px 0 8px\">\(Self.escape(title)) (\(count))</div>\n"
    }

    mutating func note(_ line: String) {
        output += "<div style=\"margin:0 0 12px;font-weight:bold\">\(Self.escape(line))</div>\n"
    }

    mutating func passed(_ line: String) {
        output += """
            <div class="rk-s-pass" style="font-size:16px;font-weight:bold;color:\(Palette.pass);margin:16px 0 8px">Passed</div>
            <div style="margin:0 0 12px">\(Self.escape(line))</div>

            """
    }

    mutating func end(footer: String) {
        output += """
            <div class="rk-muted" style="font-size:12px;color:#475467;margin:16px 0 0">\(Self.escape(footer))</div>
            </td></tr></table>
            </td></tr></table>
            </body></html>

            """
    }

    static func badge(_ status: CheckStatus) -> String {
        "<span style=\"display:inline-block;padding:1px 6px;border-radius:4px;background:\(Palette.color(status));color:#ffffff;font-size:12px;font-weight:bold\">\(Palette.label(status))</span>"
    }

    static func cardStart(_ status: CheckStatus) -> String {
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" class=\"rk-card\" style=\"background:#ffffff;border:1px solid #d0d5dd;border-left:6px solid \(Palette.color(status));border-radius:6px;margin:0 0 12px\"><tr><td style=\"padding:12px 14px\">\n"
    }

    static let cardEnd = "</td></tr></table>\n"

    static func meta(_ check: CheckResult) -> String {
        var parts = [check.kind, "severity \(check.severity.rawValue)", "\(check.file):\(check.line)"]
        if let table = check.table { parts.insert(table, at: 0) }
        if let owner = check.owner { parts.append("owner \(owner)") }
        return
            "<div class=\"rk-muted\" style=\"font-size:12px;color:#475467;margin:2px 0 6px;overflow-wrap:break-word\">\(escape(parts.joined(separator: " · ")))</div>\n"
    }

    static func verdict(_ check: CheckResult) -> String {
        let cell = "padding:4px 8px;border-top:1px solid #eaecf0;vertical-align:top;overflow-wrap:break-word"
        return """
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 8px;font-size:14px">
            <tr><td width="90" style="\(cell);font-weight:bold">Observed</td><td class="rk-s-\(check.status.rawValue)" style="\(cell);font-weight:bold;color:\(Palette.color(check.status))">\(escape(check.observed.isEmpty ? "–" : check.observed))</td></tr>
            <tr><td width="90" style="\(cell);font-weight:bold">Expected</td><td style="\(cell)">\(escape(check.expected.isEmpty ? "–" : check.expected))</td></tr>
            </table>

            """
    }

    static func failingCheck(_ check: CheckResult, sample: SampleView) -> String {
        var block = cardStart(check.status)
        block += "<div style=\"font-size:16px;font-weight:bold;margin:0\">\(badge(check.status)) \(name(check.name))</div>\n"
        block += meta(check)
        if let description = check.description, !description.isEmpty {
            block += "<div style=\"margin:0 0 8px\">\(escape(description))</div>\n"
        }
        block += verdict(check)
        if let error = check.errorMessage {
            block += "<div style=\"margin:0 0 8px\"><b>Could not run:</b> \(escape(error))</div>\n"
        } else if !check.message.isEmpty {
            block += "<div style=\"margin:0 0 8px\">\(escape(check.message))</div>\n"
        }
        block += sampleTable(check, sample: sample)
        if !check.sql.isEmpty {
            block += "<div style=\"font-weight:bold;margin:8px 0 4px\">SQL listing every failing row</div>\n"
            block +=
                "<pre class=\"rk-code\" style=\"margin:0;padding:8px;background:#f9fafb;border:1px solid #eaecf0;border-radius:4px;font-size:12px;\(mono);white-space:pre-wrap;overflow-wrap:anywhere\">\(escape(check.sql))</pre>\n"
        }
        return block + cardEnd
    }

    static func sampleTable(_ check: CheckResult, sample: SampleView) -> String {
        guard !sample.rows.isEmpty else { return "" }
        var block = ""
        let total = check.sampleRows.count
        block += "<div style=\"font-weight:bold;margin:8px 0 4px\">Failing rows (\(sample.rows.count) of the \(total) sampled)</div>\n"
        block +=
            "<table cellpadding=\"0\" cellspacing=\"0\" width=\"100%\" style=\"border-collapse:collapse;font-size:12px;\(mono);margin:0 0 8px\">\n"
        block += "<tr class=\"rk-head\">"
        for column in sample.columns {
            block +=
                "<th align=\"left\" class=\"rk-cell\" style=\"padding:3px 6px;background:#f2f4f7;border:1px solid #eaecf0;overflow-wrap:anywhere\">\(name(column))</th>"
        }
        block += "</tr>\n"
        for row in sample.rows {
            block += "<tr>"
            for cell in row {
                let text = cell.map(escape) ?? "<i class=\"rk-muted\" style=\"color:#667085\">NULL</i>"
                block +=
                    "<td class=\"rk-cell\" style=\"padding:3px 6px;border:1px solid #eaecf0;vertical-align:top;overflow-wrap:anywhere\">\(text)</td>"
            }
            block += "</tr>\n"
        }
        block += "</table>\n"
        return block
    }

    static func warning(_ check: CheckResult, sample: SampleView) -> String {
        var block = cardStart(.warn)
        block += "<div style=\"font-size:15px;font-weight:bold\">\(badge(check.status)) \(name(check.name))</div>\n"
        block += meta(check)
        if let description = check.description, !description.isEmpty {
            block += "<div style=\"margin:0 0 6px\">\(escape(description))</div>\n"
        }
        block += verdict(check)
        block += sampleTable(check, sample: sample)
        return block + cardEnd
    }

    static func matchRate(_ table: MatchRateTable) -> String {
        var block = cardStart(.pass)
        block +=
            "<div style=\"font-size:15px;font-weight:bold;margin:0 0 6px\">Match rate per tier, last \(table.days.count) days — \(name(table.checkName))</div>\n"
        block +=
            "<table cellpadding=\"0\" cellspacing=\"0\" width=\"100%\" style=\"border-collapse:collapse;font-size:12px\">\n<tr class=\"rk-head\"><th align=\"left\" style=\"padding:3px 4px;background:#f2f4f7\">day</th>"
        for tier in table.tiers {
            block += "<th align=\"left\" style=\"padding:3px 4px;background:#f2f4f7;overflow-wrap:anywhere\">\(name(tier))</th>"
        }
        block += "</tr>\n"
        for day in table.days.reversed() {
            block += "<tr><td style=\"padding:3px 4px;white-space:nowrap;\(mono)\">\(escape(String(day.suffix(5))))</td>"
            for tier in table.tiers {
                guard let cell = table.cells[day]?[tier] else {
                    block += "<td style=\"padding:3px 4px\">–</td>"
                    continue
                }
                let percent = max(0, min(100, Int((cell.rate * 100).rounded())))
                let color = cell.status == .pass ? "#2e90fa" : Palette.color(cell.status)
                let bar =
                    percent == 0
                    ? ""
                    : "<td width=\"\(percent)%\" style=\"background:\(color);height:8px;font-size:1px;line-height:1px\">&nbsp;</td>"
                let rest =
                    percent == 100
                    ? "" : "<td class=\"rk-track\" style=\"background:#eaecf0;height:8px;font-size:1px;line-height:1px\">&nbsp;</td>"
                block +=
                    "<td style=\"padding:3px 4px;vertical-align:middle\"><div style=\"color:\(cell.status == .pass ? "inherit" : color)\">\(ReportText.percent(cell.rate))</div>"
                block +=
                    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>\(bar)\(rest)</tr></table></td>"
            }
            block += "</tr>\n"
        }
        block += "</table>\n"
        return block + cardEnd
    }
}

/// The plain-text part: the same sections, aligned for a fixed-width font.
struct TextDigest {
    private(set) var output = ""

    mutating func line(_ text: String = "") { output += text + "\n" }

    mutating func begin(heading: String, summary: String, meta: String, reportURL: String?) {
        line(heading)
        line(summary)
        line(meta)
        if let reportURL { line("Full report: \(reportURL)") }
    }

    mutating func runError(_ reason: String) {
        line()
        line("ERROR: the audit could not run")
        line("  \(reason)")
        line("  No check was judged, so nothing here says the marts are right or wrong.")
    }

    mutating func section(_ title: String, count: Int) {
        line()
        line("\(title) (\(count))")
        line(String(repeating: "=", count: title.count + 3 + String(count).count))
    }

    mutating func note(_ text: String) {
        line()
        line(text)
    }

    mutating func passed(_ text: String) {
        line()
        line("PASSED")
        line("======")
        line(text)
    }

    mutating func end(footer: String) {
        line()
        line("-- ")
        line(footer)
    }

    mutating func verdict(_ check: CheckResult) {
        line("  Observed: \(check.observed.isEmpty ? "–" : check.observed)")
        line("  Expected: \(check.expected.isEmpty ? "–" : check.expected)")
    }

    mutating func header(_ check: CheckResult) {
        line()
        line("[\(Palette.label(check.status))] \(check.name)")
        var parts = [check.kind, "severity \(check.severity.rawValue)", "\(check.file):\(check.line)"]
        if let table = check.table { parts.insert(table, at: 0) }
        line("  " + parts.joined(separator: " · "))
        if let description = check.description, !description.isEmpty { line("  What it guards: \(description)") }
    }

    mutating func failingCheck(_ check: CheckResult, sample: SampleView) {
        header(check)
        verdict(check)
        if let error = check.errorMessage {
            line("  Could not run: \(error)")
        } else if !check.message.isEmpty {
            line("  \(check.message)")
        }
        sampleTable(check, sample: sample)
        if !check.sql.isEmpty {
            line("  SQL listing every failing row:")
            for sqlLine in check.sql.split(separator: "\n", omittingEmptySubsequences: false) { line("    " + sqlLine) }
        }
    }

    mutating func sampleTable(_ check: CheckResult, sample: SampleView) {
        guard !sample.rows.isEmpty else { return }
        line("  Failing rows (\(sample.rows.count) of the \(check.sampleRows.count) sampled):")
        let cells = sample.rows.map { $0.map { $0 ?? "NULL" } }
        let widths = sample.columns.indices.map { index in
            ([sample.columns[index]] + cells.map { $0[index] }).map(\.count).max() ?? 0
        }
        func format(_ values: [String]) -> String {
            values.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: " | ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        line("    " + format(sample.columns))
        line("    " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        for row in cells { line("    " + format(row)) }
    }

    mutating func warning(_ check: CheckResult, sample: SampleView) {
        header(check)
        verdict(check)
        sampleTable(check, sample: sample)
    }

    mutating func matchRate(_ table: MatchRateTable) {
        line()
        line("Match rate per tier, last \(table.days.count) days — \(table.checkName)")
        let width = max(6, table.tiers.map(\.count).max() ?? 0)
        func right(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func trimmed(_ text: String) -> String { text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        line(trimmed("  day   " + table.tiers.map { right($0) + " " }.joined(separator: " ")))
        for day in table.days.reversed() {
            let values = table.tiers.map { tier -> String in
                guard let cell = table.cells[day]?[tier] else { return right("–") + " " }
                return right(ReportText.percent(cell.rate)) + (cell.status == .pass ? " " : "!")
            }
            line(trimmed("  " + String(day.suffix(5)) + " " + values.joined(separator: " ")))
        }
        line("  (! = below its threshold)")
    }
}
