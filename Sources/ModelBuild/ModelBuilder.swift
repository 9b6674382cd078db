import Foundation
import PostgresClient
import ReckonCore

/// One executed statement of a build, for progress lines and the benchmark.
public struct BuildStep: Sendable, Codable, Equatable {
    /// `model#n` (or `functions`), the statement's name.
    public let name: String
    /// Rows inserted (or affected).
    public let rows: Int
    /// Wall time in seconds.
    public let seconds: Double
}

/// Builds the models into a staging schema and publishes the marts atomically.
///
/// The staging schema is `<target>__staging`. Models are built there in autocommit mode;
/// `publish` then moves the `mart_*` tables into the target schema in one DDL-only
/// transaction, so readers see either the old marts or the new ones, never a mix.
/// A session-level advisory lock per target schema keeps two builds from interleaving.
public final class ModelBuilder: @unchecked Sendable {
    // Safety: used by one task at a time; the connection is never shared.
    private let connection: Connection
    private let configuration: Configuration
    private let project: ModelProject
    /// The schema the marts are published to.
    public let targetSchema: String
    /// The schema models are built into.
    public var stagingSchema: String { targetSchema + "__staging" }
    private var holdsLock = false
    private let connectionString: String?
    private let parallelism: Int
    /// What the build computes; an incremental build builds a session scope into its delta
    /// schema (docs/incremental.md).
    public var scope: BuildScope = .full
    /// The incremental state the build snapshots before reading the sources and the publish
    /// records in its transaction, so that the next `--incremental` build starts from here.
    public var incrementalState: IncrementalState?
    /// With `incrementalState`, a full build also takes the census of the lookback window
    /// (`IncrementalState.takeFullCensus`) and records it: set when `--incremental` made the
    /// build full, so that the next incremental run is as narrow as any later one. A plain
    /// full build (the CI gate's) does not spend the read.
    public var takesCensus = false
    /// Whether this build took the census (not on Citus, where incremental runs are not
    /// supported yet).
    private var tookCensus = false
    /// Statements scheduled among the models like a model of their own (an incremental build
    /// lists the daily mart's campaign days once the attribution mart is rebuilt, and feeds
    /// its apply's transaction while the build goes on).
    public var extraSteps: [ExtraStep] = []

    /// Statements that wait for the models they read (`after`, which may also name other
    /// steps) and that the models in `before` wait for; they run on a free connection while
    /// the build goes on. A step whose `after` models are not all in the project is left out.
    public struct ExtraStep: Sendable {
        /// The step's name (a progress line per statement).
        public let name: String
        /// The models it reads.
        public let after: [String]
        /// The models that read what it makes.
        public let before: [String]
        /// What it runs, in order.
        public let statements: [String]
        /// Instead of statements: work that needs no build connection (it is called on the
        /// thread that took the step, and should return quickly).
        public let action: (@Sendable () -> Void)?
        /// For an action: taken only by a connection no model is ready for (so the work it
        /// starts elsewhere fills a core the build leaves idle), not as soon as it is ready.
        public let whenIdle: Bool

        /// Creates a step.
        public init(name: String, after: [String], before: [String] = [], statements: [String]) {
            self.name = name
            self.after = after
            self.before = before
            self.statements = statements
            self.action = nil
            self.whenIdle = false
        }

        /// Creates a step that calls `action` once the models in `after` are built (with
        /// `whenIdle`, once a connection finds no model ready after that).
        public init(name: String, after: [String], whenIdle: Bool = false, action: @escaping @Sendable () -> Void) {
            self.name = name
            self.after = after
            self.before = []
            self.statements = []
            self.action = action
            self.whenIdle = whenIdle
        }
    }
    /// The schema the models are built into: `<target>__staging`, or the scope's delta schema.
    public var buildSchema: String { scope.buildSchema ?? stagingSchema }

    /// Creates a builder on `connection`, which it uses for the whole build and publish.
    ///
    /// With a `connectionString` and `parallelism` above 1, independent models (no `ref`
    /// between them) are built side by side on extra connections.
    public init(
        connection: Connection, configuration: Configuration, project: ModelProject, targetSchema: String,
        connectionString: String? = nil, parallelism: Int = 2
    ) {
        self.connection = connection
        self.connectionString = connectionString
        self.parallelism = parallelism
        self.configuration = configuration
        self.project = project
        self.targetSchema = targetSchema
    }

