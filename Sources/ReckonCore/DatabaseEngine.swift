import Foundation

/// The database engine reckon builds on and checks: one PostgreSQL, or a Citus coordinator
/// (distributed PostgreSQL).
///
/// `engine:` in reckon.yml (or `RECKON_ENGINE`) forces one; unset, reckon looks for the
/// `citus` extension in the target database. On Citus the per-session models are created
/// as distributed tables co-located with the sessions source (docs/citus.md).
public enum DatabaseEngine: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// A single PostgreSQL server.
    case postgres
    /// A Citus coordinator: the `citus` extension is installed in the database.
    case citus

    /// `postgres` or `citus`.
    public var description: String { rawValue }

    /// Parses an `engine:` value: `auto` (nil: detect), `postgres` or `citus`; otherwise a
    /// sentence saying what is accepted.
    public static func parseSetting(_ text: String) -> Result<DatabaseEngine?, EngineSettingError> {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value == "auto" { return .success(nil) }
        if let engine = DatabaseEngine(rawValue: value) { return .success(engine) }
        return .failure(EngineSettingError(message: "engine is one of auto, postgres, citus, not '\(text)'"))
    }
}

/// An `engine:` value reckon does not know.
public struct EngineSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is accepted and what was found.
    public let message: String
    /// The message.
    public var description: String { message }
}
