import ArgumentParser
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData

/// `--incremental` and `--full` of `reckon build` and `reckon run` (docs/incremental.md).
struct IncrementalOptions: ParsableArguments {
    @Flag(
        name: .customLong("incremental"),
        help:
            "Rebuild only the affected sessions and days and apply them to the published marts (a full build when there is no state, the models or reckon's version changed)."
    )
    var incremental = false

    @Flag(name: .customLong("full"), help: "With --incremental: build everything (and record the state for the next run).")
    var full = false
}

/// How a build command builds, publishes and discards: the full way, or the incremental one.
struct BuildPlan {
    /// Builds into `<target>__staging` (full) or the delta plus candidate views (incremental).
    let build: () throws -> [BuildStep]
    /// Publishes (full) or applies the delta (incremental).
    let publish: () throws -> Void
    /// Drops what the build left (after a failed check run, nothing: see `reckon run`).
    let discard: () -> Void
    /// The builder that holds the target's lock.
    let builder: ModelBuilder
    /// The incremental build, when `--incremental`.
    let incremental: IncrementalBuild?

    /// The plan for `options`; takes the target's lock (the caller unlocks `builder`).
    static func make(
        options: IncrementalOptions, connection: Connection, configuration: Configuration, project: ModelProject,
        targetSchema: String, connectionString: String, jobs: Int
    ) throws -> BuildPlan {
        let incremental = IncrementalBuild(
            connection: connection, configuration: configuration, project: project, targetSchema: targetSchema,
            connectionString: connectionString, parallelism: jobs, reckonVersion: CheckCommandSupport.version)
        // Every publish records the incremental state, so that the next --incremental run
        // starts from it whatever made it.
        let builder = incremental.fullBuilder()
        try builder.lock(onWait: Output.info)
        let full = BuildPlan(
            build: {
                // A delta left by an incremental run whose candidate was rejected is obsolete now.
                incremental.discard()
                return try builder.build(progress: BuildProgress.print)
            }, publish: { try builder.publish() },
            discard: { builder.discardStaging() }, builder: builder, incremental: nil)
        guard options.incremental else { return full }
        switch try incremental.decide(forceFull: options.full) {
        case .full(let reason):
            Output.info("full build: \(reason)")
            builder.takesCensus = true
            return full
        case .incremental(let recorded):
            return BuildPlan(
                build: {
                    let counts = try incremental.prepare(recorded, progress: BuildProgress.print)
                    Output.info("incremental build: " + IncrementalReport.summary(counts))
                    let steps = try incremental.deltaBuilder(applyingEarly: BuildProgress.print).build(
                        progress: BuildProgress.print)
                    try incremental.createCandidate()
                    return steps
                },
                publish: { try incremental.apply(progress: BuildProgress.print) }, discard: { incremental.discard() }, builder: builder,
                incremental: incremental)
        }
    }
}

/// Text of the affected counts.
enum IncrementalReport {
    /// `1,234 sessions (new_sessions 1,000, …), 5 campaign days (…)`: the campaign days
    /// listed before the rebuild (the rebuilt rows' own are added to them).
    static func summary(_ counts: [IncrementalBuild.Count]) -> String {
        ["sessions", "campaign days"].map { what in
            let rows = counts.filter { $0.what == what }
            let total = rows.first { $0.reason == "total" }?.count ?? 0
            let reasons = rows.filter { $0.reason != "total" }.map { "\($0.reason) \(TextFormat.groupedDigits(String($0.count)))" }
            return "\(TextFormat.groupedDigits(String(total))) \(what)" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")
        }.joined(separator: ", ")
    }

    /// The table `--dry-run` prints.
    static func table(_ counts: [IncrementalBuild.Count]) -> String {
        var lines = ["what           reason                         count"]
        for count in counts {
            lines.append(
                count.what.padding(toLength: 15, withPad: " ", startingAt: 0)
                    + count.reason.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + TextFormat.groupedDigits(String(count.count)).leftPadded(10))
        }
        return lines.joined(separator: "\n")
    }
}