    /// Takes the per-target advisory lock, waiting (and saying so) while another build holds it.
    ///
    /// Validates the schema names first (`SchemaNameError`), before anything is touched.
    public func lock(onWait: (String) -> Void) throws {
        try SchemaNameError.validate(
            targetSchema: targetSchema, sourceSchema: configuration.sourceSchema, functionsSchema: configuration.functionsSchema)
        let key = "reckon build " + targetSchema
        let acquired = try connection.execute(
            "select pg_try_advisory_lock(hashtext($1))", name: "build lock", [key]
        ).scalar(as: Bool.self)
        if acquired != true {
            onWait("another reckon build of schema \(targetSchema) is running; waiting for it to finish")
            _ = try CancellationRegistry.shared.whileRunning(connection) {
                try connection.execute("select pg_advisory_lock(hashtext($1))", name: "build lock", [key])
            }
        }
        holdsLock = true
    }

    /// Releases the advisory lock.
    public func unlock() {
        guard holdsLock else { return }
        _ = try? connection.execute(
            "select pg_advisory_unlock(hashtext($1))", name: "build unlock", ["reckon build " + targetSchema])
        holdsLock = false
    }

    /// Checks the sources, then builds every model into the staging schema.
    /// `progress` may be called from several threads, one call at a time.
    ///
    /// Missing sources stop the build before anything is created, listing all problems.
    /// A failed build drops the staging schema it started, so nothing half-built is left.
    public func build(progress: @escaping @Sendable (BuildStep) -> Void) throws -> [BuildStep] {
        do {
            return try buildStaging(progress: progress)
        } catch {
            discardStaging()
            throw error
        }
    }

