/// Text formatting that several outputs share (reports, the diff, the investigation page),
/// so a number or an escaped value reads the same everywhere.
public enum TextFormat {
    /// A plain decimal with its integer digits grouped by thousands: "-1234567.50" →
    /// "-1,234,567.50". The input is digits with an optional sign and fraction, as
    /// `String(format: "%.2f", …)` writes them.
    public static func groupedDigits(_ digits: String) -> String {
        var text = digits
        var sign = ""
        if text.hasPrefix("-") {
            sign = "-"
            text.removeFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = Array(parts[0])
        var output = ""
        for (index, character) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { output.append(",") }
            output.append(character)
        }
        if parts.count == 2 { output += "." + parts[1] }
        return sign + output
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references, for HTML text
    /// and attribute values.
    public static func htmlEscaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
