import Foundation

/// The content of a diff report, independent of its format: the Markdown (for a pull-request
/// comment) and the HTML render the same blocks, so they say the same thing.
public struct DiffDocument: Sendable, Equatable {
    /// A table of text cells.
    public struct Table: Sendable, Equatable {
        /// Column headings.
        public var headers: [String]
        /// Rows of cells (as many as `headers`).
        public var rows: [[String]]
        /// Columns holding numbers (right-aligned).
        public var numericColumns: Set<Int>

        /// Creates a table.
        public init(headers: [String], rows: [[String]], numericColumns: Set<Int> = []) {
            self.headers = headers
            self.rows = rows
            self.numericColumns = numericColumns
        }
    }

    /// One block of content.
    public enum Block: Sendable, Equatable {
        /// A heading of level 2 or 3.
        case heading(level: Int, text: String)
        /// The verdict line: `status` is `pass`, `fail` or `same`.
        case verdict(status: String, text: String)
        /// A paragraph of plain text.
        case paragraph(String)
        /// A bulleted list.
        case bullets([String])
        /// A table.
        case table(Table)
        /// SQL, collapsed.
        case sql(title: String, text: String)
    }

    /// The title.
    public var title: String
    /// The blocks, most important first (the Markdown is cut from the end).
    public var blocks: [Block]
    /// The closing line (version, time).
    public var footer: String

    /// The document of a diff result.
    public init(_ result: DiffResult) {
        title = "reckon diff: \(result.baseSchema) → \(result.candidateSchema)"
        footer =
            "reckon \(result.reckonVersion) · \(result.database) · compared in \(String(format: "%.1f", result.durationSeconds)) s"
        var blocks: [Block] = []
        let crossed = result.limits.filter(\.crossed)
        if !crossed.isEmpty {
            blocks.append(
                .verdict(
                    status: "fail",
                    text:
                        "FAIL: \(crossed.count) of \(result.limits.count) diff limits crossed (\(crossed.map(\.label).joined(separator: ", ")))"
                ))
        } else if result.isIdentical {
            blocks.append(.verdict(status: "same", text: "NO CHANGE: the marts of both schemas are identical"))
        } else {
            blocks.append(.verdict(status: "pass", text: "PASS: the marts changed, within every diff limit"))
        }
        if !result.limits.isEmpty {
            blocks.append(.heading(level: 2, text: "Limits (diff.fail_if)"))
            blocks.append(
                .table(
                    Table(
                        headers: ["limit", "observed", "status", "where"],
                        rows: result.limits.map { limit in
                            [
                                limit.label, Self.observed(limit),
                                limit.crossed ? "❌ crossed" : "✅ within", limit.detail,
                            ]
                        }, numericColumns: [1])))
        }
        blocks.append(.heading(level: 2, text: "Marts"))
        blocks.append(
            .table(
                Table(
                    headers: ["mart", "key", "base rows", "candidate rows", "added", "removed", "changed", "differ", "columns"],
                    rows: result.marts.map(Self.martRow), numericColumns: [2, 3, 4, 5, 6, 7])))
        for section in ["match rate", "sessions per channel", "totals", "campaigns"] {
            let metrics = result.metrics.filter { $0.section == section }
            guard !metrics.isEmpty else { continue }
            let title = section == "campaigns" ? "Campaigns (mart_campaign_daily)" : section.prefix(1).uppercased() + section.dropFirst()
            blocks.append(.heading(level: 2, text: String(title)))
            blocks.append(
                .table(
                    Table(
                        headers: ["metric", "base", "candidate", "change", "relative"],
                        rows: metrics.map { metric in
                            [
                                metric.name, DiffText.value(metric.base, metric.unit), DiffText.value(metric.candidate, metric.unit),
                                DiffText.change(metric.absoluteChange, metric.unit),
                                metric.unit == .rate ? "–" : DiffText.relative(metric.relativeChange),
                            ]
                        }, numericColumns: [1, 2, 3, 4])))
        }
        if !result.campaignMovers.isEmpty {
            blocks.append(
                .heading(
                    level: 2,
                    text: "Top movers: \(result.campaignMovers.count) of \(DiffText.count(result.campaignsMoved)) campaigns that moved"))
            blocks.append(
                .table(
                    Table(
                        headers: ["campaign", "revenue", "spend", "conversions", "ROAS", "CAC"],
                        rows: result.campaignMovers.map { move in
                            [
                                move.campaignName.map { "\($0) (\(move.campaignId))" } ?? move.campaignId,
                                Self.move(move.baseRevenue, move.candidateRevenue, .usd),
                                Self.move(move.baseSpend, move.candidateSpend, .usd),
                                Self.move(move.baseConversions, move.candidateConversions, .count),
                                Self.move(move.baseROAS, move.candidateROAS, .ratio),
                                Self.move(move.baseCAC, move.candidateCAC, .usd),
                            ]
                        }, numericColumns: [1, 2, 3, 4, 5])))
        }
        for mart in result.marts where !mart.isIdentical {
            blocks += Self.details(of: mart, result: result)
        }
        if !result.notes.isEmpty {
            blocks.append(.heading(level: 2, text: "Notes"))
            blocks.append(.bullets(result.notes))
        }
        self.blocks = blocks
    }

