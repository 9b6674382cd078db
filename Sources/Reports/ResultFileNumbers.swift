import Checks
import Foundation
import ReckonCore

/// Range checks on the numbers of a saved JSON result, located to `file:line:column`.
///
/// `reckon report` reads files written elsewhere, perhaps edited by hand; a number that no
/// run can produce (`durationSeconds: 1e300`, a negative line) is bad input, reported where it
/// is instead of overflowing while a report is rendered.
public enum ResultFileNumbers {
    /// One number literal of a JSON text: the key it is the value of (or the enclosing key
    /// for an array element), its text and position.
    public struct Literal: Sendable, Equatable {
        /// The key whose value (or array element) it is; empty at the top level.
        public let key: String
        /// The literal as written.
        public let text: String
        /// 1-based line.
        public let line: Int
        /// 1-based column (in characters).
        public let column: Int
    }

    /// Longest duration accepted, in seconds (ten years).
    public static let maximumSeconds = 315_360_000.0
    /// Largest magnitude accepted for metrics and group figures.
    public static let maximumMagnitude = 1e18

    /// Throws an `InputFileError` at the first number outside its range.
    public static func validate(_ data: Data, file: String) throws {
        for literal in literals(in: String(decoding: data, as: UTF8.self)) {
            guard let problem = problem(literal) else { continue }
            throw InputFileError(file: file, line: literal.line, column: literal.column, message: problem)
        }
    }

    /// Why `literal` is out of range, or nil.
    static func problem(_ literal: Literal) -> String? {
        let value = Double(literal.text) ?? .nan
        switch literal.key {
        case "durationSeconds":
            guard value.isFinite, value >= 0, value <= maximumSeconds else {
                return "durationSeconds must be between 0 and \(Int(maximumSeconds)) seconds, found \(literal.text)"
            }
        case "line", "schemaVersion":
            guard value.isFinite, value >= 0, value <= Double(Int32.max), value == value.rounded() else {
                return "\(literal.key) must be a whole number between 0 and \(Int32.max), found \(literal.text)"
            }
        default:
            guard value.isFinite, abs(value) <= maximumMagnitude else {
                return
                    "\(literal.key.isEmpty ? "a number" : literal.key) must be at most \(maximumMagnitude) in size, found \(literal.text)"
            }
        }
        return nil
    }

    /// Every number literal of `text` with its key and position. Strings are skipped exactly
    /// (escapes included), so text inside values never counts.
    public static func literals(in text: String) -> [Literal] {
        var literals: [Literal] = []
        var keys: [String] = []  // the key of each open container
        var lastString: String?
        var pendingKey = ""
        var line = 1
        var column = 1
        var scalars = text.unicodeScalars[...]
        func advance() -> Unicode.Scalar? {
            guard let scalar = scalars.popFirst() else { return nil }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            return scalar
        }
        while let scalar = scalars.first {
            switch scalar {
            case "\"":
                _ = advance()
                var value = String.UnicodeScalarView()
                while let next = advance(), next != "\"" {
                    if next == "\\" {
                        if let escaped = advance() { value.append(escaped) }
                    } else {
                        value.append(next)
                    }
                }
                lastString = String(value)
            case ":":
                _ = advance()
                pendingKey = lastString ?? ""
                lastString = nil
            case "{", "[":
                _ = advance()
                keys.append(pendingKey)
                lastString = nil
            case "}", "]":
                _ = advance()
                pendingKey = keys.popLast() ?? ""
                lastString = nil
            case ",":
                _ = advance()
                lastString = nil
                // Inside an array the enclosing key still applies to the next element.
                pendingKey = keys.last ?? ""
            case "-", "0"..."9":
                let startLine = line
                let startColumn = column
                var literal = ""
                while let next = scalars.first, "+-.eE0123456789".unicodeScalars.contains(next) {
                    literal.unicodeScalars.append(next)
                    _ = advance()
                }
                literals.append(Literal(key: pendingKey, text: literal, line: startLine, column: startColumn))
            default:
                _ = advance()
            }
        }
        return literals
    }
}
