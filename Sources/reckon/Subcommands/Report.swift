import ArgumentParser
import Checks
import Foundation
import ReckonCore
import Reports

/// `reckon report`: renders the JUnit and HTML reports again from a saved JSON result.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the JUnit XML and/or HTML report of a saved JSON result.",
        discussion: """
            Reads the file written by `reckon check --json F` or `reckon run --json F` and writes the \
            reports without touching the database. With neither --junit nor --html, the paths of the \
            `reports:` section of reckon.yml are used. The HTML report uses the templates in \
            --report-templates, else ./reports when it holds report.mustache, else the built-in ones.
            """)

    @Argument(help: "The saved JSON result.")
    var resultPath: String

    @Option(name: .customLong("junit"), help: "Write a JUnit XML report to this file.")
    var junitPath: String?

    @Option(name: .customLong("html"), help: "Write a self-contained HTML report to this file.")
    var htmlPath: String?

    @Option(
        name: .customLong("report-templates"),
        help: "Folder of *.mustache files replacing the HTML report's default templates (default: ./reports when present).")
    var templatesDirectory: String?

    @Option(
        name: .customLong("config"), help: "Path of the configuration file, for the default report paths (default: reckon.yml if present).")
    var configPath: String?

    func run() async throws {
        await runReporting {
            var files = ReportFiles(junitPath: junitPath, htmlPath: htmlPath, templatesDirectory: templatesDirectory)
            if junitPath == nil, htmlPath == nil {
                let configuration = try Configuration.load(path: configPath, environment: ProcessInfo.processInfo.environment)
                files.junitPath = configuration.junitReportPath
                files.htmlPath = configuration.htmlReportPath
            }
            guard files.junitPath != nil || files.htmlPath != nil else {
                throw CommandFailure(
                    message: "nothing to write: give --junit F and/or --html F (or set reports.junit / reports.html in reckon.yml)",
                    exitCode: ReckonExitCode.badInput)
            }
            guard FileManager.default.fileExists(atPath: resultPath) else {
                throw CommandFailure(message: "no JSON result at \(resultPath)", exitCode: ReckonExitCode.badInput)
            }
            let result: RunResult
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: resultPath))
                // Numbers no run produces (durationSeconds: 1e300) are bad input, with their place.
                try ResultFileNumbers.validate(data, file: resultPath)
                result = try RunResult.decode(data)
            } catch let error as InputFileError {
                throw error
            } catch {
                throw CommandFailure(message: "cannot read the JSON result \(resultPath): \(error)", exitCode: ReckonExitCode.badInput)
            }
            do {
                try files.write(result, reckonVersion: result.reckonVersion)
            } catch let error as ReportError {
                throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
            }
            for path in [files.junitPath, files.htmlPath].compactMap({ $0 }) { print("wrote \(path)") }
            return ReckonExitCode.success
        }
    }
}