    /// A limit's observed magnitude in its unit ("3.20%", "2.10 pts", "$12.00").
    public static func observed(_ limit: LimitOutcome) -> String {
        switch limit.measure {
        case "rows_changed_pct", "revenue_changed_pct": DiffText.percent(limit.observed)
        case "match_rate_points": String(format: "%.2f pts", limit.observed)
        case "revenue_changed", "refunds_changed", "spend_changed": DiffText.value(limit.observed, .usd)
        default: DiffText.value(limit.observed, .count)
        }
    }

    static func move(_ base: Double?, _ candidate: Double?, _ unit: MetricChange.Unit) -> String {
        let change = MetricChange(section: "", name: "", unit: unit, base: base, candidate: candidate).absoluteChange
        return "\(DiffText.value(base, unit)) → \(DiffText.value(candidate, unit)) (\(DiffText.change(change, unit)))"
    }

    /// The cells of a mart's summary row: mart, key, base rows, candidate rows, added, removed,
    /// changed, differing share, columns.
    public static func martRow(_ mart: MartComparison) -> [String] {
        let rows = { (value: Int?) in value.map(DiffText.count) ?? "–" }
        switch mart.presence {
        case .onlyInBase:
            return [mart.name, "–", rows(mart.baseRows), "–", "", "", "", "", "mart dropped by the candidate"]
        case .onlyInCandidate:
            return [mart.name, "–", "–", rows(mart.candidateRows), "", "", "", "", "new mart in the candidate"]
        case .both:
            var columns: [String] = []
            if !mart.addedColumns.isEmpty { columns.append("+\(mart.addedColumns.count) added") }
            if !mart.droppedColumns.isEmpty { columns.append("-\(mart.droppedColumns.count) dropped") }
            if !mart.retypedColumns.isEmpty { columns.append("\(mart.retypedColumns.count) retyped") }
            return [
                mart.name, mart.keyColumns.isEmpty ? "none" : mart.keyColumns.joined(separator: ", "), rows(mart.baseRows),
                rows(mart.candidateRows), DiffText.count(mart.addedRows), DiffText.count(mart.removedRows),
                DiffText.count(mart.changedRows), DiffText.percent(mart.rowsDifferingPercent),
                columns.isEmpty ? "same" : columns.joined(separator: ", "),
            ]
        }
    }

    static func details(of mart: MartComparison, result: DiffResult) -> [Block] {
        var blocks: [Block] = [.heading(level: 2, text: "Changes in \(mart.name)")]
        var facts: [String] = []
        if !mart.addedColumns.isEmpty { facts.append("columns added in the candidate: \(mart.addedColumns.joined(separator: ", "))") }
        if !mart.droppedColumns.isEmpty {
            facts.append("columns dropped by the candidate: \(mart.droppedColumns.joined(separator: ", "))")
        }
        if !mart.retypedColumns.isEmpty {
            facts.append("columns with another type (compared as text): \(mart.retypedColumns.joined(separator: "; "))")
        }
        if mart.addedRows > 0 {
            facts.append(
                "\(DiffText.count(mart.addedRows)) rows added, e.g. \(mart.keyColumns.joined(separator: ", ")) = \(mart.addedSample.joined(separator: "; "))"
            )
        }
        if mart.removedRows > 0 {
            facts.append(
                "\(DiffText.count(mart.removedRows)) rows removed, e.g. \(mart.keyColumns.joined(separator: ", ")) = \(mart.removedSample.joined(separator: "; "))"
            )
        }
        if !facts.isEmpty { blocks.append(.bullets(facts)) }
        if !mart.columns.isEmpty {
            blocks.append(
                .paragraph(
                    "\(DiffText.count(mart.changedRows)) rows changed (same \(mart.keyColumns.joined(separator: ", ")), other values); changed cells per column:"
                ))
            blocks.append(
                .table(
                    Table(
                        headers: ["column", "changed cells", "of changed rows"],
                        rows: mart.columns.map { column in
                            [
                                column.name, DiffText.count(column.changedCells),
                                DiffText.percent(Double(column.changedCells) / Double(max(1, mart.changedRows)) * 100),
                            ]
                        }, numericColumns: [1, 2])))
            for column in mart.columns where !column.samples.isEmpty {
                blocks.append(.heading(level: 3, text: "\(mart.name).\(column.name): base → candidate"))
                blocks.append(
                    .table(
                        Table(
                            headers: [
                                mart.keyColumns.joined(separator: " | "), "base (\(result.baseSchema))",
                                "candidate (\(result.candidateSchema))",
                            ],
                            rows: column.samples.map { [$0.key, $0.base ?? "NULL", $0.candidate ?? "NULL"] })))
            }
        }
        if !mart.sql.isEmpty { blocks.append(.sql(title: "SQL listing every differing key of \(mart.name)", text: mart.sql)) }
        return blocks
    }
}

