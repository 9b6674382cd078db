import Foundation
import PostgresClient
import ReckonCore

extension DatabaseEngine {
    /// The engine of the database `connection` is on: `configured` when set (`citus` then
    /// requires the extension), else `citus` when the `citus` extension is installed.
    public static func detect(connection: Connection, configured: DatabaseEngine?) throws -> DatabaseEngine {
        if configured == .postgres { return .postgres }
        let installed =
            try connection.execute(
                "select exists (select 1 from pg_extension where extname = 'citus')", name: "engine detection"
            ).scalar(as: Bool.self) == true
        if configured == .citus, !installed {
            throw PostgresError(
                kind: .client,
                message: "engine: citus is configured, but the citus extension is not installed in this database")
        }
        return installed ? .citus : .postgres
    }
}

/// Where a model's table lives on Citus, from its header's `reckon.distribution`.
public enum CitusLayout: Sendable, Equatable, CustomStringConvertible {
    /// Distributed by `column`, co-located with the sessions source.
    case distributed(column: String)
    /// A reference table: a copy on every node.
    case reference
    /// A plain table on the coordinator.
    case local

    /// The layout of `model` (its header's distribution and grain).
    public init(model: ModelProject.Model) {
        switch model.header.distribution {
        case .session: self = model.header.grain.map { .distributed(column: $0) } ?? .local
        case .reference: self = .reference
        case .local: self = .local
        }
    }

    /// `distributed by session_id`, `reference table`, `local table`.
    public var description: String {
        switch self {
        case .distributed(let column): return "distributed by \(column)"
        case .reference: return "reference table"
        case .local: return "local table"
        }
    }
}

/// What a build does differently on a Citus coordinator.
///
/// - Each model whose header says `distribution: session` is made a distributed table by
///   its grain column right after its `create table` (before its insert), co-located with
///   the sessions source when that is hash-distributed; `reference` models become reference
///   tables; `local` ones stay coordinator tables.
/// - `{{ shard() }}` predicates render to `true` and statements never run as parts: Citus
///   already runs every shard of a statement in parallel.
/// - Settings reach the workers: Citus does not forward a session `SET` to the connections
///   its workers' tasks run on, but with `citus.propagate_set_commands = 'local'` it forwards
///   `SET LOCAL`. So every insert, update or delete runs in its own short transaction that
///   first sets, `local`, the build's settings (`work_mem`, `jit = off`) and the model's own
///   `set`s (`enable_hashagg = off` …). Nothing outlives the statement and nothing is changed
///   in the database's or role's configuration.
public struct CitusBuild: Sendable {
    /// The sessions source, schema-qualified and quoted (`"raw"."funnelfox_sessions"`).
    public let sessionsSource: String
    /// Whether the sessions source is hash-distributed, so distributed models can be
    /// co-located with it (else they are distributed in Citus's default co-location group).
    public let sessionsSourceIsDistributed: Bool

    /// A plan for `configuration`'s sessions source.
    public init(configuration: Configuration, sessionsSourceIsDistributed: Bool) {
        let table = configuration.sourceTable("funnelfox_sessions")
        self.sessionsSource = SQL.qualified(schema: table.schema, name: table.table)
        self.sessionsSourceIsDistributed = sessionsSourceIsDistributed
    }

    /// Reads from the database whether the sessions source is hash-distributed.
    public static func load(configuration: Configuration, connection: Connection) throws -> CitusBuild {
        let table = configuration.sourceTable("funnelfox_sessions")
        let distributed =
            try connection.execute(
                """
                select exists (select 1 from pg_dist_partition p
                  where p.logicalrelid = to_regclass($1) and p.partmethod = 'h')
                """, name: "citus sessions source", [SQL.qualified(schema: table.schema, name: table.table)]
            ).scalar(as: Bool.self) == true
        return CitusBuild(configuration: configuration, sessionsSourceIsDistributed: distributed)
    }

    /// The session-level setting that makes Citus forward `SET LOCAL` to the worker tasks.
    public static let sessionSettings = ["set citus.propagate_set_commands = 'local'"]

    /// The statement that lays out `table` (the model's qualified name) after its `create
    /// table`, or nil for a local model.
    public func layoutStatement(for layout: CitusLayout, table: String) -> String? {
        switch layout {
        case .distributed(let column):
            let colocation = sessionsSourceIsDistributed ? SQL.literal(sessionsSource) : "'default'"
            return "select create_distributed_table(\(SQL.literal(table)), \(SQL.literal(column)), "
                + "colocate_with => \(colocation))"
        case .reference:
            return "select create_reference_table(\(SQL.literal(table)))"
        case .local:
            return nil
        }
    }

    /// What the progress line and `reckon compile` say about a model's layout.
    public func describe(_ layout: CitusLayout) -> String {
        switch layout {
        case .distributed:
            return layout.description
                + (sessionsSourceIsDistributed
                    ? ", co-located with \(sessionsSource)" : " (\(sessionsSource) is not distributed: default co-location)")
        case .reference, .local:
            return layout.description
        }
    }

