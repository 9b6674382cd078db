import Foundation
import MartDiff

/// `reckon diff` as one self-contained HTML page in the check report's style (its `style`
/// template), with the same content as the Markdown — never cut.
public struct DiffHTMLReporter: Sendable {
    /// When the report was made (shown in the footer).
    public var generatedAt: Date
    /// Folder of templates whose `style.mustache` replaces the default CSS, if any.
    public var templatesDirectory: URL?

    /// Creates a reporter; the time is a parameter so the output is deterministic.
    public init(generatedAt: Date, templatesDirectory: URL? = nil) {
        self.generatedAt = generatedAt
        self.templatesDirectory = templatesDirectory
    }

    /// The CSS: `style.mustache` of the templates folder when present, else the embedded default.
    var styleSheet: String {
        if let templatesDirectory,
            let text = try? String(contentsOf: templatesDirectory.appendingPathComponent("style.mustache"), encoding: .utf8)
        {
            return text
        }
        return EmbeddedTemplates.all["style"] ?? ""
    }

    /// Renders the document of `result` as HTML.
    public func render(_ result: DiffResult) -> Data {
        let document = DiffDocument(result)
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(document.title))</title>
            <style>
            \(styleSheet)
            .sample td { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
            </style>
            </head>
            <body>
            <div class="page">

            """
        let status =
            document.blocks.compactMap { block -> String? in
                if case .verdict(let status, _) = block { return status }
                return nil
            }.first ?? "pass"
        html += "<div class=\"summary status-\(status == "same" ? "pass" : status)\">\n<h1>\(escape(document.title))</h1>\n"
        var openSummary = true
        for block in document.blocks {
            if case .heading(2, _) = block, openSummary {
                html += "</div>\n"
                openSummary = false
            }
            html += render(block)
        }
        if openSummary { html += "</div>\n" }
        html += "<p class=\"footer muted\">\(escape(document.footer)) · generated \(ReportText.timestamp(generatedAt))</p>\n"
        html += "</div>\n</body>\n</html>\n"
        return Data(html.utf8)
    }

    /// Renders and writes the file atomically, creating the parent directory.
    public func write(_ result: DiffResult, to url: URL) throws {
        try DiffReportFile.write(render(result), to: url)
    }

    func render(_ block: DiffDocument.Block) -> String {
        switch block {
        case .heading(let level, let text):
            return "<h\(level)>\(escape(text))</h\(level)>\n"
        case .verdict(let status, let text):
            let badge = status == "fail" ? "badge-fail" : "badge-pass"
            return "<p><span class=\"badge \(badge)\">\(escape(text))</span></p>\n"
        case .paragraph(let text):
            return "<p>\(escape(text))</p>\n"
        case .bullets(let items):
            return "<ul>\n" + items.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
        case .table(let table):
            var html = "<div class=\"scroll\"><table class=\"sample\">\n<thead><tr>"
            html += table.headers.enumerated().map { index, header in
                "<th\(table.numericColumns.contains(index) ? " class=\"num\"" : "")>\(escape(header))</th>"
            }.joined()
            html += "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                html += "<tr>"
                html += row.enumerated().map { index, cell in
                    if cell == "NULL" { return "<td class=\"null\">NULL</td>" }
                    return "<td\(table.numericColumns.contains(index) ? " class=\"num\"" : "")>\(escape(cell))</td>"
                }.joined()
                html += "</tr>\n"
            }
            return html + "</tbody>\n</table></div>\n"
        case .sql(let title, let text):
            return "<details class=\"sql\"><summary>\(escape(title))</summary><pre>\(escape(text))</pre></details>\n"
        }
    }

    /// `text` safe for XML and with HTML special characters escaped.
    func escape(_ text: String) -> String { ReportText.htmlEscaped(ReportText.xmlSafe(text)) }
}

/// `reckon diff` as JUnit XML (valid against `junit-10.xsd`): one test suite `reckon diff`
/// with one test case per `diff.fail_if` limit, named `diff › <measure>` so CI histories
/// follow it; a crossed limit is a `failure` whose body summarises the change.
public struct DiffJUnitReporter: Sendable {
    /// reckon's version, written as a property.
    public var reckonVersion: String

    /// Creates a reporter.
    public init(reckonVersion: String) {
        self.reckonVersion = reckonVersion
    }

    /// Renders `result`.
    public func render(_ result: DiffResult) throws -> Data {
        let failures = result.limits.filter(\.crossed).count
        let writer = try XMLWriter()
        try writer.startDocument()
        try writer.startElement("testsuites")
        try writer.attribute("name", "reckon diff")
        try writer.attribute("tests", String(result.limits.count))
        try writer.attribute("failures", String(failures))
        try writer.attribute("errors", "0")
        try writer.attribute("time", ReportText.seconds(result.durationSeconds))
        try writer.startElement("testsuite")
        try writer.attribute("name", "reckon diff")
        try writer.attribute("tests", String(result.limits.count))
        try writer.attribute("failures", String(failures))
        try writer.attribute("errors", "0")
        try writer.attribute("skipped", "0")
        try writer.attribute("time", ReportText.seconds(result.durationSeconds))
        try writer.attribute("timestamp", ReportText.timestamp(result.startedAt))
        try writer.startElement("properties")
        for (name, value) in [
            ("reckon.version", reckonVersion), ("command", "diff"), ("database", result.database),
            ("base_schema", result.baseSchema), ("candidate_schema", result.candidateSchema),
        ] {
            try writer.element("property", attributes: ["name": ReportText.xmlSafe(name), "value": ReportText.xmlSafe(value)])
        }
        try writer.endElement()
        let summary = Self.summary(result)
        for limit in result.limits {
            try writer.startElement("testcase")
            try writer.attribute("name", "diff › \(limit.measure)")
            try writer.attribute("classname", "diff")
            try writer.attribute("time", "0.000")
            let message = "\(limit.label): observed \(DiffDocument.observed(limit)) (\(limit.detail))"
            if limit.crossed {
                try writer.element(
                    "failure", attributes: ["type": "diff_limit", "message": ReportText.xmlSafe(message)], text: ReportText.xmlSafe(summary)
                )
            }
            try writer.element("system-out", text: ReportText.xmlSafe(message + "\n\n" + summary))
            try writer.endElement()
        }
        try writer.endElement()
        try writer.endElement()
        return try writer.finish()
    }

    /// Renders and writes the file atomically, creating the parent directory.
    public func write(_ result: DiffResult, to url: URL) throws {
        try DiffReportFile.write(try render(result), to: url)
    }

    /// Plain-text lines: the marts and the metrics that moved.
    static func summary(_ result: DiffResult) -> String {
        var lines = ["\(result.baseSchema) → \(result.candidateSchema)"]
        for mart in result.marts {
            let row = DiffDocument.martRow(mart)
            lines.append(
                "\(mart.name): base \(row[2]) rows, candidate \(row[3]) rows, \(row[4]) added, \(row[5]) removed, \(row[6]) changed; columns \(row[8])"
            )
            for column in mart.columns.prefix(20) {
                lines.append("  \(column.name): \(DiffText.count(column.changedCells)) changed cells")
            }
        }
        let moved = result.metrics.filter { ($0.absoluteChange ?? 0) != 0 }
        if !moved.isEmpty {
            lines.append("metrics that moved:")
            lines += moved.map { metric in
                "  \(metric.section) / \(metric.name): \(DiffText.value(metric.base, metric.unit)) → \(DiffText.value(metric.candidate, metric.unit)) (\(DiffText.change(metric.absoluteChange, metric.unit)))"
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Writing a diff report file.
public enum DiffReportFile {
    /// Writes `data` to `url` atomically, creating the parent directory.
    public static func write(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: "\(error.localizedDescription)")
        }
    }
}
