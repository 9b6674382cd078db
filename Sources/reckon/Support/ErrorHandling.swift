import ArgumentParser
import EmbeddedPostgres
import Foundation
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

    /// The exit code for an error that ended a command.
    static func code(for error: Error) -> Int32 {
        switch error {
        case is InputFileError, is ReportError: return badInput
        case let error as PostgresError: return error.kind == .cancelled ? interrupted : database
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
func runReporting(_ body: () async throws -> Int32) async -> Never {
    installInterruptHandler()
    do {
        let code = try await body()
        exit(code)
    } catch {
        let text = ConnectionString.maskPasswordAssignments(String(describing: error))
        Output.info(Output.colored("error:", "31;1") + " " + text)
        exit(ReckonExitCode.code(for: error))
    }
}

// Safety: the source is created once and only resumed from the main command path.
nonisolated(unsafe) private let interruptSource: DispatchSourceSignal = {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
        Output.info("interrupted: cancelling running statements")
        CancellationRegistry.shared.cancelAll()
        // Leave even if no statement was running: nothing is published outside the one
        // publish transaction, which the server rolls back when the connection closes.
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { exit(ReckonExitCode.interrupted) }
    }
    return source
}()

/// Ctrl-C cancels the server-side statements too; the command then fails with code 130.
func installInterruptHandler() {
    interruptSource.resume()
}