    private func buildStaging(progress: @escaping @Sendable (BuildStep) -> Void) throws -> [BuildStep] {
        let problems = try SourceContract.problems(configuration: configuration, connection: connection)
        guard problems.isEmpty else { throw SourceContractError(problems: problems) }

        let engine = try DatabaseEngine.detect(connection: connection, configured: configuration.engine)
        let citus = engine == .citus ? try CitusBuild.load(configuration: configuration, connection: connection) : nil
        let (functionsSQL, rendered) = try renderProject(engine: engine)

        let settings =
            [
                "set work_mem = \(SQL.literal(configuration.buildWorkMemory))", "set jit = off",
                "set synchronous_commit = off", "set max_parallel_workers_per_gather = 2",
            ] + (citus == nil ? [] : CitusBuild.sessionSettings)
        for setting in settings { try connection.execute(setting, name: "build settings") }
        let recorder = StepRecorder(progress: progress)
        if let citus {
            try recorder.run("engine citus (sessions source \(citus.sessionsSource))", on: connection) { 0 }
        }
        try recorder.run("prepare staging schema", on: connection) {
            try connection.executeScript(
                """
                drop schema if exists \(SQL.identifier(buildSchema)) cascade;
                create schema \(SQL.identifier(buildSchema));
                """, name: "prepare staging schema")
            return 0
        }
        if let incrementalState {
            try recorder.run("incremental state snapshot", on: connection) {
                let full = if case .full = scope { true } else { false }
                for statement in incrementalState.captureStatements(into: buildSchema, dimensions: full) {
                    try connection.execute(statement, name: "incremental state snapshot")
                }
                return 0
            }
            tookCensus = false
            if takesCensus, case .full = scope, citus == nil {
                try recorder.run("census of the lookback window", on: connection) {
                    try incrementalState.takeFullCensus(
                        into: buildSchema, lookbackDays: configuration.incrementalLookbackDays
                    ) { name, sql in
                        try connection.execute(sql, name: name).rows.first?.first ?? nil
                    }
                    return 0
                }
                tookCensus = true
            }
        }
        // The functions schema is shared by every target: builds of different targets take
        // turns re-creating it (concurrent `create or replace function` of the same function
        // fails with "tuple concurrently updated").
        let functionsKey = "reckon functions " + configuration.functionsSchema
        try recorder.run("functions", on: connection) {
            try connection.execute("select pg_advisory_lock(hashtext($1))", name: "functions lock", [functionsKey])
            defer {
                _ = try? connection.execute("select pg_advisory_unlock(hashtext($1))", name: "functions unlock", [functionsKey])
            }
            try connection.execute("create schema if not exists \(SQL.identifier(configuration.functionsSchema))", name: "functions schema")
            if let functionsSQL { try connection.executeScript(functionsSQL, name: "functions.sql") }
            return 0
        }
        // Models whose refs are built run side by side, each on its own connection: PostgreSQL
        // does not parallelise `insert … select`, so independent models are the parallelism.
        var connections = [connection]
        if let connectionString, parallelism > 1 {
            for _ in 1..<parallelism {
                let extra = try Connection.connect(connectionString)
                for setting in settings { try extra.execute(setting, name: "build settings") }
                connections.append(extra)
            }
        }
        var dependencies = project.dependencies()
        let modelNames = rendered.map(\.0.name)
        let steps = extraSteps.filter { Set($0.after).isSubset(of: Set(modelNames).union(extraSteps.map(\.name))) }
        let stepsByName = Dictionary(steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for step in steps {
            dependencies[step.name] = Set(step.after)
            for model in step.before where modelNames.contains(model) { dependencies[model, default: []].insert(step.name) }
        }
        // The scheduler takes the first ready name: an action (quick, it runs no statement)
        // and a step a model waits for go before the models, the others after them (they take
        // a connection no model is ready for), an action `whenIdle` last.
        let actions = steps.filter { $0.action != nil && !$0.whenIdle }.map(\.name)
        let blocking = steps.filter { !$0.before.isEmpty }.map(\.name)
        let others = steps.filter { $0.before.isEmpty && $0.action == nil }.map(\.name)
        let idle = steps.filter { $0.action != nil && $0.whenIdle }.map(\.name)
        let scheduler = ModelScheduler(models: actions + blocking + modelNames + others + idle, dependencies: dependencies)
        let statementsByModel = Dictionary(uniqueKeysWithValues: rendered.map { ($0.0.name, ($0.0, $0.1)) })
        let group = DispatchGroup()
        for worker in connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let name = scheduler.next() {
                    if let step = stepsByName[name] {
                        if let action = step.action {
                            action()
                            scheduler.finished(name)
                            continue
                        }
                        do {
                            for (index, statement) in step.statements.enumerated() {
                                // Named as a model's statements are when there are several.
                                let stepName =
                                    step.statements.count > 1 ? "\(step.name) #\(index + 1) \(Self.verb(of: statement))" : step.name
                                try recorder.run(stepName, on: worker) {
                                    try worker.execute(statement, name: stepName).affectedRows
                                }
                            }
                            scheduler.finished(name)
                        } catch {
                            scheduler.failed(error)
                        }
                        continue
                    }
                    guard let (model, statements) = statementsByModel[name] else { continue }
                    do {
                        var sessionStatements: [String] = []
                        if let citus, CitusLayout(model: model) == .local {
                            try recorder.run("\(model.name) \(citus.describe(.local))", on: worker) { 0 }
                        }
                        for (index, statement) in statements.enumerated() {
                            let verb = Self.verb(of: statement.text)
                            var stepName = "\(model.name) #\(index + 1) \(verb)"
                            if verb == "set" || verb == "reset" { sessionStatements.append(statement.text) }
                            // On Citus the progress lines name each model's layout and how
                            // Citus runs each insert (pushed down, repartitioned, pulled up).
                            if let citus {
                                if statement.text.hasPrefix(CitusBuild.layoutMarker) {
                                    stepName = "\(model.name) \(citus.describe(CitusLayout(model: model)))"
                                } else if let method = citus.planMethod(statement.text, verb: verb, on: worker) {
                                    stepName += " (\(method))"
                                }
                            }
                            try recorder.run(stepName, on: worker) {
                                do {
                                    if let citus {
                                        return try citus.run(
                                            statement.text, verb: verb, name: stepName, on: worker, settings: settings,
                                            modelSettings: sessionStatements, layout: CitusLayout(model: model))
                                    }
                                    if statement.runsInParts, let shards = self.shardRunner(settings) {
                                        return try shards.run(
                                            statement.text, name: stepName, on: worker, replaying: sessionStatements)
                                    }
                                    return try worker.execute(statement.text, name: stepName).affectedRows
                                } catch var error as PostgresError {
                                    error.statementName = "\(stepName) (\(model.path):\(statement.line))"
                                    throw error
                                }
                            }
                        }
                        // A model may `set`/`reset` settings (reset returns to the server's
                        // default, not the build's): undo its hints and restore the build's
                        // settings for the next model.
                        if !sessionStatements.isEmpty { try worker.execute("reset all", name: "build settings") }
                        for setting in settings { try worker.execute(setting, name: "build settings") }
                        scheduler.finished(name)
                    } catch {
                        scheduler.failed(error)
                    }
                }
            }
        }
        group.wait()
        if let error = scheduler.failure { throw error }
        return recorder.steps
    }

    /// Runs sharded statements as `parallelism` parts when the build may open connections.
    private func shardRunner(_ settings: [String]) -> ShardRunner? {
        guard let connectionString, parallelism > 1 else { return nil }
        return ShardRunner(connectionString: connectionString, shards: parallelism, settings: settings)
    }

    /// The statement's leading keywords (`insert`, `create table`, `analyze` …), for step names.
    static func verb(of statement: String) -> String {
        let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: " ")
        let words = code.split(whereSeparator: { $0.isWhitespace }).prefix(2).map { $0.lowercased() }
        guard let first = words.first else { return "" }
        if ["create", "alter", "drop"].contains(first), words.count > 1 {
            let second = words[words.index(after: words.startIndex)]
            return first + " " + (["unique", "unlogged"].contains(second) ? "table" : second)
        }
        return first
    }

    /// Renders `functions.sql` and every model's materialization for this build's staging
    /// schema (or, in an incremental build, its delta schema); a template error stops here,
    /// before any SQL runs.
    public func renderProject(engine: DatabaseEngine = .postgres) throws -> (
        functions: String?, models: [(ModelProject.Model, [Materialization.Step])]
    ) {
        let parts = connectionString != nil && parallelism > 1 && engine == .postgres ? parallelism : 1
        var plan = ModelPlan(
            configuration: configuration, project: project, targetSchema: targetSchema, engine: Materialization.Engine(engine),
            scope: scope.materializationScope, parts: parts)
        plan.buildScope = scope
        return try plan.render()
    }

    /// The published models (tables named `mart_*`).
    public var publishedModels: [String] { project.models.filter(\.isPublished).map(\.name) }

    /// Moves the marts from staging into the target schema in one transaction, then drops
    /// the staging schema with the intermediate models.
    ///
    /// Each statement of the transaction is sent on its own, and `commit` only after the
    /// process checked it was not interrupted: a reckon killed or interrupted while the
    /// publish waits never commits it (the server rolls back when the connection closes).
    /// The transaction waits at most `publish.lock_timeout` for readers' locks on the marts;
    /// then it rolls back and throws a `PublishLockError` naming the blocking sessions.
    /// SIGINT/SIGTERM cancel a waiting publish, which rolls back.
    public func publish() throws {
        try CancellationRegistry.shared.checkInterrupted()
        var statements = ["create schema if not exists \(SQL.identifier(targetSchema))"]
        for name in publishedModels {
            statements.append("drop table if exists \(SQL.qualified(schema: targetSchema, name: name)) cascade")
            statements.append(
                "alter table \(SQL.qualified(schema: stagingSchema, name: name)) set schema \(SQL.identifier(targetSchema))")
        }
        if let incrementalState {
            statements += incrementalState.recordStatements(
                from: stagingSchema, modelsHash: try incrementalState.modelsHash(on: connection), kind: "full",
                census: tookCensus ? IncrementalState.census(in: stagingSchema, withDimensions: false) : nil)
        }
        try runPublishingTransaction(statements, name: "publish")
        try connection.execute("drop schema if exists \(SQL.identifier(stagingSchema)) cascade", name: "drop staging")
    }

    /// Runs `statements` in one transaction that changes the published marts (a publish, or an
    /// incremental apply): it waits at most `publish.lock_timeout` for locks, sends each
    /// statement on its own and `commit` last, only when not interrupted. On any error it
    /// rolls back; a lock time-out becomes a `PublishLockError` naming the blocking sessions.
    /// `progress`, when given, gets one step per statement (`<name>: <leading words>`).
    func runPublishingTransaction(_ statements: [String], name: String, progress: ((BuildStep) -> Void)? = nil) throws {
        let all = ["set local lock_timeout = \(configuration.publishLockTimeoutSeconds * 1000)"] + statements
        do {
            try connection.execute("begin", name: name)
            for statement in all { try Self.runTimed(statement, on: connection, name: name, progress: progress) }
            // The last moment to stop: once `commit` is sent the change is published.
            try Self.runTimed("commit", on: connection, name: name, progress: progress)
        } catch {
            _ = try? connection.execute("rollback", name: "\(name) rollback")
            throw publishError(error)
        }
    }

    /// Runs one statement of a publishing transaction on `connection`, cancelled by an
    /// interrupt, and reports it to `progress` as `<name>: <its first three words>`.
    static func runTimed(
        _ statement: String, on connection: Connection, name: String, progress: ((BuildStep) -> Void)?
    ) throws {
        let start = DispatchTime.now()
        let rows = try CancellationRegistry.shared.whileRunning(connection) {
            try connection.execute(statement, name: name)
        }.affectedRows
        guard let progress else { return }
        let words = statement.split(whereSeparator: { $0.isWhitespace }).prefix(3).joined(separator: " ")
        progress(
            BuildStep(
                name: "\(name): \(words)", rows: rows,
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
    }

    /// `error` of a rolled-back publishing transaction, a lock time-out made a
    /// `PublishLockError` naming the sessions that hold the marts.
    func publishError(_ error: any Error) -> any Error {
        guard let error = error as? PostgresError, error.sqlState == "55P03" else { return error }
        return PublishLockError(
            targetSchema: targetSchema, timeoutSeconds: configuration.publishLockTimeoutSeconds, blockers: lockHolders())
    }

    /// The other sessions holding locks on the published or staged marts, for a lock time-out.
    func lockHolders() -> [PublishLockError.Blocker] {
        let sql = """
            select distinct a.pid, coalesce(a.usename::text, ''), coalesce(a.state, ''), coalesce(a.query, '')
            from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
            join pg_stat_activity a on a.pid = l.pid
            where l.granted and l.pid <> pg_backend_pid() and n.nspname = any(\(SQL.textArray([targetSchema, stagingSchema])))
              and c.relname = any(\(SQL.textArray(publishedModels)))
            order by 1
            """
        guard let rows = try? connection.execute(sql, name: "publish lock holders").rows else { return [] }
        return rows.map { row in
            PublishLockError.Blocker(
                pid: Int(row[0] ?? "") ?? 0, user: row[1] ?? "", state: row[2] ?? "", query: row[3] ?? "")
        }
    }

    /// Drops the staging schema (after a failed build or failed checks).
    public func discardStaging() {
        _ = try? connection.execute("drop schema if exists \(SQL.identifier(stagingSchema)) cascade", name: "drop staging")
        if let delta = scope.buildSchema {
            _ = try? connection.execute("drop schema if exists \(SQL.identifier(delta)) cascade", name: "drop delta")
        }
    }
}

/// Hands out models whose dependencies are built, in file order; stops on the first failure.
final class ModelScheduler: @unchecked Sendable {
    // Safety: every property is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var pending: [String]
    private var running = Set<String>()
    private var done = Set<String>()
    private let dependencies: [String: Set<String>]
    private(set) var failure: Error?

    init(models: [String], dependencies: [String: Set<String>]) {
        self.pending = models
        self.dependencies = dependencies
    }

    /// The next model to build, waiting while only blocked models remain; nil when finished.
    func next() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if failure != nil || pending.isEmpty { return nil }
            if let index = pending.firstIndex(where: { (dependencies[$0] ?? []).isSubset(of: done) }) {
                let name = pending.remove(at: index)
                running.insert(name)
                return name
            }
            if running.isEmpty {
                failure = PostgresError(kind: .client, message: "models have circular refs: \(pending.joined(separator: ", "))")
                return nil
            }
            condition.wait()
        }
    }

    func finished(_ name: String) {
        condition.lock()
        running.remove(name)
        done.insert(name)
        condition.broadcast()
        condition.unlock()
    }

    func failed(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }
}

