import Foundation
import PostgresClient
import ReckonCore

/// A model with its placeholders rendered: what `Materialization` turns into statements.
public struct RenderedModel: Sendable {
    /// The model (name, file, header).
    public let model: ModelProject.Model
    /// The model's own table, schema-qualified and quoted (the staging table of a build).
    public let table: String
    /// The rendered file, split into statements (comment-only pieces dropped).
    public let statements: [StatementSplitter.Statement]

    /// A rendered model that builds `table`.
    public init(model: ModelProject.Model, table: String, statements: [StatementSplitter.Statement]) {
        self.model = model
        self.table = table
        self.statements = statements
    }

    /// The model's text read as a query model for `engine` (`set …;` hints, one SELECT,
    /// follow-ups), or nil for a script model (its first statement is not `set`, `select`,
    /// `with` or `(`). A statement marked `-- reckon.engine:` for another engine is left out
    /// first, so a model may give each engine its own hint, SELECT or follow-up.
    public func query(on engine: Materialization.Engine) -> Materialization.Query? {
        Materialization.Query(statements.filter { Materialization.runs($0.text, on: engine) })
    }
}

/// How reckon turns a model — a header plus a SELECT — into its table.
///
/// A model file is `-- reckon.<key>:` header lines, optional `set …;` planner hints, one
/// `select` (or `with … select`), and optional follow-up statements that run on the filled
/// table (`{{ this }}`), such as the de-duplication delete of `stg_events`. The model does not
/// say how its table is made: `statements(for:engine:scope:parts:)` decides that per database
/// engine and per scope, so one model text serves a full PostgreSQL build, a Citus build and
/// an incremental build.
///
/// A file whose first statement is anything else (`create table …; insert …`) is a script
/// model and runs as written on PostgreSQL, as models did before the header existed.
public enum Materialization {
    /// The database the build runs on.
    public enum Engine: String, Sendable, CaseIterable {
        /// A single PostgreSQL server.
        case postgres
        /// A Citus cluster (distributed PostgreSQL).
        case citus
    }

    /// Which rows the build (re)makes.
    public enum Scope: Sendable, Equatable {
        /// The whole table, from scratch.
        case full
        /// Only the rows of the sessions listed in the named table (schema-qualified and
        /// quoted, one `session_id text` column), replacing those sessions' rows.
        case sessions(String)
    }

    /// One statement reckon runs for a model.
    public struct Step: Sendable, Equatable {
        /// The SQL, without a terminating semicolon.
        public let text: String
        /// The model file's line the statement comes from (for messages).
        public let line: Int
        /// Whether the builder may run it as `--jobs` disjoint parts (it carries the markers of
        /// `{{ shard() }}`); a statement that does not is run once, whatever its text holds.
        public let runsInParts: Bool

        /// A step; `runsInParts` only for an `insert … select` whose SELECT has `{{ shard() }}`.
        public init(text: String, line: Int, runsInParts: Bool = false) {
            self.text = text
            self.line = line
            self.runsInParts = runsInParts
        }
    }

    /// A query model's parts, in file order.
    public struct Query: Sendable, Equatable {
        /// Leading `set …` statements: planner hints for the SELECT (reset after the model).
        public let settings: [StatementSplitter.Statement]
        /// The SELECT that gives the model's rows; its output columns are the table's.
        public let select: StatementSplitter.Statement
        /// Statements after the SELECT, run on the filled table before keys and indexes.
        public let followUps: [StatementSplitter.Statement]

        /// Reads `statements` as a query model; nil when they are a script.
        public init?(_ statements: [StatementSplitter.Statement]) {
            var settings: [StatementSplitter.Statement] = []
            var index = statements.startIndex
            while index < statements.endIndex, Materialization.leadingWord(of: statements[index].text) == "set" {
                settings.append(statements[index])
                index += 1
            }
            guard index < statements.endIndex, ["select", "with", "("].contains(Materialization.leadingWord(of: statements[index].text))
            else { return nil }
            self.settings = settings
            self.select = statements[index]
            self.followUps = Array(statements[(index + 1)...])
        }
    }

