import Foundation

/// The `{{ … }}` placeholders of SQL that users write, in models and in checks: one syntax
/// and one rule, resolved by each caller.
///
/// A placeholder is `{{ name }}` or `{{ name('argument') }}` (the argument quoted with `'` or
/// `"`), on one line. Any other `{{` — ad-platform macros such as `'{{campaign.name}}'` in a
/// string, a `{{` without `}}` — is SQL text and left as written.
public enum Template {
    /// One placeholder found in a text.
    public struct Placeholder: Sendable, Equatable {
        /// The expression between the braces, trimmed (`ref('x')`).
        public let expression: String
        /// `ref` in `ref('x')`, or the whole expression when it takes no argument.
        public let name: String
        /// `x` in `ref('x')`; nil for `{{ name }}`.
        public let argument: String?
    }

    /// A placeholder that cannot be resolved, located in the text (1-based line and column).
    public struct Problem: Error, CustomStringConvertible, Sendable {
        /// What is wrong, and what would be right.
        public let message: String
        /// The placeholder's line in the text.
        public let line: Int
        /// The placeholder's column in the text.
        public let column: Int
        /// The message.
        public var description: String { message }
    }

    /// A resolver's complaint about a placeholder; `render` adds where it is.
    public struct Unresolvable: Error, Sendable {
        /// What is wrong.
        public let message: String
        /// Creates a complaint.
        public init(_ message: String) { self.message = message }
    }

    /// Replaces each placeholder of `text` by what `resolve` returns for it; a resolver that
    /// throws `Unresolvable` makes `render` throw a `Problem` at the placeholder.
    public static func render(_ text: String, resolve: (Placeholder) throws -> String) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}"),
                let placeholder = parse(String(rest[open.upperBound..<close.lowerBound]))
            else {
                output += "{{"
                rest = rest[open.upperBound...]
                continue
            }
            do {
                output += try resolve(placeholder)
            } catch let complaint as Unresolvable {
                let prefix = text[..<open.lowerBound]
                let line = prefix.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                let lineStart = prefix.lastIndex(of: "\n").map { prefix.index(after: $0) } ?? prefix.startIndex
                throw Problem(message: complaint.message, line: line, column: prefix.distance(from: lineStart, to: prefix.endIndex) + 1)
            }
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    /// The placeholder an expression between braces is, or nil when it is SQL text.
    public static func parse(_ inside: String) -> Placeholder? {
        let expression = inside.trimmingCharacters(in: .whitespaces)
        guard expression.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*(\s*\(.*\))?/) != nil else { return nil }
        guard let call = call(expression) else { return Placeholder(expression: expression, name: expression, argument: nil) }
        return Placeholder(expression: expression, name: call.function, argument: call.value)
    }

    /// Splits `fn('value')` into its function name and quoted argument; nil for other text.
    public static func call(_ expression: String) -> (function: String, value: String)? {
        guard let open = expression.firstIndex(of: "("), expression.hasSuffix(")") else { return nil }
        let function = expression[..<open].trimmingCharacters(in: .whitespaces)
        let inner = expression[expression.index(after: open)..<expression.index(before: expression.endIndex)]
            .trimmingCharacters(in: .whitespaces)
        guard inner.count >= 2, let first = inner.first, first == "'" || first == "\"", inner.last == first else {
            return nil
        }
        return (function, String(inner.dropFirst().dropLast()))
    }
}