/// Times statements, keeps the steps and reports progress one step at a time.
final class StepRecorder: @unchecked Sendable {
    // Safety: `steps` is only touched while `lock` is held; `progress` is called under it.
    private let lock = NSLock()
    private var recorded: [BuildStep] = []
    private let progress: @Sendable (BuildStep) -> Void

    init(progress: @escaping @Sendable (BuildStep) -> Void) { self.progress = progress }

    var steps: [BuildStep] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func run(_ name: String, on connection: Connection, _ body: () throws -> Int) throws {
        let start = DispatchTime.now()
        let rows = try CancellationRegistry.shared.whileRunning(connection, body)
        let step = BuildStep(
            name: name, rows: rows, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        lock.lock()
        recorded.append(step)
        progress(step)
        lock.unlock()
    }
}

/// The rendered SQL of a build, without a database: what `build` runs and `compile` writes.
public struct ModelPlan: Sendable {
    /// Configuration supplying sources and variables.
    public let configuration: Configuration
    /// The models.
    public let project: ModelProject
    /// The schema to publish into.
    public let targetSchema: String
    /// The schema models are built into.
    public var stagingSchema: String { targetSchema + "__staging" }
    /// How the build restricts its inputs and where it builds (an incremental build renders
    /// some `ref`s and `source`s restricted and builds into its delta schema).
    public var buildScope: BuildScope = .full

