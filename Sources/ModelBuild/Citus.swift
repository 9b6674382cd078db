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

    /// The `default_statistics_target` the `analyze` of a distributed model runs with, so
    /// that its shards together sample about as many rows as one table does on PostgreSQL
    /// (each shard samples 300 × the target): the database's target divided by the shards
    /// of the sessions source, at least `minimumStatisticsTarget`. Nil: the database's own.
    public let analyzeStatisticsTarget: Int?

    /// The lowest statistics target a shard is analyzed with (7,500 sampled rows).
    public static let minimumStatisticsTarget = 25

    /// A plan for `configuration`'s sessions source.
    public init(configuration: Configuration, sessionsSourceIsDistributed: Bool, analyzeStatisticsTarget: Int? = nil) {
        self.sessionsSource = Self.sessionsSource(configuration)
        self.sessionsSourceIsDistributed = sessionsSourceIsDistributed
        self.analyzeStatisticsTarget = analyzeStatisticsTarget
    }

    /// The statistics target for shards of a table in `shards` shards when one table is
    /// analyzed with `target`: `target / shards` rounded up, at least `minimumStatisticsTarget`
    /// and at most `target`.
    public static func shardStatisticsTarget(target: Int, shards: Int) -> Int {
        guard shards > 1 else { return target }
        return min(target, max(minimumStatisticsTarget, (target + shards - 1) / shards))
    }

    /// Reads from the database whether the sessions source is hash-distributed, and in how
    /// many shards (the shards of every model co-located with it).
    public static func load(configuration: Configuration, connection: Connection) throws -> CitusBuild {
        let table = configuration.sourceTable("funnelfox_sessions")
        let row = try connection.execute(
            """
            select exists (select 1 from pg_dist_partition p where p.logicalrelid = to_regclass($1) and p.partmethod = 'h'),
                   (select count(*) from pg_dist_shard s where s.logicalrelid = to_regclass($1)),
                   current_setting('default_statistics_target')::int
            """, name: "citus sessions source", [SQL.qualified(schema: table.schema, name: table.table)]
        ).rows.first
        let distributed = row?[0] == "t"
        let shards = row?[1].flatMap { Int($0) } ?? 0
        let target = row?[2].flatMap { Int($0) }
        return CitusBuild(
            configuration: configuration, sessionsSourceIsDistributed: distributed,
            analyzeStatisticsTarget: distributed ? target.map { shardStatisticsTarget(target: $0, shards: shards) } : nil)
    }

    /// The storage parameter of an intermediate model's table (and so of its shards): not
    /// autovacuumed while the build reads it, dropped after publishing.
    public static let noAutovacuum = "autovacuum_enabled = off"

    /// The session-level setting that makes Citus forward `SET LOCAL` to the worker tasks.
    public static let sessionSettings = ["set citus.propagate_set_commands = 'local'"]

    /// The sessions source of `configuration`, schema-qualified and quoted.
    public static func sessionsSource(_ configuration: Configuration) -> String {
        let table = configuration.sourceTable("funnelfox_sessions")
        return SQL.qualified(schema: table.schema, name: table.table)
    }

    /// The first line of a statement that lays out a model's table (a comment to PostgreSQL).
    public static let layoutMarker = "-- reckon.layout:"

    /// The statement that lays out `table` (the model's qualified name) once it exists and
    /// is empty, or nil for a local model. A distributed model is co-located with
    /// `sessionsSource` when that is hash-distributed, else placed in Citus's default group
    /// (decided by the statement itself, so the compiled SQL is right for either layout).
    public static func layoutStatement(for layout: CitusLayout, table: String, sessionsSource: String) -> String? {
        switch layout {
        case .distributed(let column):
            let source = SQL.literal(sessionsSource)
            return """
                \(layoutMarker) \(layout), co-located with \(sessionsSource) when it is distributed
                select create_distributed_table(\(SQL.literal(table)), \(SQL.literal(column)), colocate_with =>
                  case when exists (select from pg_dist_partition where logicalrelid = to_regclass(\(source)) and partmethod = 'h')
                       then \(source) else 'default' end)
                """
        case .reference:
            return "\(layoutMarker) \(layout)\nselect create_reference_table(\(SQL.literal(table)))"
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
        modelSettings: [String], layout: CitusLayout
    ) throws -> Int {
        let text = Self.removingShardPredicates(statement)
        if text.hasPrefix(Self.layoutMarker) {
            _ = try connection.execute(text, name: name)
            return 0
        }
        // Each shard of a distributed model samples its own rows: with the target divided by
        // the shards they sample together about what one table does (Citus forwards the
        // `SET LOCAL` to the shards' `ANALYZE`s).
        if verb == "analyze", case .distributed = layout, let target = analyzeStatisticsTarget {
            return try Self.run(text, name: name, settings: ["set local default_statistics_target = \(target)"], on: connection)
        }
        guard Self.runsWithLocalSettings(verb: verb) else { return try connection.execute(text, name: name).affectedRows }
        return try Self.run(
            text, name: name, settings: Self.localSettings(build: settings, model: modelSettings), on: connection)
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

extension Materialization.Engine {
    /// The materialization engine of a database engine.
    public init(_ engine: DatabaseEngine) {
        switch engine {
        case .postgres: self = .postgres
        case .citus: self = .citus
        }
    }
}

extension Materialization {
    /// The `alter table … alter column … set not null` of a model's primary key and `not
    /// null` columns, run on Citus on the empty table before its insert (nil: no such
    /// column). Set after the insert, each `set not null` (and the primary key's implied one)
    /// reads every row of every shard again to verify it; set before, the insert checks
    /// each row as it writes it, and the primary key then only builds its index.
    static func citusNotNull(_ model: RenderedModel) -> String? {
        var columns: [String] = []
        for column in model.model.header.primaryKey + model.model.header.notNull where !columns.contains(column) {
            columns.append(column)
        }
        guard !columns.isEmpty else { return nil }
        return "alter table \(model.table)\n  "
            + columns.map { "alter column \(SQL.identifier($0)) set not null" }.joined(separator: ",\n  ")
    }

    /// A full build on Citus: the table created empty with the SELECT's columns
    /// (`createTable(_:)` … `as … with no data`: `create table … as` cannot make a distributed
    /// table), laid out by the header's `reckon.distribution` (distributed by the grain and
    /// co-located with the sessions source, or a reference table), then one `insert
    /// … select` (Citus runs it on every shard at once: no `{{ shard() }}` parts, the
    /// predicates render to `true`), the follow-ups, keys, indexes and `analyze` as on
    /// PostgreSQL. A script model runs as written, laid out after its first `create table`.
    static func citusFull(_ model: RenderedModel, sessionsSource: String) -> [Step] {
        let layout = CitusBuild.layoutStatement(
            for: CitusLayout(model: model.model), table: model.table, sessionsSource: sessionsSource)
        guard let query = model.query(on: .citus) else {
            var steps: [Step] = []
            var laidOut = false
            for statement in model.statements {
                steps.append(Step(text: CitusBuild.removingShardPredicates(statement.text), line: statement.line))
                if !laidOut, ModelBuilder.verb(of: statement.text) == "create table" {
                    laidOut = true
                    if let layout { steps.append(Step(text: layout, line: statement.line)) }
                }
            }
            return steps
        }
        // PostgreSQL's steps, with its `create table … as select` split in three.
        let postgres = postgresFull(model, query: query, parts: 1, engine: .citus)
        let createIndex = query.settings.count
        let select = CitusBuild.removingShardPredicates(withoutLeadingComments(query.select.text))
        let create = createTable(model)
        let line = query.select.line
        var steps = Array(postgres[..<createIndex])
        steps.append(Step(text: "\(create) as\n\(select)\nwith no data", line: line))
        if let layout { steps.append(Step(text: layout, line: line)) }
        if let notNull = citusNotNull(model) { steps.append(Step(text: notNull, line: line)) }
        steps.append(Step(text: "insert into \(model.table)\n\(select)", line: line))
        steps += postgres[(createIndex + 1)...].map {
            Step(text: CitusBuild.removingShardPredicates($0.text), line: $0.line)
        }
        return steps
    }
}