    /// The statements that build `model`'s table on `engine` for `scope`.
    ///
    /// `parts` is the number of connections a PostgreSQL build may use for one statement:
    /// above 1, a SELECT holding `{{ shard() }}` is materialized as `create table … as …
    /// with no data` plus an `insert … select` the builder runs as `parts` hash-bucket parts
    /// side by side; otherwise as one `create table … as select`, which PostgreSQL may run
    /// with parallel workers. Intermediate models are `unlogged`, published ones logged.
    /// Then the follow-up statements, the primary key and `reckon.not_null` columns (one
    /// `alter table`), one index per `reckon.indexes` column, and `analyze`.
    ///
    /// On Citus (`sessionsSource`: the sessions source's quoted name, the co-location
    /// partner) see `citusFull(_:sessionsSource:)`: created empty, laid out by the header's
    /// `reckon.distribution`, then filled by one `insert … select`.
    public static func statements(
        for model: RenderedModel, engine: Engine, scope: Scope, parts: Int = 1,
        sessionsSource: String = SQL.qualified(schema: "raw", name: "funnelfox_sessions")
    ) throws -> [Step] {
        switch (engine, scope) {
        case (.postgres, .full):
            guard let query = model.query(on: .postgres) else {
                return model.statements.map { Step(text: $0.text, line: $0.line, runsInParts: ShardMarker.isSharded($0.text)) }
            }
            return postgresFull(model, query: query, parts: parts)
        case (.postgres, .sessions):
            // Incremental builds (docs/incremental.md): the renderer already restricted the
            // model's inputs to the listed sessions and their days (`BuildScope`), and the
            // table is the delta schema's; the delta is materialized as a full build of those
            // rows, then applied to the published marts by `IncrementalBuild.apply`.
            // One part (the delta is small; parts would each repeat the index scans), and no
            // secondary indexes (the published marts have theirs). `analyze` samples only the
            // key columns: the delta's tables are joined and grouped on them, and statistics
            // of every column (the attribution mart's JSON and arrays) cost more than the
            // table's build. Every table is unlogged, the marts' too: the apply copies their
            // rows into the published marts, and the delta schema is dropped after it.
            guard let query = model.query(on: .postgres) else {
                return model.statements.map { Step(text: $0.text, line: $0.line) }
            }
            let analyze = "analyze \(model.table)"
            let keys = deltaStatisticsColumns(model.model.header)
            // A SELECT written for parts (`{{ shard() }}`: per-session aggregates) is filled by
            // one `insert … select`, as in a full build, not a parallel `create table … as`,
            // where every worker would rebuild the whole per-session hash table.
            return postgresFull(model, query: query, parts: 1, insertWhenSharded: true, unlogged: true).compactMap { step in
                if withoutLeadingComments(step.text).hasPrefix("create index") { return nil }
                guard step.text == analyze || step.text.hasPrefix("\(analyze) ("), !keys.isEmpty else { return step }
                return Step(text: "\(analyze) (\(keys.map(SQL.identifier).joined(separator: ", ")))", line: step.line)
            }
        case (.citus, .full):
            return citusFull(model, sessionsSource: sessionsSource)
        case (.citus, .sessions):
            // Not built: incremental builds on Citus (docs/citus.md). The delta would be
            // created distributed like the full build's table, then applied the same way.
            throw MaterializationError(model: model.model, engine: engine, scope: scope)
        }
    }

    /// The columns an incremental build's delta table is analyzed on: its grain and its
    /// primary key, in that order (empty: the whole table).
    static func deltaStatisticsColumns(_ header: ModelHeader) -> [String] {
        var columns: [String] = []
        for column in (header.grain.map { [$0] } ?? []) + header.primaryKey where !columns.contains(column) {
            columns.append(column)
        }
        return columns
    }

