import Foundation
import PostgresClient
import ReckonCore

/// `reckon build --incremental` and `reckon run --incremental` (docs/incremental.md).
///
/// Decides between a full and an incremental build from the state of the last publish;
/// for an incremental one, lists the affected sessions and days into `<target>__staging`,
/// builds the models for them only into `<target>__delta` (`BuildScope.sessions`), exposes
/// the candidate marts as views in `<target>__staging` (published rows not affected, plus
/// the rebuilt ones) for the checks, and applies the delta in one transaction that also
/// records the new state. Until that transaction commits the published marts are untouched.
public final class IncrementalBuild: @unchecked Sendable {
    // Safety: used by one task at a time; the connection is never shared.
    private let connection: Connection
    private let configuration: Configuration
    private let project: ModelProject
    private let connectionString: String?
    private let parallelism: Int
    /// The schema the marts are published to.
    public let targetSchema: String
    /// The state this build reads and records.
    public let state: IncrementalState

    /// Creates an incremental build of `targetSchema`.
    public init(
        connection: Connection, configuration: Configuration, project: ModelProject, targetSchema: String,
        connectionString: String?, parallelism: Int, reckonVersion: String
    ) {
        self.connection = connection
        self.configuration = configuration
        self.project = project
        self.targetSchema = targetSchema
        self.connectionString = connectionString
        self.parallelism = parallelism
        self.state = IncrementalState(
            configuration: configuration, project: project, targetSchema: targetSchema, reckonVersion: reckonVersion)
    }

    /// The schema of the affected sets and the candidate views.
    public var stagingSchema: String { targetSchema + "__staging" }
    /// The schema the rebuilt rows are built into.
    public var deltaSchema: String { targetSchema + "__delta" }

    /// The published per-session marts (replaced by session).
    public var sessionMarts: [String] {
        project.models.filter { $0.isPublished && $0.header.grain == "session_id" }.map(\.name)
    }
    /// The published marts of another grain, keyed by `date` and `facebook_campaign_id`
    /// (replaced by campaign day).
    public var dailyMarts: [String] {
        project.models.filter { $0.isPublished && $0.header.grain != "session_id" }.map(\.name)
    }

    /// A builder of the full marts that records the incremental state when it publishes.
    public func fullBuilder() -> ModelBuilder {
        let builder = ModelBuilder(
            connection: connection, configuration: configuration, project: project, targetSchema: targetSchema,
            connectionString: connectionString, parallelism: parallelism)
        builder.incrementalState = state
        return builder
    }

    /// The scope of the delta build.
    public var scope: SessionScope {
        SessionScope(
            deltaSchema: deltaSchema, targetSchema: targetSchema,
            affectedSessions: SQL.qualified(schema: stagingSchema, name: "affected_sessions"),
            affectedDayKeys: SQL.qualified(schema: stagingSchema, name: "affected_day_keys"),
            dailyKeysTable: SQL.qualified(schema: stagingSchema, name: "daily_campaign_days"),
            sessionModels: Set(project.models.filter { $0.header.grain == "session_id" }.map(\.name)),
            publishedModels: Set(project.models.filter(\.isPublished).map(\.name)),
            timeZone: configuration.adAccountTimeZone)
    }

    /// A builder of the delta: the models for the affected sessions and days only. Once the
    /// per-session marts are rebuilt, the daily marts' campaign days are completed with the
    /// rebuilt rows' (`SessionScope.dailyKeys`) before the daily marts are built.
    ///
    /// With `applyingEarly` (and a second connection allowed: `parallelism` above 1 and a
    /// connection string), the apply's transaction is opened on a connection of its own as
    /// the build starts (`ApplyTransaction`): it records the new state and deletes the affected
    /// sessions' published rows while the models are built, and inserts the per-session
    /// marts' rebuilt rows as soon as they are built, while the
    /// daily marts are built (and `reckon run` runs its checks). `apply` then adds the daily
    /// marts' rows and commits; `discard` rolls it back. `applyingEarly` gets its progress.
    public func deltaBuilder(applyingEarly progress: (@Sendable (BuildStep) -> Void)? = nil) throws -> ModelBuilder {
        let builder = fullBuilder()
        let scope = self.scope
        builder.scope = .sessions(scope)
        builder.extraSteps = [
            ModelBuilder.ExtraStep(
                name: "affected campaign days of the rebuilt rows", after: sessionMarts, before: dailyMarts,
                statements: scope.dailyKeysStatements)
        ]
        applyTransaction?.abandon()
        applyTransaction = nil
        if let progress, let connectionString, parallelism > 1 {
            let transaction = try ApplyTransaction(
                connectionString: connectionString, lockTimeoutMilliseconds: configuration.publishLockTimeoutSeconds * 1000,
                setup: state.createStatements, progress: progress)
            applyTransaction = transaction
            // The state snapshot the record reads is taken before the models start, and the
            // affected sessions (whose published rows go) are listed before the build. The build's
            // connections are busy with the first models: this starts once one of them
            // finds no model ready (the per-session aggregates wait for the events), not
            // beside them.
            let first = try stateStatements(creatingTables: false) + sessionMartStatements(.delete)
            let rebuilt = sessionMartStatements(.insert)
            builder.extraSteps += [
                ModelBuilder.ExtraStep(name: "apply: the state", after: [], whenIdle: true) { transaction.enqueue(first) },
                // After the deletes, whatever the connections were busy with.
                ModelBuilder.ExtraStep(name: "apply: the per-session marts", after: sessionMarts + ["apply: the state"]) {
                    transaction.enqueue(rebuilt)
                },
            ]
        }
        return builder
    }