    /// The database engine the statements are for.
    public let engine: Materialization.Engine
    /// Which rows the build makes.
    public let scope: Materialization.Scope
    /// Connections a statement with `{{ shard() }}` may run on side by side (`--jobs`).
    public let parts: Int

    /// Creates a plan.
    public init(
        configuration: Configuration, project: ModelProject, targetSchema: String, engine: Materialization.Engine = .postgres,
        scope: Materialization.Scope = .full, parts: Int = 1
    ) {
        self.configuration = configuration
        self.project = project
        self.targetSchema = targetSchema
        self.engine = engine
        self.scope = scope
        self.parts = parts
    }

    /// Renders `functions.sql` and each model's placeholders, split into statements.
    public func renderModels() throws -> (functions: String?, models: [RenderedModel]) {
        let schema = buildScope.buildSchema ?? stagingSchema
        var renderer = TemplateRenderer(
            configuration: configuration, buildSchema: schema, modelNames: Set(project.models.map(\.name)))
        renderer.scope = buildScope
        let functionsSQL = try project.functionsSQL.map {
            try renderer.render($0, file: project.directory + "/functions.sql", model: nil)
        }
        let rendered = try project.models.map { model in
            RenderedModel(
                model: model, table: SQL.qualified(schema: schema, name: model.name),
                statements: StatementSplitter.split(
                    try renderer.render(buildScope.preparing(model.sql, model: model.name), file: model.path, model: model.name)))
        }
        return (functionsSQL, rendered)
    }

