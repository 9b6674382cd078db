import ArgumentParser
import Checks
import Email
import Foundation
import ReckonCore
import Reports

/// `reckon email`: the daily audit digest of a saved result, sent over SMTP or written to a file.
struct SendEmail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email",
        abstract: "Send the audit digest of a saved JSON result by email (or write it with --eml).",
        discussion: """
            Reads the JSON result of `reckon run --json F` or `reckon check --json F` (--result, else \
            reports.json of reckon.yml) and sends a multipart message: a plain-text and an HTML digest \
            (failures first, with sample rows and the SQL listing every failing row), optionally the \
            full HTML report attached. Settings: the email: section of reckon.yml (from, to, smtp_url, \
            smtp_tls, smtp_ca_file, report_url) and RECKON_SMTP_URL, RECKON_SMTP_PASSWORD, \
            RECKON_EMAIL_TO, RECKON_EMAIL_FROM. A result saying the database was unreachable is sent \
            too. One attempt, no retries. Exit codes: 0 sent (or written), 2 bad configuration, \
            arguments or result file, 3 the SMTP server refused or could not be reached.
            """)

    @Option(name: .customLong("config"), help: "Path of the configuration file (default: reckon.yml if present).")
    var configPath: String?

    @Option(name: .customLong("result"), help: "The saved JSON result (default: reports.json of reckon.yml).")
    var resultPath: String?

    @Option(name: .customLong("to"), help: "Recipients, comma-separated (default: email.to or RECKON_EMAIL_TO).")
    var to: String?

    @Option(name: .customLong("subject"), help: "Subject instead of the generated one (reckon: 2 failed, 1 warning — db/schema — day).")
    var subject: String?

    @Option(name: .customLong("eml"), help: "Write the message to this .eml file instead of sending it.")
    var emlPath: String?

    @Flag(name: .customLong("attach-report"), help: "Attach the full HTML report.")
    var attachReport = false

    @Option(
        name: .customLong("report-templates"),
        help: "Folder of *.mustache files for the attached report (default: ./reports when present).")
    var templatesDirectory: String?

    func run() async throws {
        await runReporting {
            let configuration = try Configuration.load(path: configPath, environment: ProcessInfo.processInfo.environment)
            var settings = configuration.email
            if let to { settings.to = [to] }
            guard let path = resultPath ?? configuration.jsonReportPath else {
                throw CommandFailure(
                    message: "no result to send: give --result F (the file of reckon run --json F) or set reports.json in reckon.yml",
                    exitCode: ReckonExitCode.badInput)
            }
            let result: RunResult
            do {
                result = try RunResult.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CommandFailure(message: "cannot read the JSON result \(path): \(error)", exitCode: ReckonExitCode.badInput)
            }
            var report: Data?
            if attachReport {
                let files = ReportFiles(templatesDirectory: templatesDirectory)
                do {
                    report = try HTMLReporter(
                        generatedAt: Date(), reckonVersion: result.reckonVersion, templatesDirectory: files.resolvedTemplatesDirectory
                    ).render(result)
                } catch let error as ReportError {
                    throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
                }
            }
            let email = DailyAuditEmail(settings: settings, subject: subject, attachedReport: report)
            let message: EmailMessage
            do {
                message = try email.message(for: result)
            } catch let error as EmailError {
                throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
            }
            if let emlPath {
                try Data(message.rendered().utf8).write(to: URL(fileURLWithPath: emlPath))
                print("wrote \(emlPath): \(message.subject)")
                return ReckonExitCode.success
            }
            do {
                try email.send(message)
            } catch let error as EmailError {
                let code = if case .sendFailed = error { ReckonExitCode.database } else { ReckonExitCode.badInput }
                throw CommandFailure(message: error.description, exitCode: code)
            }
            print("sent \"\(message.subject)\" to \(message.to.map(\.address).joined(separator: ", "))")
            return ReckonExitCode.success
        }
    }
}
