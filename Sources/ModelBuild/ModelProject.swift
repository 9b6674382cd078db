import Foundation
import PostgresClient
import ReckonCore

/// The model SQL of a project: `functions.sql` and the `NN_name.sql` model files.
public struct ModelProject: Sendable {
    /// One model: a SQL file that builds the table of the same name.
    public struct Model: Sendable, Equatable {
        /// The table it builds (the file name without the `NN_` prefix and `.sql`).
        public let name: String
        /// The file path, for messages.
        public let path: String
        /// The file's SQL, with placeholders.
        public let sql: String
        /// What the model declares in its `-- reckon.<key>:` header lines.
        public let header: ModelHeader
        /// Whether the model is published (`mart_*`, or `reckon.kind: published`) or intermediate.
        public var isPublished: Bool { header.isPublished }

        /// A model named `name`, read from `path`; throws when its header is malformed.
        public init(name: String, path: String, sql: String) throws {
            self.name = name
            self.path = path
            self.sql = sql
            self.header = try ModelHeader.parse(sql, name: name, path: path)
        }
    }

    /// The folder the models came from.
    public let directory: String
    /// The helper functions script, if present.
    public let functionsSQL: String?
    /// Models in build order (file name order).
    public let models: [Model]

    /// Each model's dependencies: the models its SQL names with `ref('…')`.
    public func dependencies() -> [String: Set<String>] {
        let names = Set(models.map(\.name))
        var result: [String: Set<String>] = [:]
        for model in models {
            var found = Set<String>()
            for match in model.sql.matches(of: /ref\(\s*['"]([^'"]+)['"]\s*\)/) where names.contains(String(match.1)) {
                found.insert(String(match.1))
            }
            found.remove(model.name)
            result[model.name] = found
        }
        return result
    }

    /// Reads the model folder.
    public static func load(directory: String) throws -> ModelProject {
        let manager = FileManager.default
        guard let files = try? manager.contentsOfDirectory(atPath: directory) else {
            throw InputFileError(file: directory, line: 0, column: 0, message: "models folder not found")
        }
        var models: [Model] = []
        var functions: String?
        for file in files.sorted() where file.hasSuffix(".sql") {
            let path = (directory as NSString).appendingPathComponent(file)
            let sql = try String(contentsOfFile: path, encoding: .utf8)
            if file == "functions.sql" {
                functions = sql
                continue
            }
            let stem = String(file.dropLast(4))
            guard let underscore = stem.firstIndex(of: "_"), stem[..<underscore].allSatisfy(\.isNumber),
                !stem[..<underscore].isEmpty
            else {
                throw InputFileError(
                    file: path, line: 0, column: 0,
                    message: "model files are named NN_model_name.sql (NN gives the build order)")
            }
            models.append(try Model(name: String(stem[stem.index(after: underscore)...]), path: path, sql: sql))
        }
        guard !models.isEmpty else {
            throw InputFileError(file: directory, line: 0, column: 0, message: "no model files (NN_name.sql) found")
        }
        let project = ModelProject(directory: directory, functionsSQL: functions, models: models)
        try project.checkForCycles()
        return project
    }

    /// Throws when models name each other in a circle (`a` refs `b`, `b` refs `a`): bad
    /// input, located at the first model's `ref` of the next.
    func checkForCycles() throws {
        let dependencies = dependencies()
        var finished = Set<String>()
        func visit(_ name: String, path: [String]) throws {
            if let start = path.firstIndex(of: name) {
                let cycle = Array(path[start...]) + [name]
                let first = models.first { $0.name == cycle[0] }
                let line = first.flatMap { model -> Int? in
                    let pattern = "ref\\(\\s*['\"]\(NSRegularExpression.escapedPattern(for: cycle[1]))['\"]"
                    guard let range = model.sql.range(of: pattern, options: .regularExpression) else { return nil }
                    return model.sql[..<range.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).count
                }
                throw InputFileError(
                    file: first?.path ?? directory, line: line ?? 0, column: line == nil ? 0 : 1,
                    message: "models have circular refs: \(cycle.joined(separator: " → ")); break the circle: no model may depend on itself"
                )
            }
            guard !finished.contains(name) else { return }
            for next in (dependencies[name] ?? []).sorted() { try visit(next, path: path + [name]) }
            finished.insert(name)
        }
        for model in models { try visit(model.name, path: []) }
    }
}

/// Replaces the `{{ … }}` placeholders of model SQL.
///
/// Supported: `{{ this }}`, `{{ ref('model') }}`, `{{ source('logical_name') }}`,
/// `{{ reckon }}` (the functions schema) and `{{ var('name') }}` for
/// `facebook_source_aliases`, `paid_mediums` and `ad_account_timezone`,
/// `{{ event_session_id('a') }}` and `{{ event_session_guard('a') }}` (an event's session
/// id, from `sources.event_session_column` when set). Every name is quoted through
/// `SQL.identifier`, every value through `SQL.literal`.
public struct TemplateRenderer: Sendable {
    /// Configuration supplying sources and variables.
    public let configuration: Configuration
    /// The schema being built.
    public let buildSchema: String
    /// Names of the project's models, for `ref` validation.
    public let modelNames: Set<String>
    /// An incremental build restricts some `ref`s and `source`s (docs/incremental.md).
    public var scope: BuildScope = .full