    /// Renders `functions.sql` and the statements that materialize each model
    /// (`Materialization.statements(for:engine:scope:parts:)`): what `build` runs.
    public func render() throws -> (functions: String?, models: [(ModelProject.Model, [Materialization.Step])]) {
        let (functionsSQL, rendered) = try renderModels()
        let models = try rendered.map { model in
            (
                model.model,
                try Materialization.statements(
                    for: model, engine: engine, scope: scope, parts: parts, sessionsSource: CitusBuild.sessionsSource(configuration))
            )
        }
        return (functionsSQL, models)
    }
}

/// Runs a statement carrying `{{ shard(…) }}` as disjoint parts on separate connections.
///
/// PostgreSQL does not parallelise `insert … select`; the parts (each the same statement
/// restricted to one hash bucket of the grain key) use the cores instead. Part 0 runs on
/// the model's own connection; the others on new connections that first replay the
/// build's settings and the model's own `set` statements.
struct ShardRunner {
    let connectionString: String
    let shards: Int
    let settings: [String]

    func run(_ statement: String, name: String, on connection: Connection, replaying sessionStatements: [String]) throws -> Int {
        let results = ShardResults(count: shards)
        let group = DispatchGroup()
        for shard in 1..<shards {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                results.record(shard) {
                    let extra = try Connection.connect(connectionString)
                    for setup in settings + sessionStatements { try extra.execute(setup, name: "\(name) setup") }
                    return try CancellationRegistry.shared.whileRunning(extra) {
                        try extra.execute(ShardMarker.statement(statement, shard: shard, of: shards), name: name).affectedRows
                    }
                }
            }
        }
        results.record(0) {
            try connection.execute(ShardMarker.statement(statement, shard: 0, of: shards), name: name).affectedRows
        }
        group.wait()
        return try results.total()
    }
}