    /// `statement` with every `{{ shard() }}` predicate replaced by `true`.
    public static func removingShardPredicates(_ statement: String) -> String {
        guard ShardMarker.isSharded(statement) else { return statement }
        let (count, index) = (
            NSRegularExpression.escapedPattern(for: ShardMarker.count), NSRegularExpression.escapedPattern(for: ShardMarker.index)
        )
        let pattern =
            "\\(\(count)1 = 1 or \\(hashtext\\([A-Za-z0-9_.]+\\) < -2147483648 \\+ \\(\(index)0 \\+ 1\\) \\* 4294967296 / \(count)1"
            + " and hashtext\\([A-Za-z0-9_.]+\\)::bigint >= -2147483648 \\+ \(index)0 \\* 4294967296 / \(count)1\\)\\)"
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return statement }
        let range = NSRange(statement.startIndex..., in: statement)
        return regex.stringByReplacingMatches(in: statement, range: range, withTemplate: "true")
    }

    /// Whether a statement of this verb runs in its own transaction with `SET LOCAL`s (the
    /// statements that read and write rows on the workers).
    public static func runsWithLocalSettings(verb: String) -> Bool {
        ["insert", "delete", "update", "with"].contains(verb)
    }

    /// The `SET LOCAL` forms of the build's settings and the model's own `set`/`reset`
    /// statements so far (a `reset x` drops an earlier `set x`).
    public static func localSettings(build: [String], model: [String]) -> [String] {
        var ordered: [(name: String, statement: String)] = []
        for statement in build + model {
            let words = statement.split(whereSeparator: { $0.isWhitespace || $0 == "=" })
            guard words.count >= 2 else { continue }
            let verb = words[0].lowercased()
            let name = words[1].lowercased()
            if name == "local" || name == "session" || name.hasPrefix("citus.") { continue }
            ordered.removeAll { $0.name == name }
            if verb == "set" {
                let rest = statement.drop(while: { !$0.isWhitespace }).trimmingCharacters(in: .whitespacesAndNewlines)
                ordered.append((name, "set local " + rest))
            }
        }
        return ordered.map(\.statement)
    }

    /// Runs `statement` in its own transaction after `settings` (`SET LOCAL`s); rolls back on
    /// an error. Returns the affected rows.
    public static func run(_ statement: String, name: String, settings: [String], on connection: Connection) throws -> Int {
        try connection.execute("begin", name: name)
        do {
            for setting in settings { try connection.execute(setting, name: "\(name) settings") }
            let rows = try connection.execute(statement, name: name).affectedRows
            try connection.execute("commit", name: name)
            return rows
        } catch {
            _ = try? connection.execute("rollback", name: "\(name) rollback")
            throw error
        }
    }
}

extension CitusBuild {
    /// Runs one model statement on Citus: without `{{ shard() }}` parts, and (inserts,
    /// updates, deletes) in its own transaction with the build's and the model's settings
    /// set `local`, so they reach the worker tasks.
    func run(
        _ statement: String, verb: String, name: String, on connection: Connection, settings: [String],
        modelSettings: [String]
    ) throws -> Int {
        let text = Self.removingShardPredicates(statement)
        guard Self.runsWithLocalSettings(verb: verb) else { return try connection.execute(text, name: name).affectedRows }
        return try Self.run(
            text, name: name, settings: Self.localSettings(build: settings, model: modelSettings), on: connection)
    }

    /// Makes `model`'s freshly created table distributed or a reference table (a progress
    /// line names the layout); a local model only gets the progress line.
    func layOut(_ model: ModelProject.Model, schema: String, on connection: Connection, recorder: StepRecorder) throws {
        let layout = CitusLayout(model: model)
        let stepName = "\(model.name) \(describe(layout))"
        try recorder.run(stepName, on: connection) {
            guard let statement = layoutStatement(for: layout, table: SQL.qualified(schema: schema, name: model.name)) else {
                return 0
            }
            do {
                _ = try connection.execute(statement, name: stepName)
            } catch var error as PostgresError {
                error.statementName = "\(stepName) (\(model.path))"
                throw error
            }
            return 0
        }
    }
}

extension CitusBuild {
    /// How Citus will run an insert, update or delete (from its `EXPLAIN`): `pushed down`
    /// (each shard's task on its worker), `repartitioned` (rows reshuffled between workers
    /// by the target's distribution column), `pulled to coordinator` (every row of the
    /// SELECT through the coordinator), or `local` (no distributed table involved). Nil for
    /// other statements, or when the plan cannot be read.
    func planMethod(_ statement: String, verb: String, on connection: Connection) -> String? {
        guard Self.runsWithLocalSettings(verb: verb) else { return nil }
        guard
            let plan = try? connection.execute(
                "explain (costs off) " + Self.removingShardPredicates(statement), name: "citus plan method")
        else { return nil }
        return Self.planMethod(explained: plan.rows.compactMap { $0.first ?? nil })
    }

    /// The plan method named by the lines of an `EXPLAIN` (see `planMethod(_:verb:on:)`).
    public static func planMethod(explained lines: [String]) -> String {
        let text = lines.joined(separator: "\n")
        if text.contains("INSERT/SELECT method: pull to coordinator") { return "pulled to coordinator" }
        if text.contains("INSERT/SELECT method: repartition") { return "repartitioned" }
        guard text.contains("Custom Scan (Citus") else { return "local" }
        let subplans = lines.filter { $0.contains("Distributed Subplan") }.count
        return subplans == 0 ? "pushed down" : "pushed down after \(subplans) subplan(s) through the coordinator"
    }
}