    /// The apply's transaction when `deltaBuilder(applyingEarly:)` opened one.
    private var applyTransaction: ApplyTransaction?

    /// The statements that replace the per-session marts' rows of the affected sessions by
    /// the rebuilt ones (a session the rebuild left out, gone from the sources, loses its row).
    /// `parts`: the deletes, the inserts, or both (per mart, delete then insert).
    func sessionMartStatements(_ parts: SessionMartParts = .both) -> [String] {
        let sessions = SQL.qualified(schema: stagingSchema, name: "affected_sessions")
        return sessionMarts.flatMap { mart in
            let published = SQL.qualified(schema: targetSchema, name: mart)
            // `= any(array(…))`: the primary key's index finds the rows; a semi-join would
            // scan the whole mart.
            let delete = "delete from \(published) t where t.session_id = any(array(select session_id from \(sessions)))"
            let insert = "insert into \(published) select * from \(SQL.qualified(schema: deltaSchema, name: mart))"
            switch parts {
            case .delete: return [delete]
            case .insert: return [insert]
            case .both: return [delete, insert]
            }
        }
    }

    /// Which statements `sessionMartStatements(_:)` gives.
    enum SessionMartParts { case delete, insert, both }

    /// The statements that replace the daily marts' rows of the rebuilt campaign days.
    func dailyMartStatements() -> [String] {
        let dailyKeys = scope.dailyKeys
        return dailyMarts.flatMap { mart in
            let published = SQL.qualified(schema: targetSchema, name: mart)
            return [
                "delete from \(published) t where (t.date, t.facebook_campaign_id::text) in (select day, facebook_campaign_id from \(dailyKeys) k)",
                "insert into \(published) select * from \(SQL.qualified(schema: deltaSchema, name: mart))",
            ]
        }
    }

    /// The statements that record the new state (read from the delta schema's snapshot and
    /// the listing's census).
    func stateStatements(creatingTables: Bool = true) throws -> [String] {
        state.recordStatements(
            from: deltaSchema, modelsHash: try state.modelsHash(on: connection), kind: "incremental",
            census: AffectedSessions.census(in: stagingSchema), creatingTables: creatingTables)
    }

    /// Full or incremental, and why.
    public enum Decision: Sendable, Equatable {
        /// A full build, for the reason given.
        case full(String)
        /// An incremental build from the recorded state.
        case incremental(IncrementalState.Recorded)
    }

    /// Whether this run can be incremental: there is a recorded state for the target, the
    /// models and reckon's version are those it was recorded with, and the marts exist.
    public func decide(forceFull: Bool) throws -> Decision {
        if forceFull { return .full("--full") }
        guard let recorded = try state.recorded(on: connection) else {
            return .full("no incremental state for \(targetSchema) in \(configuration.auditSchema) (first run)")
        }
        if recorded.modelsHash != (try state.modelsHash(on: connection)) {
            return .full("the models or their configuration changed since the last publish")
        }
        if recorded.reckonVersion != state.reckonVersion {
            return .full("reckon's version changed (\(recorded.reckonVersion) → \(state.reckonVersion))")
        }
        for mart in sessionMarts + dailyMarts {
            let exists = try connection.execute(
                "select to_regclass($1) is not null", name: "published mart", [SQL.qualified(schema: targetSchema, name: mart)]
            ).scalar(as: Bool.self)
            if exists != true { return .full("the published mart \(targetSchema).\(mart) is missing") }
        }
        return .incremental(recorded)
    }

    /// The queries that list the affected sessions and days.
    public func affected(_ recorded: IncrementalState.Recorded) -> AffectedSessions {
        AffectedSessions(
            state: state, recorded: recorded, lookbackDays: configuration.incrementalLookbackDays,
            attributionMart: sessionMarts.first ?? "mart_marketing_attribution", dailyMarts: dailyMarts)
    }

