import Checks
import Foundation
import PostgresClient
import ReckonCore

/// Runs the body of `reckon check` or `reckon run` like `runReporting`, and when it ends with
/// an error (database unreachable, an SQL error in the build, a bad checks file) still writes
/// the JSON result — no checks, `errorMessage` set — so a scheduled `reckon email` can say so.
func runReportingResult(
    command: String, common: CommonOptions, reports: ReportOptions, checkedSchema: @escaping (Configuration) -> String,
    _ body: () async throws -> Int32
) async -> Never {
    let start = Date()
    await runReporting {
        do {
            return try await body()
        } catch {
            writeErrorResult(
                error, command: command, start: start, common: common, reports: reports, checkedSchema: checkedSchema)
            throw error
        }
    }
}

/// Writes the JSON result of a run that ended with `error`, when a JSON path is known;
/// a failure to write is reported on stderr and does not replace the original error.
private func writeErrorResult(
    _ error: Error, command: String, start: Date, common: CommonOptions, reports: ReportOptions,
    checkedSchema: (Configuration) -> String
) {
    let configuration = try? common.loadConfiguration()
    guard let path = reports.jsonPath ?? configuration?.jsonReportPath else { return }
    // A destination that cannot be written was the error itself (or will fail the same way):
    // the error message already says why.
    guard ReportDestination.problem(path) == nil else { return }
    let database = configuration?.connection.map(ConnectionString.masked) ?? "(embedded cluster or PG* variables)"
    let result = RunResult(
        reckonVersion: CheckCommandSupport.version, command: command, startedAt: start,
        durationSeconds: Date().timeIntervalSince(start), database: database,
        checkedSchema: configuration.map(checkedSchema) ?? "", published: command == "run" ? false : nil, checks: [],
        errorMessage: ConnectionString.maskPasswordAssignments(String(describing: error)))
    do {
        try result.jsonData().write(to: URL(fileURLWithPath: path))
    } catch let writeError {
        Output.info("could not write the JSON result \(path): \(ReportDestination.reason(writeError))")
    }
}
