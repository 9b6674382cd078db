import Foundation
import ReckonCore

/// What a model declares about itself in its header: `-- reckon.<key>: <value>` comment
/// lines (anywhere in the file, conventionally at the top).
///
/// ```sql
/// -- reckon.grain: session_id
/// -- reckon.distribution: session
/// ```
///
/// Keys:
/// - `grain`: the column that identifies a row's unit (`session_id` for per-session
///   models). Defaults to none.
/// - `kind`: `published` or `intermediate`; defaults to `published` for `mart_*` models.
/// - `distribution` (for Citus): `session` (distributed by the grain column, co-located with
///   the sessions source), `reference` (copied to every node) or `local` (a coordinator
///   table). Defaults to `session` when the grain is `session_id`, `local` otherwise.
/// - `primary_key`, `indexes`: comma-separated column lists reckon creates after the build.
/// - `not_null`: comma-separated columns reckon declares `not null` after the build (the
///   types of a model's columns come from its SELECT, which says nothing about nulls).
/// - `statistics`: comma-separated columns `analyze` samples after the build (default: every
///   column). For a model only later models read, the columns they join, group and filter
///   on: statistics of the others (JSON, arrays, free text) cost time and guide no plan.
public struct ModelHeader: Sendable, Equatable {
    /// Where the model's rows live on a distributed (Citus) engine.
    public enum Distribution: String, Sendable, CaseIterable {
        /// Distributed by the grain column, co-located with the sessions source.
        case session
        /// A reference table: a copy on every node.
        case reference
        /// A table on the coordinator only.
        case local
    }

    /// The grain column, if declared.
    public var grain: String?
    /// Whether the model is published into the target schema.
    public var isPublished: Bool
    /// The Citus layout.
    public var distribution: Distribution
    /// Primary-key columns (empty: none).
    public var primaryKey: [String]
    /// Indexed columns, one index each.
    public var indexes: [String]
    /// Columns declared `not null` (besides the primary key's).
    public var notNull: [String] = []
    /// Columns `analyze` samples after the build (empty: every column).
    public var statistics: [String] = []

    /// The keys a header may use.
    public static let keys = ["grain", "kind", "distribution", "primary_key", "indexes", "not_null", "statistics"]

    /// Parses the header lines of model `name` in `sql` (read from `path`, for messages).
    public static func parse(_ sql: String, name: String, path: String) throws -> ModelHeader {
        var values: [String: (value: String, line: Int, column: Int)] = [:]
        for (index, line) in sql.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let match = line.wholeMatch(of: /(\s*--\s*)reckon\.([A-Za-z_]*)\s*:(.*)/) else { continue }
            let key = String(match.2)
            let column = match.1.count + 1
            // `-- reckon.engine:` marks the statement it precedes, not the model: see
            // `Materialization.runs(_:on:)`. It may appear once per statement.
            if key == "engine" {
                let value = String(match.3).trimmingCharacters(in: .whitespaces)
                guard Materialization.Engine(rawValue: value) != nil else {
                    throw InputFileError(
                        file: path, line: index + 1, column: column,
                        message: "reckon.engine is 'postgres' or 'citus', not '\(value)'")
                }
                continue
            }
            guard keys.contains(key) else {
                throw InputFileError(
                    file: path, line: index + 1, column: column,
                    message: "unknown model header key 'reckon.\(key)'; valid: \(keys.map { "reckon." + $0 }.joined(separator: ", "))")
            }
            guard values[key] == nil else {
                throw InputFileError(file: path, line: index + 1, column: column, message: "reckon.\(key) is given twice")
            }
            values[key] = (String(match.3).trimmingCharacters(in: .whitespaces), index + 1, column)
        }
        func columns(_ key: String) throws -> [String] {
            guard let entry = values[key] else { return [] }
            let list = entry.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for column in list where column.wholeMatch(of: /[a-z_][a-z0-9_]*/) == nil {
                throw InputFileError(
                    file: path, line: entry.line, column: entry.column,
                    message: "reckon.\(key): '\(column)' is not a column name (lower-case letters, digits, _)")
            }
            return list
        }
        let grainList = try columns("grain")
        if grainList.count > 1, let entry = values["grain"] {
            throw InputFileError(file: path, line: entry.line, column: entry.column, message: "reckon.grain names one column")
        }
        let grain = grainList.first
        var isPublished = name.hasPrefix("mart_")
        if let entry = values["kind"] {
            switch entry.value {
            case "published": isPublished = true
            case "intermediate": isPublished = false
            default:
                throw InputFileError(
                    file: path, line: entry.line, column: entry.column,
                    message: "reckon.kind is 'published' or 'intermediate', not '\(entry.value)'")
            }
        }
        var distribution: Distribution = grain == "session_id" ? .session : .local
        if let entry = values["distribution"] {
            guard let value = Distribution(rawValue: entry.value) else {
                throw InputFileError(
                    file: path, line: entry.line, column: entry.column,
                    message: "reckon.distribution is one of session, reference, local, not '\(entry.value)'")
            }
            if value == .session, grain == nil {
                throw InputFileError(
                    file: path, line: entry.line, column: entry.column,
                    message: "reckon.distribution: session needs reckon.grain (the distribution column)")
            }
            distribution = value
        }
        return ModelHeader(
            grain: grain, isPublished: isPublished, distribution: distribution, primaryKey: try columns("primary_key"),
            indexes: try columns("indexes"), notNull: try columns("not_null"), statistics: try columns("statistics"))
    }
}