    /// One reason's count.
    public struct Count: Sendable, Equatable {
        /// `sessions` or `days`.
        public let what: String
        /// The reason, or `total`.
        public let reason: String
        /// Sessions or days it selects.
        public let count: Int
    }

    /// Lists the affected sessions and days into temporary tables and counts them per reason;
    /// changes nothing. Returns the counts and the SQL that lists them.
    public func dryRun(_ recorded: IncrementalState.Recorded) throws -> (counts: [Count], sql: [String]) {
        let statements = affected(recorded).statements(into: stagingSchema, temporary: true)
        for statement in statements {
            _ = try CancellationRegistry.shared.whileRunning(connection) {
                try connection.execute(statement.sql, name: statement.name)
            }
        }
        let counts = try readCounts(schema: nil)
        for table in [
            "changed_dimensions", "affected_reasons", "recent_events_window", "recent_event_counts",
            "recent_rows_windows",
            "recent_rows", "affected_recent_sessions",
            "affected_sessions", "affected_day_reasons", "affected_day_keys", "recent_statistics", "recent_statistics_window",
        ] {
            _ = try? connection.execute("drop table if exists pg_temp.\(SQL.identifier(table))", name: "dry run cleanup")
        }
        return (counts, statements.map { "-- \($0.name)\n\($0.sql);" })
    }

    private func readCounts(schema: String?) throws -> [Count] {
        try connection.execute(AffectedSessions.countsSQL(in: schema), name: "affected counts").rows.map { row in
            Count(what: row[0] ?? "", reason: row[1] ?? "", count: Int(row[2] ?? "") ?? 0)
        }
    }

    /// Lists the affected sessions and days into a fresh `<target>__staging`; returns the counts.
    public func prepare(_ recorded: IncrementalState.Recorded, progress: @escaping @Sendable (BuildStep) -> Void) throws
        -> [Count]
    {
        let recorder = StepRecorder(progress: progress)
        try recorder.run("prepare staging schema", on: connection) {
            try connection.executeScript(
                """
                drop schema if exists \(SQL.identifier(stagingSchema)) cascade;
                create schema \(SQL.identifier(stagingSchema));
                """, name: "prepare staging schema")
            return 0
        }
        do {
            let affected = affected(recorded)
            var madeIndexes = false
            for index in affected.lookupIndexes() {
                let exists = try connection.execute(
                    "select to_regclass($1) is not null", name: index.name, [index.index]
                ).scalar(as: Bool.self)
                guard exists != true else { continue }
                try recorder.run(index.name, on: connection) { try connection.execute(index.sql, name: index.name).affectedRows }
                madeIndexes = true
            }
            // A mart a full build just published has no page marked all-visible until
            // autovacuum gets to it, so the daily lookup index's reads would fetch every row
            // from the heap: vacuum it once, with its indexes (docs/incremental.md).
            if madeIndexes {
                let mart = SQL.qualified(schema: targetSchema, name: affected.attributionMart)
                try recorder.run("vacuum \(affected.attributionMart)", on: connection) {
                    try connection.execute("vacuum \(mart)", name: "vacuum published mart").affectedRows
                }
            }
            let plan = affected.plan(into: stagingSchema)
            try runSideBySide(plan.lanes, recorder: recorder)
            for statement in plan.then {
                try recorder.run(statement.name, on: connection) {
                    try connection.execute(statement.sql, name: statement.name).affectedRows
                }
            }
            return try readCounts(schema: stagingSchema)
        } catch {
            discard()
            throw error
        }
    }

