import ArgumentParser
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore

/// `reckon build`: build the marts into staging and publish them atomically.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the marts from the raw tables and publish them in one transaction.",
        discussion: """
            Models in models/ are built into <target>__staging; the mart_* tables are then moved \
            into the target schema in one transaction. A failed or interrupted build leaves the \
            published marts as they were. This runs no checks: `reckon run` is the gated version.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("target-schema"), help: "Schema to publish into (default: target_schema of reckon.yml).")
    var targetSchema: String?

    @Option(name: .customLong("jobs"), help: "Models built side by side (independent models only), 1 to 64.")
    var jobs = 2

    @OptionGroup var incremental: IncrementalOptions

    @Flag(
        name: .customLong("dry-run"),
        help: "With --incremental: print how many sessions and days each reason selects and the SQL that lists them; change nothing.")
    var dryRun = false

    @Flag(
        name: .customLong("verify"),
        help:
            "After building: build a full copy into <target>__verify, compare every mart (md5 in key order), print the differing keys, exit 1 on a difference."
    )
    var verify = false

    func validate() throws {
        try validateJobs(jobs)
        if (dryRun || incremental.full) && !incremental.incremental {
            throw ValidationError("--dry-run and --full go with --incremental")
        }
    }

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let project = try ModelProject.load(directory: configuration.modelsDirectory)
            let connectionString = try resolveConnectionString(configuration)
            let connection = try Connection.connect(connectionString)
            let target = targetSchema ?? configuration.targetSchema
            if dryRun {
                return try IncrementalCommands.dryRun(
                    connection: connection, configuration: configuration, project: project, targetSchema: target)
            }
            let plan = try BuildPlan.make(
                options: incremental, connection: connection, configuration: configuration, project: project,
                targetSchema: target, connectionString: connectionString, jobs: jobs)
            let builder = plan.builder
            defer { builder.unlock() }
            let start = Date()
            let steps = try plan.build()
            do {
                try plan.publish()
            } catch {
                plan.discard()
                throw error
            }
            Output.info(
                "published \(builder.publishedModels.joined(separator: ", ")) to \(builder.targetSchema) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
            )
            Output.info(BuildProgress.slowest(steps))
            if verify {
                return try IncrementalCommands.verify(
                    connection: connection, configuration: configuration, project: project, targetSchema: target,
                    connectionString: connectionString, jobs: jobs)
            }
            return 0
        }
    }
}

/// Prints one progress line per build statement on stderr.
enum BuildProgress {
    static func print(_ step: BuildStep) {
        Output.info(
            String(
                format: "  %@ %@ rows in %.2f s",
                step.name.count >= 46 ? step.name : step.name.padding(toLength: 46, withPad: " ", startingAt: 0),
                String(step.rows).leftPadded(10), step.seconds))
    }
}

extension BuildProgress {
    /// `slowest steps: a#1 12.3 s, b#2 4.0 s, …`: where a build spends its time.
    static func slowest(_ steps: [BuildStep], count: Int = 3) -> String {
        "slowest steps: "
            + steps.sorted { $0.seconds > $1.seconds }.prefix(count)
            .map { "\($0.name) \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", ")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// `--jobs` opens that many connections: 1 to 64.
func validateJobs(_ jobs: Int) throws {
    guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64, found \(jobs)") }
}