    /// Creates a renderer.
    public init(configuration: Configuration, buildSchema: String, modelNames: Set<String>) {
        self.configuration = configuration
        self.buildSchema = buildSchema
        self.modelNames = modelNames
    }

    /// Renders `sql` of `file` for model `model` (nil for functions.sql); see `Template` for
    /// the placeholder syntax and what is left as SQL text.
    public func render(_ sql: String, file: String, model: String?) throws -> String {
        do {
            return try Template.render(sql) { try expand($0, model: model) }
        } catch let problem as Template.Problem {
            throw InputFileError(file: file, line: problem.line, column: problem.column, message: problem.message)
        }
    }

    private func expand(_ placeholder: Template.Placeholder, model: String?) throws -> String {
        let expression = placeholder.expression
        if expression == "this" {
            guard let model else { throw Template.Unresolvable("{{ this }} is only valid in a model") }
            return SQL.qualified(schema: buildSchema, name: model)
        }
        if expression == "reckon" { return SQL.identifier(configuration.functionsSchema) }
        guard let value = placeholder.argument else {
            throw Template.Unresolvable(
                "unknown placeholder '{{ \(expression) }}'; valid: this, reckon, ref('model'), source('name'), var('name'), shard('column'), "
                    + "event_session_id('alias'), event_session_guard('alias')"
            )
        }
        switch placeholder.name {
        case "ref":
            guard modelNames.contains(value) else {
                throw Template.Unresolvable("ref('\(value)') names no model")
            }
            let table = SQL.qualified(schema: buildSchema, name: value)
            return scope.relation(function: "ref", name: value, model: model, table: table) ?? table
        case "source":
            guard Configuration.logicalSources.contains(value) else {
                throw Template.Unresolvable(
                    "source('\(value)') is not a logical source; valid: \(Configuration.logicalSources.joined(separator: ", "))")
            }
            let table = configuration.sourceTable(value)
            let qualified = SQL.qualified(schema: table.schema, name: table.table)
            return scope.relation(function: "source", name: value, model: model, table: qualified) ?? qualified
        case "shard":
            // A predicate the planner folds to true in a plain build (`1 = 1 or …`), so that
            // it does not distort row estimates; the builder rewrites its marked numbers to run
            // the statement as N disjoint parts side by side, part k keeping the k-th of N
            // equal ranges of hashtext(column). The two bounds are written on two different
            // expressions so the planner estimates a part at a ninth of the rows (two
            // independent inequalities), not at the 0.5% it assumes for a range or an
            // equality on an expression it has no statistics for.
            guard value.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?/) != nil else {
                throw Template.Unresolvable("shard() takes a column reference such as 'e.session_id'")
            }
            let (count, index) = (ShardMarker.count, ShardMarker.index)
            return "(\(count)1 = 1 or (hashtext(\(value)) < -2147483648 + (\(index)0 + 1) * 4294967296 / \(count)1"
                + " and hashtext(\(value))::bigint >= -2147483648 + \(index)0 * 4294967296 / \(count)1))"
        case "event_session_id", "event_session_guard":
            // The session of an event of `amplitude_events` (aliased `value`): its JSON
            // `ff_session_id`, or the column `sources.event_session_column` names. Reading the
            // column lets Citus see the events' distribution column become the model's
            // `session_id` and run the insert shard by shard (docs/citus.md); the guard keeps
            // only the events whose column equals their JSON session id, so the rows are the
            // JSON's either way. Unset, the guard renders to nothing.
            guard value.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
                throw Template.Unresolvable("\(placeholder.name)() takes the alias of amplitude_events, such as 'a'")
            }
            let json = "\(value).event_properties->>'ff_session_id'"
            guard let column = configuration.eventSessionColumn else { return placeholder.name == "event_session_id" ? json : "" }
            let read = "\(value).\(SQL.identifier(column))"
            return placeholder.name == "event_session_id" ? read : " and \(read) = \(json)"
        case "var":
            switch value {
            case "facebook_source_aliases": return SQL.textArray(configuration.facebookSourceAliases)
            case "paid_mediums": return SQL.textArray(configuration.paidMediums)
            case "ad_account_timezone": return SQL.literal(configuration.adAccountTimeZone)
            default:
                throw Template.Unresolvable(
                    "unknown variable '\(value)'; valid: facebook_source_aliases, paid_mediums, ad_account_timezone")
            }
        default:
            throw Template.Unresolvable("unknown placeholder function '\(placeholder.name)'")
        }
    }

}

/// The comment markers `{{ shard('column') }}` leaves in a statement.
public enum ShardMarker {
    /// Precedes the number of shards (1 in a plain build).
    public static let count = "/*reckon_shards*/"
    /// Precedes the shard's index (0 in a plain build).
    public static let index = "/*reckon_shard*/"

    /// Whether a rendered statement can run as shards.
    public static func isSharded(_ statement: String) -> Bool { statement.contains(count + "1") }

    /// The statement restricted to shard `index` of `count`.
    public static func statement(_ statement: String, shard index: Int, of count: Int) -> String {
        statement.replacingOccurrences(of: Self.count + "1", with: Self.count + String(count))
            .replacingOccurrences(of: Self.index + "0", with: Self.index + String(index))
    }
}