/// `reckon build --incremental --dry-run` and `reckon build --verify`.
enum IncrementalCommands {
    /// Prints whether the next `--incremental` build would be full or incremental, and for an
    /// incremental one the counts per reason and the SQL that lists the sessions and days.
    static func dryRun(connection: Connection, configuration: Configuration, project: ModelProject, targetSchema: String)
        throws -> Int32
    {
        let incremental = IncrementalBuild(
            connection: connection, configuration: configuration, project: project, targetSchema: targetSchema,
            connectionString: nil, parallelism: 1, reckonVersion: CheckCommandSupport.version)
        switch try incremental.decide(forceFull: false) {
        case .full(let reason):
            print("reckon build --incremental would run a full build: \(reason)")
        case .incremental(let recorded):
            let (counts, sql) = try incremental.dryRun(recorded)
            print("reckon build --incremental would rebuild " + IncrementalReport.summary(counts))
            print(IncrementalReport.table(counts))
            print("")
            print("-- The SQL that lists them (\(targetSchema)__staging holds these tables during a build):")
            print(sql.joined(separator: "\n\n"))
        }
        return ReckonExitCode.success
    }

    /// Builds a full copy into `<target>__verify`, compares each mart with the published one
    /// (md5 in key order), prints the differing keys and drops the copy; 1 when any differs.
    static func verify(
        connection: Connection, configuration: Configuration, project: ModelProject, targetSchema: String,
        connectionString: String, jobs: Int
    ) throws -> Int32 {
        let copy = targetSchema + "__verify"
        Output.info("verify: building a full copy into \(copy)")
        let builder = ModelBuilder(
            connection: connection, configuration: configuration, project: project, targetSchema: copy,
            connectionString: connectionString, parallelism: jobs)
        try builder.lock(onWait: Output.info)
        defer { builder.unlock() }
        defer { _ = try? connection.execute("drop schema if exists \(SQL.identifier(copy)) cascade", name: "drop verify copy") }
        _ = try builder.build(progress: { _ in })
        try builder.publish()
        let results = try IncrementalComparison.compare(
            marts: builder.publishedModels, schema: targetSchema, other: copy, on: connection)
        for result in results {
            if result.isEqual {
                print("\(result.mart): identical to a full build (md5 \(result.md5))")
            } else {
                print(
                    "\(result.mart): DIFFERS from a full build (md5 \(result.md5) vs \(result.otherMD5)); differing keys: "
                        + result.differingKeys.joined(separator: " "))
            }
        }
        return results.allSatisfy(\.isEqual) ? ReckonExitCode.success : ReckonExitCode.checkFailed
    }
}

/// `reckon generate --until` / `--next-day`: the day-by-day replay (docs/incremental.md).
enum DailyReplayCommand {
    /// Creates the indexes incremental builds read the sources through, then holds back
    /// the rows after `until` when given.
    static func finish(connectionString: String, schema: String, until: String?) throws {
        let connection = try Connection.connect(connectionString)
        if let until {
            do {
                try DailyReplay(rawSchema: schema).holdBack(after: until, on: connection)
            } catch let error as SampleDataError {
                throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
            }
        }
        for index in IncrementalSourceIndexes.statements(schema: schema) {
            _ = try CancellationRegistry.shared.whileRunning(connection) {
                try connection.execute(index.sql, name: "generate: index \(index.name)")
            }
        }
        guard let until else { return }
        Output.info("  held back the rows arriving after \(until) in \(schema)__future (reckon generate --next-day delivers them)")
    }

    /// Delivers the next held-back day; returns it.
    static func advance(connectionString: String, schema: String) throws -> String {
        let connection = try Connection.connect(connectionString)
        do {
            return try DailyReplay(rawSchema: schema).advance(on: connection)
        } catch let error as SampleDataError {
            throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
        }
    }
}
