import ArgumentParser
import Foundation
import PostgresClient
import ReckonCore
import SampleData

/// `reckon generate`: realistic, deterministic sample data in every raw table.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and fill every raw table of the source contract with sample data.",
        discussion: """
            Drops and recreates the raw tables in the source schema (default raw) and streams \
            deterministic rows into them with COPY: the same --seed and --sessions give the same \
            data. The data holds every messy case docs/mart.md is written for. Prints rows/s per table.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Number of FunnelFox sessions to generate (1 to 100,000,000).")
    var sessions = 50_000

    func validate() throws {
        guard (1...100_000_000).contains(sessions) else {
            throw ValidationError("--sessions must be between 1 and 100000000, found \(sessions)")
        }
    }

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 42

    @Option(
        name: .customLong("incident"),
        help: ArgumentHelp(
            "Inject a named incident on a day after loading (repeatable; docs/investigate.md).",
            valueName: "NAME@YYYY-MM-DD"))
    var incidents: [String] = []

    @Option(name: .customLong("source-schema"), help: "Schema to create the raw tables in (default: sources.schema).")
    var sourceSchema: String?

    @Option(
        name: .customLong("until"),
        help: ArgumentHelp(
            "Keep only the rows that had arrived by the end of this UTC day; hold the rest back in <schema>__future for --next-day.",
            valueName: "YYYY-MM-DD"))
    var until: String?

    @Flag(
        name: .customLong("next-day"),
        help:
            "Generate nothing: deliver the next held-back day (its rows, a refund of an old charge, a renamed campaign, a deleted ad, a restated statistics row)."
    )
    var nextDay = false

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let incidents = try self.incidents.map { text in
                do { return try Incident(parsing: text) } catch {
                    throw CommandFailure(message: String(describing: error), exitCode: ReckonExitCode.badInput)
                }
            }
            let connectionString = try resolveConnectionString(configuration)
            let schema = sourceSchema ?? configuration.sourceSchema
            guard configuration.sourceTables.isEmpty || sourceSchema != nil else {
                throw CommandFailure(
                    message:
                        "reckon generate writes <schema>.<logical name> tables; sources.tables maps some sources elsewhere, so pass --source-schema explicitly",
                    exitCode: ReckonExitCode.badInput)
            }
            if nextDay {
                let day = try DailyReplayCommand.advance(connectionString: connectionString, schema: schema)
                Output.info("delivered \(day) into schema \(schema)")
                return 0
            }
            let generator = SampleDataGenerator(sessions: sessions, seed: seed, rawSchema: schema)
            let start = Date()
            let loads = try generator.generate(
                connect: { try Connection.connect(connectionString) },
                progress: { load in
                    Output.info(
                        String(
                            format: "  %@ %@ rows in %6.2f s  (%@ rows/s)",
                            load.table.padding(toLength: 28, withPad: " ", startingAt: 0), String(load.rows).leftPadded(10),
                            load.seconds, String(Int(Double(load.rows) / max(load.seconds, 0.001))).leftPadded(9)))
                })
            if !incidents.isEmpty {
                let connection = try Connection.connect(connectionString)
                let injector = IncidentInjector(rawSchema: schema)
                for incident in incidents {
                    do {
                        Output.info("  incident \(try injector.apply(incident, on: connection))")
                    } catch let error as SampleDataError {
                        throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
                    }
                }
            }
            try DailyReplayCommand.finish(connectionString: connectionString, schema: schema, until: until)
            let total = loads.reduce(0) { $0 + $1.rows }
            Output.info(
                "generated \(total) rows in \(loads.count) tables of schema \(schema) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s (seed \(seed), \(sessions) sessions)"
            )
            return 0
        }
    }
}
