import ArgumentParser
import Foundation

/// The `reckon` command: builds the attribution marts and audits them.
@main
struct Reckon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reckon",
        abstract: "Build the session-level marketing attribution marts in PostgreSQL and audit them.",
        discussion: """
            Exit codes: 0 success, 1 a check failed, 2 bad configuration, checks file or arguments, \
            3 database unreachable or SQL error, 130 interrupted (SIGINT), 143 interrupted (SIGTERM).
            """,
        version: CheckCommandSupport.version,
        subcommands: [
            Database.self, Generate.self, Doctor.self, Compile.self, Build.self, Check.self, Run.self, Report.self, SendEmail.self,
            Diff.self, Investigate.self, HistoryCommand.self,
        ])
}
