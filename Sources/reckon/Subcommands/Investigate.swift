import ArgumentParser
import Foundation
import Investigation
import PostgresClient
import ReckonCore

/// `reckon investigate`: explain a change in the published mart.
struct Investigate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a change in the published mart (docs/investigate.md).",
        subcommands: [MatchRate.self])

    /// `reckon investigate match-rate`: why the Facebook match rate fell on a day.
    struct MatchRate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "match-rate",
            abstract: "Explain the Facebook match rate of a day (or range) against the days before it.",
            discussion: """
                Compares the Facebook-traffic sessions of --date (to --until) with the --baseline-days \
                days before and ranks the causes by the sessions each explains beyond the baseline: \
                unmatched utm_campaign / utm_content values (near misses of real names marked), ad_ids \
                unknown to facebook_ads, unreplaced {{…}} macros, empty and missing parameters per funnel. \
                Then which tier lost matches and a rate-versus-mix split by utm_source, campaign, funnel \
                and platform. Every finding carries example session ids and the SQL listing all of them \
                (in --json and --html). Exit codes: 0 done, 2 bad arguments or a date without data \
                (or without baseline), 3 database unreachable or the mart not built.
                """)

        @OptionGroup var common: CommonOptions

        @Option(help: "The day to investigate (YYYY-MM-DD, UTC session_date).")
        var date: String

        @Option(help: "Last day of the investigated range (default: --date).")
        var until: String?

        @Option(name: .customLong("baseline-days"), help: "Number of days before --date that form the baseline.")
        var baselineDays = 7

        @Option(name: .customLong("json"), help: "Write the complete result as JSON to this file.")
        var jsonPath: String?

        @Option(name: .customLong("html"), help: "Write the result as a self-contained HTML page to this file.")
        var htmlPath: String?

        @Option(name: .customLong("target-schema"), help: "Schema of the published mart (default: target_schema of reckon.yml).")
        var targetSchema: String?

        @Flag(name: .customLong("no-trigrams"), help: "Find near misses by the normalised-equality rules only, without pg_trgm.")
        var noTrigrams = false

        func run() async throws {
            await runReporting {
                let configuration = try common.loadConfiguration()
                let conninfo = try resolveConnectionString(configuration)
                let connection = try Connection.connect(conninfo)
                let investigator = MatchRateInvestigator(
                    configuration: configuration, targetSchema: targetSchema ?? configuration.targetSchema, date: date,
                    until: until, baselineDays: baselineDays, useTrigrams: !noTrigrams)
                let start = Date()
                let report: MatchRateReport
                do {
                    report = try investigator.run(on: connection)
                } catch let error as InvestigationError {
                    let code = error.kind == .martMissing ? ReckonExitCode.database : ReckonExitCode.badInput
                    throw CommandFailure(message: error.description, exitCode: code)
                }
                print(MatchRateRendering.summary(report), terminator: "")
                if let jsonPath { try MatchRateRendering.json(report).write(to: URL(fileURLWithPath: jsonPath)) }
                if let htmlPath {
                    let page = MatchRateRendering.html(report, generatedAt: Date(), reckonVersion: CheckCommandSupport.version)
                    try Data(page.utf8).write(to: URL(fileURLWithPath: htmlPath))
                }
                Output.info(String(format: "investigated in %.2f s", Date().timeIntervalSince(start)))
                return ReckonExitCode.success
            }
        }
    }
}
