import ArgumentParser
import EmbeddedPostgres
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import Reports

/// reckon's documented exit codes, decided here and nowhere else.
enum ReckonExitCode {
    static let success: Int32 = 0
    static let checkFailed: Int32 = 1
    static let badInput: Int32 = 2
    static let database: Int32 = 3
    static let interrupted: Int32 = 130

    /// 128 + the signal number, the shell's convention: 130 for SIGINT, 143 for SIGTERM.
    static func interrupted(by signal: Int32) -> Int32 { 128 + signal }

    /// The exit code for an error that ended a command.
    static func code(for error: Error) -> Int32 {
        switch error {
        case is InputFileError, is ReportError, is ConnectionStringError, is SchemaNameError: return badInput
        case let error as InterruptedError: return interrupted(by: error.signal)
        case is PostgresError: return database
        case is SourceContractError, is EmbeddedClusterError: return database
        case let error as CommandFailure: return error.exitCode
        default: return database
        }
    }
}

/// A failure a command reports itself, with its exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32
    var description: String { message }
}

/// Runs a command body, printing an error as one clear line (no stack dump, no password)
/// and exiting with the documented code.
///
/// After SIGINT or SIGTERM a command that did not complete exits with 130 or 143, whatever
/// error its cancelled statements caused: the interrupt is a state every command honours
/// (nothing is started, and nothing published, after it).
func runReporting(_ body: () async throws -> Int32) async -> Never {
    installInterruptHandler()
    do {
        let code = try await body()
        // A command that completed (exit 0) before the interrupt took effect did its whole job.
        if code != ReckonExitCode.success, let signal = CancellationRegistry.shared.interruptSignal {
            exitInterrupted(signal)
        }
        exit(code)
    } catch {
        if let signal = CancellationRegistry.shared.interruptSignal { exitInterrupted(signal) }
        let text = ConnectionString.redacted(String(describing: error))
        Output.info(Output.colored("error:", "31;1") + " " + text)
        exit(ReckonExitCode.code(for: error))
    }
}

/// Says what an interrupt left behind and exits with 128 + the signal number.
private func exitInterrupted(_ signal: Int32) -> Never {
    Output.info("error: \(InterruptedError(signal: signal).description)")
    exit(ReckonExitCode.interrupted(by: signal))
}

// Safety: the sources are created once and only resumed from the main command path.
nonisolated(unsafe) private let interruptSources: [DispatchSourceSignal] = [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        if CancellationRegistry.shared.interruptSignal != nil {
            // A second signal: leave now. Nothing uncommitted survives the closed connections,
            // and the publish commits only when reckon itself sends its `commit`.
            exit(ReckonExitCode.interrupted(by: CancellationRegistry.shared.interruptSignal ?? number))
        }
        Output.info("interrupted: cancelling running statements")
        CancellationRegistry.shared.interrupt(signal: number)
        // The command normally unwinds at once (its statements fail as cancelled). Leave
        // anyway if it is stuck outside a statement, e.g. opening a connection.
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) { exitInterrupted(number) }
    }
    return source
}

/// SIGINT and SIGTERM cancel the server-side statements too; the command then fails with
/// 130 (SIGINT) or 143 (SIGTERM).
func installInterruptHandler() {
    for source in interruptSources { source.resume() }
}
