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

    /// Creates a builder on `connection`, which it uses for the whole build and publish.
    public init(connection: Connection, configuration: Configuration, project: ModelProject, targetSchema: String) {
        self.connection = connection
        self.configuration = configuration
        self.project = project
        self.targetSchema = targetSchema
    }

    /// Takes the per-target advisory lock, waiting (and saying so) while another build holds it.
    public func lock(onWait: (String) -> Void) throws {
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
    ///
    /// Missing sources stop the build before anything is created, listing all problems.
    public func build(progress: (BuildStep) -> Void) throws -> [BuildStep] {
        let problems = try SourceContract.problems(configuration: configuration, connection: connection)
        guard problems.isEmpty else { throw SourceContractError(problems: problems) }

        let renderer = TemplateRenderer(
            configuration: configuration, buildSchema: stagingSchema, modelNames: Set(project.models.map(\.name)))
        // Render everything first: a template error stops the build before any SQL runs.
        let functionsSQL = try project.functionsSQL.map {
            try renderer.render($0, file: project.directory + "/functions.sql", model: nil)
        }
        let rendered = try project.models.map { model in
            (model, StatementSplitter.split(try renderer.render(model.sql, file: model.path, model: model.name)))
        }

        for setting in [
            "set work_mem = \(SQL.literal(configuration.buildWorkMemory))", "set jit = off",
            "set synchronous_commit = off", "set max_parallel_workers_per_gather = 2",
        ] {
            try connection.execute(setting, name: "build settings")
        }
        var steps: [BuildStep] = []
        func run(_ name: String, _ body: () throws -> Int) throws {
            let start = DispatchTime.now()
            let rows = try CancellationRegistry.shared.whileRunning(connection, body)
            let step = BuildStep(
                name: name, rows: rows, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            steps.append(step)
            progress(step)
        }
        try run("prepare staging schema") {
            try connection.executeScript(
                """
                drop schema if exists \(SQL.identifier(stagingSchema)) cascade;
                create schema \(SQL.identifier(stagingSchema));
                create schema if not exists \(SQL.identifier(configuration.functionsSchema));
                """, name: "prepare staging schema")
            return 0
        }
        if let functionsSQL {
            try run("functions") {
                try connection.executeScript(functionsSQL, name: "functions.sql")
                return 0
            }
        }
        for (model, statements) in rendered {
            for (index, statement) in statements.enumerated() {
                let name = statements.count == 1 ? model.name : "\(model.name)#\(index + 1)"
                try run(name) {
                    do {
                        return try connection.execute(statement.text, name: name).affectedRows
                    } catch var error as PostgresError {
                        error.statementName = "\(name) (\(model.path):\(statement.line))"
                        throw error
                    }
                }
            }
        }
        return steps
    }

    /// The published models (tables named `mart_*`).
    public var publishedModels: [String] { project.models.filter(\.isPublished).map(\.name) }

    /// Moves the marts from staging into the target schema in one transaction, then drops
    /// the staging schema with the intermediate models.
    public func publish() throws {
        var script = "begin;\ncreate schema if not exists \(SQL.identifier(targetSchema));\n"
        for name in publishedModels {
            script += "drop table if exists \(SQL.qualified(schema: targetSchema, name: name)) cascade;\n"
            script += "alter table \(SQL.qualified(schema: stagingSchema, name: name)) set schema \(SQL.identifier(targetSchema));\n"
        }
        script += "commit;"
        do {
            try connection.executeScript(script, name: "publish")
        } catch {
            _ = try? connection.execute("rollback", name: "publish rollback")
            throw error
        }
        try connection.execute("drop schema if exists \(SQL.identifier(stagingSchema)) cascade", name: "drop staging")
    }

    /// Drops the staging schema (after a failed build or failed checks).
    public func discardStaging() {
        _ = try? connection.execute("drop schema if exists \(SQL.identifier(stagingSchema)) cascade", name: "drop staging")
    }
}
