import ArgumentParser
import Checks
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore

/// `reckon run`: the CI gate — build into staging, check staging, publish only if the checks pass.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the marts into staging, run the checks there, and publish only if no error check failed.",
        discussion: """
            Write-audit-publish: the models are built into <target>__staging, every check runs on \
            the staging marts, and the marts are published in one transaction only when no check \
            of severity error failed or errored. Otherwise the published marts stay as they were, \
            the rejected candidate stays in <target>__staging (where the failing-row SQL of each \
            check runs) until the next build, and the exit code is 1. Exit codes: 0 published, 1 a check \
            blocked publishing, 2 bad configuration, checks file, arguments or report path, 3 database \
            unreachable, SQL error in the build or publish.lock_timeout expired, 130/143 interrupted by \
            SIGINT/SIGTERM (never published).
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var reports: ReportOptions

    @Option(name: .customLong("select"), parsing: .upToNextOption, help: "Gate on only the checks with these names or tags.")
    var select: [String] = []

    @Option(name: .customLong("target-schema"), help: "Schema to publish into (default: target_schema of reckon.yml).")
    var targetSchema: String?

    @Option(name: .customLong("jobs"), help: "Models built side by side (independent models only), 1 to 64.")
    var jobs = 2

    @OptionGroup var incremental: IncrementalOptions

    func validate() throws {
        try validateJobs(jobs)
        if incremental.full && !incremental.incremental { throw ValidationError("--full goes with --incremental") }
    }

    /// The schema the checks run in, for the JSON result of a run that ended with an error.
    func stagingSchema(_ configuration: Configuration) -> String { (targetSchema ?? configuration.targetSchema) + "__staging" }

    func run() async throws {
        await runReportingResult(command: "run", common: common, reports: reports, checkedSchema: stagingSchema) {
            let configuration = try common.loadConfiguration()
            // Read the checks before building, so a bad checks file costs no build.
            let definitions = try CheckCommandSupport.loadChecks(configuration: configuration, select: select)
            try reports.checkWritable(configuration: configuration)
            let project = try ModelProject.load(directory: configuration.modelsDirectory)
            let conninfo = try resolveConnectionString(configuration)
            let connection = try Connection.connect(conninfo)
            let plan = try BuildPlan.make(
                options: incremental, connection: connection, configuration: configuration, project: project,
                targetSchema: targetSchema ?? configuration.targetSchema, connectionString: conninfo, jobs: jobs)
            let builder = plan.builder
            defer { builder.unlock() }
            let start = Date()
            let steps = try plan.build()
            Output.info(BuildProgress.slowest(steps))
            Output.info("built into \(builder.stagingSchema); running \(counted(definitions.count, "check")) there")
            let results: [CheckResult]
            do {
                results = try await CheckCommandSupport.runChecks(
                    definitions, conninfo: conninfo, configuration: configuration, schema: builder.stagingSchema,
                    fuse: true)
            } catch {
                plan.discard()
                throw error
            }
            var result = RunResult(
                reckonVersion: CheckCommandSupport.version, command: "run", startedAt: start,
                durationSeconds: Date().timeIntervalSince(start), database: ConnectionString.masked(conninfo),
                checkedSchema: builder.stagingSchema, modelsCommit: CheckCommandSupport.modelsCommit(configuration),
                published: false, checks: results)
            let blocking = CheckCommandSupport.blocking(result)
            // An interrupt cancels the running checks, which then count as errors; a cancelled
            // warn check must not let the run go on to publish.
            try CancellationRegistry.shared.checkInterrupted()
            if blocking.isEmpty {
                try plan.publish()
                result.published = true
            }
            // On failure the candidate stays in the staging schema, so the failing-row SQL of
            // each check can be pasted into psql; the next build replaces it.
            result.durationSeconds = Date().timeIntervalSince(start)
            HistoryRecording.record(&result, conninfo: conninfo, configuration: configuration)
            CheckSummary.print(result)
            do {
                try reports.write(result, configuration: configuration)
            } catch let error where result.published == true {
                throw CommandFailure(
                    message: "the marts were published to \(builder.targetSchema), but a report could not be written: \(error)",
                    exitCode: ReckonExitCode.badInput)
            }
            if blocking.isEmpty {
                Output.info("published \(builder.publishedModels.joined(separator: ", ")) to \(builder.targetSchema)")
                return ReckonExitCode.success
            }
            Output.info(
                "not published: \(blocking.map(\.name).joined(separator: ", ")) blocked it; \(builder.targetSchema) is unchanged;"
                    + " the candidate stays in \(builder.stagingSchema) for inspection until the next build")
            return ReckonExitCode.checkFailed
        }
    }
}
