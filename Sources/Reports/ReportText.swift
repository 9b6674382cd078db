import Foundation
import ReckonCore

/// Text helpers shared by the reporters: characters XML cannot hold, numbers and times
/// written the same way on every machine.
public enum ReportText {
    /// `text` with every character that XML 1.0 (and HTML) cannot carry made visible.
    ///
    /// C0 control characters other than tab, line feed and carriage return become their
    /// Unicode control pictures (U+0000 → "␀", U+001B → "␛"), DEL becomes "␡", and C1
    /// controls and the non-characters U+FFFE/U+FFFF become U+FFFD. Everything else —
    /// emoji, `<`, `&`, quotes — is kept; escaping it is the writer's job.
    public static func xmlSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsReplacement) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(replacement(for: scalar))
        }
        return String(scalars)
    }

    private static func needsReplacement(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    private static func replacement(for scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard needsReplacement(scalar) else { return scalar }
        switch scalar.value {
        case 0x00...0x1F: return Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}"
        case 0x7F: return "\u{2421}"
        default: return "\u{FFFD}"
        }
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references, for HTML text
    /// and attribute values.
    public static func htmlEscaped(_ text: String) -> String { TextFormat.htmlEscaped(text) }

    /// Seconds as a plain decimal with millisecond precision ("12.345"); never an exponent,
    /// negative or not-a-number (the JUnit schema's `time` pattern).
    public static func seconds(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0.000" }
        return String(format: "%.3f", value)
    }

    /// A number for people: integers with thousands separators ("1,234,567"), others with
    /// two decimals ("1,234.57"), or up to four significant decimals below one ("0.0042").
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 {
            return TextFormat.groupedDigits(String(format: "%.0f", value))
        }
        if abs(value) < 1 {
            var text = String(format: "%.4f", value)
            while text.hasSuffix("0") { text.removeLast() }
            return text
        }
        return TextFormat.groupedDigits(String(format: "%.2f", value))
    }

    /// A fraction as a percentage with one decimal ("92.4%").
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        return String(format: "%.1f%%", fraction * 100)
    }

    /// ISO 8601 in UTC to the second ("2026-11-25T11:36:00Z").
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A duration for people: "850 ms", "12.3 s", "2 min 05 s".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0 ms" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
