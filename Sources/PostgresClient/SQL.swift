import Foundation

/// Quoting helpers: the one place SQL text is made from names and values.
public enum SQL {
    /// A double-quoted identifier (`"my""table"`), safe for any input.
    public static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A qualified, quoted name from a dotted `schema.table` string or separate parts.
    public static func qualified(schema: String, name: String) -> String {
        identifier(schema) + "." + identifier(name)
    }

    /// A standard-conforming string literal (`'it''s'`); NUL bytes are not representable
    /// in PostgreSQL text and are dropped.
    public static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A `text[]` literal: `ARRAY['a','b']::text[]`.
    public static func textArray(_ values: [String]) -> String {
        "ARRAY[" + values.map(literal).joined(separator: ",") + "]::text[]"
    }
}
