import Checks
import Foundation

/// A check's failing rows as the reports show them: the key and the columns the check uses,
/// long values cut with an ellipsis and long arrays written as a count ("12 values").
///
/// The JSON result keeps every column of the sampled rows; only what people read is cut.
/// The columns shown are the check's `sample_columns:` when it has them; otherwise all of
/// them when there are at most `allColumnsUpTo`, else the first column (the table's key by
/// convention) and the columns named in the check's SQL (its condition and filter).
public struct SampleView: Sendable, Equatable {
    /// The columns shown, in the order of the sampled rows (or of `sample_columns:`).
    public var columns: [String]
    /// The rows shown, each cell as displayed text (nil is SQL NULL).
    public var rows: [[String?]]
    /// Columns of the sampled rows left out.
    public var hiddenColumnCount: Int

    /// Tables with at most this many columns are shown whole.
    public static let allColumnsUpTo = 6
    /// Most columns shown when reckon picks them.
    public static let maximumColumns = 8

    /// The view of `check`'s sample: at most `maximumRows` rows, values cut to `maximumLength` characters.
    public static func make(_ check: CheckResult, maximumRows: Int = .max, maximumLength: Int = 80) -> SampleView {
        let indices = shownColumnIndices(check)
        let rows = check.sampleRows.prefix(max(0, maximumRows)).map { row in
            indices.map { index -> String? in
                guard index < row.count, let cell = row[index] else { return nil }
                return display(cell, maximumLength: maximumLength)
            }
        }
        return SampleView(
            columns: indices.map { check.sampleColumns[$0] }, rows: Array(rows),
            hiddenColumnCount: check.sampleColumns.count - indices.count)
    }

    /// Indices into `check.sampleColumns` of the columns to show.
    static func shownColumnIndices(_ check: CheckResult) -> [Int] {
        let columns = check.sampleColumns
        if let chosen = check.shownSampleColumns, !chosen.isEmpty {
            let picked = chosen.compactMap { name in columns.firstIndex(of: name) }
            if !picked.isEmpty { return picked }
        }
        guard columns.count > allColumnsUpTo else { return Array(columns.indices) }
        let words = Set(identifierWords(check.sql))
        var picked = [0]
        for index in columns.indices.dropFirst() where words.contains(columns[index].lowercased()) {
            picked.append(index)
        }
        return Array(picked.prefix(maximumColumns))
    }

    /// The lower-cased identifier-like words of `sql` (`t."hours_to_convert"` gives `t` and `hours_to_convert`).
    static func identifierWords(_ sql: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in sql.lowercased() {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// A cell as shown: an array of more than three elements (PostgreSQL `{…}` or JSON
    /// `[…]`) becomes "N values"; other text longer than `maximumLength` is cut with "…".
    public static func display(_ text: String, maximumLength: Int) -> String {
        if let count = arrayCount(text), count > 3 || text.count > maximumLength { return "\(count) values" }
        guard text.count > maximumLength else { return text }
        return String(text.prefix(max(1, maximumLength - 1))) + "…"
    }

    /// The number of top-level elements of a PostgreSQL array literal or a JSON array, or
    /// nil when `text` is neither.
    static func arrayCount(_ text: String) -> Int? {
        guard let first = text.first, let last = text.last, text.count >= 2,
            (first == "{" && last == "}") || (first == "[" && last == "]")
        else { return nil }
        let inner = text.dropFirst().dropLast()
        if inner.trimmingCharacters(in: .whitespaces).isEmpty { return 0 }
        var count = 1
        var depth = 0
        var quoted = false
        var escaped = false
        for character in inner {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "{", "[": if !quoted { depth += 1 }
            case "}", "]": if !quoted { depth -= 1 }
            case ",": if !quoted && depth == 0 { count += 1 }
            default: break
            }
        }
        return count
    }
}
