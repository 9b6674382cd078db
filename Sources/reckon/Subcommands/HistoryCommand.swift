import ArgumentParser
import AuditHistory
import Foundation
import PostgresClient
import ReckonCore

/// `reckon history`: the runs recorded in the audit schema, and pruning them.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the recorded check runs, or one check's results over time (docs/history.md).",
        subcommands: [List.self, Prune.self], defaultSubcommand: List.self)

    /// `reckon history [list]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the last runs, or with --check one check's results run by run, newest first.",
            discussion: "Exit codes: 0 listed, 2 bad arguments or no history recorded yet, 3 database unreachable.")

        @OptionGroup var common: CommonOptions

        @Option(name: .customLong("check"), help: "Show this check's status and figures per run.")
        var check: String?

        @Option(name: .customLong("last"), help: "Number of runs to show.")
        var last = 20

        @Flag(name: .customLong("json"), help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            await runReporting {
                guard last > 0 else { throw CommandFailure(message: "--last must be positive", exitCode: ReckonExitCode.badInput) }
                let configuration = try common.loadConfiguration()
                let connection = try Connection.connect(try resolveConnectionString(configuration))
                let history = RunHistory(schema: configuration.auditSchema)
                guard try history.exists(on: connection) else {
                    throw CommandFailure(
                        message: "no history in \(configuration.auditSchema): no reckon check or reckon run recorded there yet",
                        exitCode: ReckonExitCode.badInput)
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                if let check {
                    let entries = try history.check(check, limit: last, on: connection)
                    if json {
                        print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    } else if entries.isEmpty {
                        print("no recorded result of check \(check)")
                    } else {
                        print("started               status  failing rows  observed")
                        for entry in entries {
                            let rows = entry.failingRows.map(String.init) ?? "-"
                            print(
                                "\(entry.startedAt.padding(toLength: 21, withPad: " ", startingAt: 0)) "
                                    + "\(entry.status.padding(toLength: 6, withPad: " ", startingAt: 0)) \(rows.leftPadded(13))  "
                                    + "\(entry.observed ?? "")")
                        }
                    }
                } else {
                    let runs = try history.runs(limit: last, on: connection)
                    if json {
                        print(String(decoding: try encoder.encode(runs), as: UTF8.self))
                    } else {
                        print("started               command  status  exit  pass  warn  fail  error  schema")
                        for run in runs {
                            print(
                                "\(run.startedAt.padding(toLength: 21, withPad: " ", startingAt: 0)) "
                                    + "\(run.command.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                                    + "\(run.status.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                                    + "\(String(run.exitCode).leftPadded(4))  \(String(run.passed).leftPadded(4))  "
                                    + "\(String(run.warned).leftPadded(4))  \(String(run.failed).leftPadded(4))  "
                                    + "\(String(run.errored).leftPadded(5))  \(run.checkedSchema)")
                        }
                    }
                }
                return ReckonExitCode.success
            }
        }
    }

    /// `reckon history prune --keep-days N`.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the runs (with their results and metrics) that started more than --keep-days days ago.")

        @OptionGroup var common: CommonOptions

        @Option(name: .customLong("keep-days"), help: "Keep the runs of the last N days.")
        var keepDays: Int

        func run() async throws {
            await runReporting {
                guard keepDays >= 0 else {
                    throw CommandFailure(message: "--keep-days must not be negative", exitCode: ReckonExitCode.badInput)
                }
                let configuration = try common.loadConfiguration()
                let connection = try Connection.connect(try resolveConnectionString(configuration))
                let history = RunHistory(schema: configuration.auditSchema)
                guard try history.exists(on: connection) else {
                    print("no history in \(configuration.auditSchema): nothing to prune")
                    return ReckonExitCode.success
                }
                let deleted = try history.prune(keepDays: keepDays, on: connection)
                print("deleted \(deleted) run\(deleted == 1 ? "" : "s") older than \(keepDays) days from \(configuration.auditSchema)")
                return ReckonExitCode.success
            }
        }
    }
}