/// Rows or errors of each shard, filled from several threads.
final class ShardResults: @unchecked Sendable {
    // Safety: `outcomes` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var outcomes: [Result<Int, Error>?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func record(_ shard: Int, _ body: () throws -> Int) {
        let outcome = Result { try body() }
        lock.lock()
        outcomes[shard] = outcome
        lock.unlock()
    }

    func total() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        var rows = 0
        for outcome in outcomes {
            guard let outcome else { continue }
            rows += try outcome.get()
        }
        return rows
    }
}

/// A schema name reckon cannot build into safely; checked before anything is touched.
public struct SchemaNameError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong with which name.
    public let message: String

    /// One sentence naming the schema and the rule.
    public var description: String { message }

    /// PostgreSQL's longest identifier, in bytes (longer names are silently truncated).
    public static let maximumIdentifierBytes = 63

    /// Checks the target, staging and functions schema names: not empty, `<target>__staging`
    /// at most 63 bytes (PostgreSQL would truncate it, possibly to the target's own name), no
    /// `pg_` prefix, and the target distinct from the source and functions schemas.
    public static func validate(targetSchema: String, sourceSchema: String, functionsSchema: String) throws {
        let staging = targetSchema + "__staging"
        if targetSchema.isEmpty { throw SchemaNameError(message: "the target schema name is empty; set target_schema") }
        if functionsSchema.isEmpty { throw SchemaNameError(message: "the functions schema name is empty; set functions_schema") }
        if staging.utf8.count > maximumIdentifierBytes {
            throw SchemaNameError(
                message:
                    "target schema '\(targetSchema)' is \(targetSchema.utf8.count) bytes; its staging schema '\(staging)' would be "
                    + "\(staging.utf8.count) bytes, more than PostgreSQL's \(maximumIdentifierBytes): use at most "
                    + "\(maximumIdentifierBytes - 9) bytes")
        }
        if functionsSchema.utf8.count > maximumIdentifierBytes {
            throw SchemaNameError(message: "functions schema '\(functionsSchema)' is longer than \(maximumIdentifierBytes) bytes")
        }
        for name in [targetSchema, functionsSchema] where name.lowercased().hasPrefix("pg_") {
            throw SchemaNameError(message: "schema '\(name)': names starting with pg_ are reserved by PostgreSQL")
        }
        for (other, what) in [(sourceSchema, "the source schema"), (functionsSchema, "the functions schema")] {
            if targetSchema == other || staging == other {
                throw SchemaNameError(
                    message: "target schema '\(targetSchema)' collides with \(what) '\(other)': publishing would replace its tables")
            }
        }
    }
}

/// The publish waited longer than `publish.lock_timeout` for other sessions' locks.
public struct PublishLockError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A session holding a lock on a mart.
    public struct Blocker: Sendable, Equatable {
        /// Its backend process id (`pg_terminate_backend` takes it).
        public let pid: Int
        /// Its user.
        public let user: String
        /// `active`, `idle in transaction` …
        public let state: String
        /// Its current or last query.
        public let query: String
    }

    /// The schema the publish was for.
    public let targetSchema: String
    /// The time-out that expired.
    public let timeoutSeconds: Int
    /// The sessions holding locks on the marts when the time-out expired.
    public let blockers: [Blocker]

    /// One sentence naming the blocking sessions and their queries.
    public var description: String {
        var text =
            "publish to \(targetSchema) waited \(timeoutSeconds) s (publish.lock_timeout) for locks on the marts and was rolled back; "
            + "nothing was published"
        if blockers.isEmpty { return text + "; the blocking session has ended since" }
        let sessions = blockers.map { blocker in
            let query = blocker.query.split(whereSeparator: \.isNewline).joined(separator: " ")
            let shortened = query.count > 200 ? String(query.prefix(197)) + "..." : query
            return "pid \(blocker.pid) (user \(blocker.user), \(blocker.state)): \(shortened)"
        }
        text += "; blocked by " + sessions.joined(separator: "; ")
        return text
    }
}
