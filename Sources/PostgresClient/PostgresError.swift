/// An error from PostgreSQL or libpq, with what a user needs to act on it.
///
/// Server errors keep the SQLSTATE, the server's message, detail and hint, and the name of
/// the statement that failed, so a build step or a check can say which SQL went wrong.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Equatable {
        /// The connection could not be opened.
        case connection
        /// The server rejected a statement.
        case server
        /// The statement was cancelled (SQLSTATE 57014).
        case cancelled
        /// libpq failed on the client side (lost connection, protocol error).
        case client
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The primary message, without a trailing newline.
    public var message: String
    /// The server's DETAIL, if any.
    public var detail: String?
    /// The server's HINT, if any.
    public var hint: String?
    /// The name of the statement that failed (a model step, a check), if known.
    public var statementName: String?

    /// Creates an error value.
    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        hint: String? = nil, statementName: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statementName = statementName
    }

    /// One sentence naming the statement, the SQLSTATE and the server's words.
    public var description: String {
        var text = ""
        if let statementName { text += "\(statementName): " }
        if let sqlState { text += "[\(sqlState)] " }
        text += message
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

extension String {
    /// The string without trailing newlines and spaces (libpq messages end in "\n").
    var trimmingTrailingWhitespace: String {
        var result = self
        while let last = result.last, last.isWhitespace { result.removeLast() }
        return result
    }
}
