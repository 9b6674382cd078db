/// The rows of one statement, copied out of libpq in text form.
public struct QueryResult: Sendable {
    /// Column names in result order.
    public var columnNames: [String]
    /// Column type OIDs in result order.
    public var columnTypes: [UInt32]
    /// Row values as PostgreSQL's text output; `nil` is SQL NULL.
    public var rows: [[String?]]
    /// Rows returned, or rows affected for INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int

    /// Creates a result.
    public init(columnNames: [String], columnTypes: [UInt32], rows: [[String?]], affectedRows: Int) {
        self.columnNames = columnNames
        self.columnTypes = columnTypes
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The index of a named column, if present.
    public func columnIndex(_ name: String) -> Int? { columnNames.firstIndex(of: name) }

    /// Decodes the value at `row`, `column` as `T`; `nil` for SQL NULL.
    ///
    /// Throws when the column does not exist or the text does not parse as `T`.
    public func value<T: PostgresDecodable>(_ row: Int, _ column: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columnIndex(column) else {
            throw PostgresError(kind: .client, message: "result has no column \(column)")
        }
        guard let text = rows[row][index] else { return nil }
        guard let decoded = T(postgresText: text) else {
            throw PostgresError(kind: .client, message: "column \(column) value '\(text)' is not a \(T.self)")
        }
        return decoded
    }

    /// The only value of a one-row, one-column result.
    public func scalar<T: PostgresDecodable>(as type: T.Type = T.self) throws -> T? {
        guard let first = rows.first, let text = first.first else { return nil }
        return text.flatMap(T.init(postgresText:))
    }
}

/// A Swift type that can be read from PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Parses PostgreSQL's text representation; `nil` when it does not fit.
    init?(postgresText: String)
}

extension String: PostgresDecodable {
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Bool: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}