    /// `create [unlogged] table … as select` (or `… with no data` + a sharded insert), the
    /// follow-ups, keys, indexes and `analyze`.
    static func postgresFull(
        _ model: RenderedModel, query: Query, parts: Int, engine: Engine = .postgres, insertWhenSharded: Bool = false,
        unlogged: Bool = false
    ) -> [Step] {
        let header = model.model.header
        let table = model.table
        let create = createTable(model, unlogged: unlogged)
        var steps = query.settings.map { Step(text: $0.text, line: $0.line) }
        // The model's leading comments (header, notes) stay in the model file.
        let select = StatementSplitter.Statement(text: withoutLeadingComments(query.select.text), line: query.select.line)
        if parts > 1 || insertWhenSharded, ShardMarker.isSharded(select.text) {
            steps.append(Step(text: "\(create) as\n\(select.text)\nwith no data", line: select.line))
            steps.append(Step(text: "insert into \(table)\n\(select.text)", line: select.line, runsInParts: parts > 1))
        } else {
            steps.append(Step(text: "\(create) as\n\(select.text)", line: select.line))
        }
        // A follow-up with `{{ shard() }}` (the de-duplication delete) runs in parts too. (The
        // query holds only `engine`'s statements: `RenderedModel.query(on:)`.)
        steps += query.followUps.map {
            Step(text: $0.text, line: $0.line, runsInParts: parts > 1 && ShardMarker.isSharded($0.text))
        }
        let primaryKey =
            header.primaryKey.isEmpty
            ? [] : ["add primary key (\(header.primaryKey.map(SQL.identifier).joined(separator: ", ")))"]
        let notNull = header.notNull.map { "alter column \(SQL.identifier($0)) set not null" }
        let line = select.line
        if engine == .citus {
            // Citus takes an `alter table` that adds a constraint only as its single
            // subcommand: the primary key gets its own. The `not null` columns were set on
            // the empty table before its insert (`citusNotNull(_:)`).
            steps += primaryKey.map { Step(text: "alter table \(table) \($0)", line: line) }
        } else if !(primaryKey + notNull).isEmpty {
            steps.append(Step(text: "alter table \(table)\n  " + (primaryKey + notNull).joined(separator: ",\n  "), line: line))
        }
        steps += header.indexes.map { Step(text: "create index on \(table) (\(SQL.identifier($0)))", line: line) }
        let statistics = header.statistics.isEmpty ? "" : " (\(header.statistics.map(SQL.identifier).joined(separator: ", ")))"
        steps.append(Step(text: "analyze \(table)\(statistics)", line: line))
        return steps
    }

    /// `create table <table>` for a published model; for an intermediate one `create unlogged
    /// table <table> with (autovacuum_enabled = off)`: it is read by the next models and
    /// dropped after publishing, so a vacuum keeps nothing, and an autovacuum of a freshly
    /// filled table (on Citus, of its shards: they get the table's storage parameters) would
    /// take cores from the build and hold up its next `analyze` and the staging schema's drop
    /// until PostgreSQL cancels it (after `deadlock_timeout`). `unlogged` makes every model's
    /// table so (an incremental build's delta: its rows are copied into the published marts).
    static func createTable(_ model: RenderedModel, unlogged: Bool = false) -> String {
        model.model.header.isPublished && !unlogged
            ? "create table \(model.table)" : "create unlogged table \(model.table) with (\(CitusBuild.noAutovacuum))"
    }

    /// Whether a statement runs on `engine`: a statement whose leading comments hold
    /// `-- reckon.engine: citus` (or `postgres`) runs on that engine only; others on both.
    static func runs(_ statement: String, on engine: Engine) -> Bool {
        var marked: [String] = []
        for line in statement.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("--") || trimmed.isEmpty else { break }
            if let match = trimmed.wholeMatch(of: /--\s*reckon\.engine\s*:\s*([a-z]+)\s*/) { marked.append(String(match.1)) }
        }
        return marked.isEmpty || marked.contains(engine.rawValue)
    }

    /// The first keyword of a statement, lower-cased, after leading comments and spaces.
    static func leadingWord(of statement: String) -> String {
        let text = withoutLeadingComments(statement)
        if text.hasPrefix("(") { return "(" }
        return text.prefix { $0.isLetter || $0 == "_" }.lowercased()
    }

    /// The statement from its first token on: leading `--` and `/* */` comments and spaces removed.
    static func withoutLeadingComments(_ statement: String) -> String {
        var text = Substring(statement)
        while true {
            text = text.drop { $0.isWhitespace }
            if text.hasPrefix("--") {
                text = text.drop { $0 != "\n" }
            } else if text.hasPrefix("/*"), let end = text.range(of: "*/") {
                text = text[end.upperBound...]
            } else {
                break
            }
        }
        return String(text)
    }
}

/// A model cannot be materialized on this engine and scope (yet).
public struct MaterializationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The model's name.
    public let model: String
    /// Its file.
    public let path: String
    /// What is not supported.
    public let message: String

    /// An error for `model` on `engine` with `scope`.
    init(model: ModelProject.Model, engine: Materialization.Engine, scope: Materialization.Scope) {
        self.model = model.name
        self.path = model.path
        let what: String
        switch scope {
        case .full: what = "a full build"
        case .sessions: what = "an incremental build"
        }
        self.message = "reckon cannot yet materialize model \(model.name) for \(what) on \(engine.rawValue)"
    }

    /// One sentence naming the model, its file and the unsupported combination.
    public var description: String { "\(path): \(message)" }
}