/// The diff as GitHub-flavoured Markdown that always fits in a pull-request comment.
public enum DiffMarkdown {
    /// GitHub's limit on a comment (characters); the Markdown stays below it in UTF-8 bytes,
    /// which is stricter.
    public static let commentLimit = 65_536
    /// Longest cell, in characters; longer text is cut with "…".
    public static let cellLimit = 80

    /// Renders `document`, cutting whole blocks (or table rows) from the end with a note when
    /// the text would reach `limit` bytes.
    public static func render(_ document: DiffDocument, limit: Int = commentLimit) -> String {
        let footer = "\n---\n_\(escape(document.footer))_\n"
        let cutNoteReserve = 400
        let budget = max(0, limit - 1 - footer.utf8.count - cutNoteReserve)
        var output = "## \(escape(document.title))\n"
        var omitted = 0
        for (index, block) in document.blocks.enumerated() {
            let text = render(block)
            if output.utf8.count + text.utf8.count <= budget {
                output += text
                continue
            }
            // A table that does not fit whole keeps the rows that do.
            if case .table(var table) = block {
                var kept = table.rows.count
                while kept > 0 {
                    table.rows = Array(table.rows.prefix(kept))
                    if output.utf8.count + render(.table(table)).utf8.count <= budget { break }
                    kept = kept * 3 / 4
                }
                if kept > 0 {
                    output += render(.table(table))
                }
            }
            omitted = document.blocks.count - index
            break
        }
        if omitted > 0 {
            output +=
                "\n> ✂️ Cut here to stay under GitHub's \(DiffText.count(commentLimit))-character comment limit: "
                + "\(omitted) more block\(omitted == 1 ? "" : "s") of detail (samples, SQL) are in the HTML and JSON reports.\n"
        }
        return output + footer
    }

    static func render(_ block: DiffDocument.Block) -> String {
        switch block {
        case .heading(let level, let text):
            return "\n" + String(repeating: "#", count: level + 1) + " " + escape(text) + "\n"
        case .verdict(_, let text):
            return "\n**" + escape(text) + "**\n"
        case .paragraph(let text):
            return "\n" + escape(text) + "\n"
        case .bullets(let items):
            return "\n" + items.map { "- " + escape(cut($0, 600)) + "\n" }.joined()
        case .table(let table):
            var lines = ["| " + table.headers.map { escape(cut($0)) }.joined(separator: " | ") + " |"]
            lines.append(
                "|" + table.headers.indices.map { table.numericColumns.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
            for row in table.rows {
                lines.append("| " + row.map { escape(cut($0)) }.joined(separator: " | ") + " |")
            }
            return "\n" + lines.joined(separator: "\n") + "\n"
        case .sql(let title, let text):
            let fence = text.contains("```") ? "~~~~" : "```"
            let summary = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
            return "\n<details><summary>\(summary)</summary>\n\n\(fence)sql\n\(cut(text, 4_000))\n\(fence)\n\n</details>\n"
        }
    }

    /// `text` cut to `length` characters with "…".
    static func cut(_ text: String, _ length: Int = cellLimit) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }

    /// Text made inert in Markdown: punctuation that formats is escaped, line breaks become
    /// "⏎", and `@` is followed by a zero-width space so data never mentions anyone.
    static func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~", "!": output += "\\" + String(character)
            case "\n", "\r\n": output += "⏎"
            case "\r": break
            case "@": output += "@\u{200B}"
            default: output.append(character)
            }
        }
        return output
    }
}
