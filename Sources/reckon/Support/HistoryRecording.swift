import AuditHistory
import Checks
import Foundation
import PostgresClient
import ReckonCore

/// Records a finished `check` or `run` in the audit schema (docs/history.md). A history
/// that cannot be written is a warning on stderr and a note in the run's reports; it never
/// changes the verdict or the exit code.
enum HistoryRecording {
    static func record(_ result: inout RunResult, conninfo: String, configuration: Configuration) {
        let history = RunHistory(schema: configuration.auditSchema)
        let note: String
        do {
            let connection = try Connection.connect(conninfo)
            try history.record(result, exitCode: CheckCommandSupport.exitCode(result), on: connection)
            return
        } catch let error as PostgresError where error.sqlState == "42501" {
            note =
                "history is off: the database user may not create or write the audit schema \(configuration.auditSchema) "
                + "(\(error.message)); the checks ran as usual"
        } catch {
            note = "history not recorded in \(configuration.auditSchema): \(error)"
        }
        let text = ConnectionString.maskPasswordAssignments(note)
        Output.info(Output.colored("warning:", "33") + " " + text)
        result.notes = (result.notes ?? []) + [text]
    }
}