    /// Runs each lane's statements in order, the first lane on this connection and the others
    /// on their own (with `parallelism` above 1 and a connection string; otherwise one after
    /// the other here). Throws the first error, after every lane stopped.
    private func runSideBySide(_ lanes: [[(name: String, sql: String)]], recorder: StepRecorder) throws {
        guard let connectionString, parallelism > 1, lanes.count > 1 else {
            for lane in lanes { try Self.run(lane, on: connection, recorder: recorder) }
            return
        }
        let results = ShardResults(count: lanes.count)
        let group = DispatchGroup()
        for index in lanes.indices.dropFirst() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                results.record(index) {
                    let worker = try Connection.connect(connectionString)
                    try Self.run(lanes[index], on: worker, recorder: recorder)
                    return 0
                }
            }
        }
        results.record(0) {
            try Self.run(lanes[0], on: connection, recorder: recorder)
            return 0
        }
        group.wait()
        _ = try results.total()
    }

    private static func run(_ lane: [(name: String, sql: String)], on worker: Connection, recorder: StepRecorder) throws {
        for statement in lane {
            try recorder.run(statement.name, on: worker) {
                try worker.execute(statement.sql, name: statement.name).affectedRows
            }
        }
    }

    /// Creates the candidate marts in `<target>__staging` as views over the published marts
    /// and the delta, where the checks run.
    public func createCandidate() throws {
        let scope = self.scope
        do {
            for mart in sessionMarts {
                try connection.execute(
                    "create view \(SQL.qualified(schema: stagingSchema, name: mart)) as \(scope.candidate(of: mart))",
                    name: "candidate \(mart)")
            }
            for mart in dailyMarts {
                try connection.execute(
                    "create view \(SQL.qualified(schema: stagingSchema, name: mart)) as \(scope.candidateDaily(of: mart))",
                    name: "candidate \(mart)")
            }
        } catch {
            discard()
            throw error
        }
    }

    /// Applies the delta to the published marts in one transaction (delete the affected
    /// sessions' and campaign days' rows, insert the rebuilt ones, record the state), then drops the
    /// staging and delta schemas. As `ModelBuilder.publish`: `commit` is sent last, only when
    /// not interrupted, and the transaction waits at most `publish.lock_timeout` for locks.
    /// When `deltaBuilder(applyingEarly:)` opened the transaction, this adds the daily marts'
    /// rows to it and commits; otherwise it runs the whole transaction here.
    /// `progress` gets one step per statement of the transaction.
    public func apply(progress: @escaping @Sendable (BuildStep) -> Void = { _ in }) throws {
        try CancellationRegistry.shared.checkInterrupted()
        if let transaction = applyTransaction {
            applyTransaction = nil
            do {
                try transaction.commit(after: dailyMartStatements())
            } catch {
                // Rolled back: the blockers a lock time-out lists are other sessions'.
                throw fullBuilder().publishError(error)
            }
        } else {
            let statements = sessionMartStatements() + dailyMartStatements() + (try stateStatements())
            try fullBuilder().runPublishingTransaction(statements, name: "apply", progress: progress)
        }
        discard()
    }

    /// Drops the staging and delta schemas.
    public func discard() {
        // Its locks on the delta's tables would hold up their drop.
        applyTransaction?.abandon()
        applyTransaction = nil
        _ = try? connection.execute("drop schema if exists \(SQL.identifier(stagingSchema)) cascade", name: "drop staging")
        _ = try? connection.execute("drop schema if exists \(SQL.identifier(deltaSchema)) cascade", name: "drop delta")
    }
}

/// Compares the marts of two schemas row by row: what `--verify` and the tests check.
public enum IncrementalComparison {
    /// One mart's comparison.
    public struct Result: Sendable, Equatable {
        /// The mart.
        public let mart: String
        /// md5 of its rows in key order, in the first schema.
        public let md5: String
        /// The same in the second schema.
        public let otherMD5: String
        /// Keys (as row text) whose rows differ or exist on one side only, at most `limit`.
        public let differingKeys: [String]
        /// Whether both sides hold the same rows.
        public var isEqual: Bool { md5 == otherMD5 }
    }

    /// The primary key columns of `schema.table` (its `session_id` … as declared).
    static func keyColumns(of table: String, on connection: Connection) throws -> [String] {
        let rows = try connection.execute(
            """
            select a.attname from pg_index i
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where i.indrelid = $1::regclass and i.indisprimary
            order by array_position(i.indkey, a.attnum)
            """, name: "mart key", [table]
        ).rows
        return rows.compactMap { $0[0] }
    }

    /// md5 per mart in key order, and up to `limit` differing keys, of `marts` in `schema` and `other`.
    public static func compare(
        marts: [String], schema: String, other: String, on connection: Connection, limit: Int = 20
    ) throws -> [Result] {
        try marts.map { mart in
            let first = SQL.qualified(schema: schema, name: mart)
            let second = SQL.qualified(schema: other, name: mart)
            var key = try keyColumns(of: first, on: connection).map { "t." + SQL.identifier($0) }
            if key.isEmpty { key = ["t::text"] }
            let order = key.joined(separator: ", ")
            func md5(_ table: String) throws -> String {
                try connection.execute(
                    "select coalesce(md5(string_agg(md5(t::text), '' order by \(order))), '') from \(table) t", name: "mart md5"
                ).scalar(as: String.self) ?? ""
            }
            let keyText = "row(\(order))::text"
            let differing = try connection.execute(
                """
                select k from (
                  (select \(keyText) as k, md5(t::text) from \(first) t except select \(keyText), md5(t::text) from \(second) t)
                  union
                  (select \(keyText), md5(t::text) from \(second) t except select \(keyText), md5(t::text) from \(first) t)
                ) d group by k order by k limit \(limit)
                """, name: "mart differences"
            ).rows.compactMap { $0[0] }
            return Result(mart: mart, md5: try md5(first), otherMD5: try md5(second), differingKeys: differing)
        }
    }
}
