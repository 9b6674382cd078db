import ArgumentParser
import Checks
import Foundation
import ReckonCore
import Reports

/// `--json`, `--junit`, `--html`: where a check run's reports go.
/// Defaults come from the `reports:` section of reckon.yml.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("json"), help: "Write the complete JSON result to this file.")
    var jsonPath: String?

    @Option(name: .customLong("junit"), help: "Write a JUnit XML report (one testsuite per checks file) to this file.")
    var junitPath: String?

    @Option(name: .customLong("html"), help: "Write a self-contained HTML report to this file.")
    var htmlPath: String?

    @Option(
        name: .customLong("report-templates"),
        help: "Folder of *.mustache files replacing the HTML report's default templates (default: ./reports when present).")
    var templatesDirectory: String?

    /// Writes every requested report for `result`.
    func write(_ result: RunResult, configuration: Configuration) throws {
        if let path = jsonPath ?? configuration.jsonReportPath {
            try result.jsonData().write(to: URL(fileURLWithPath: path))
        }
        try ReportFiles(
            junitPath: junitPath ?? configuration.junitReportPath, htmlPath: htmlPath ?? configuration.htmlReportPath,
            templatesDirectory: templatesDirectory
        ).write(result, reckonVersion: result.reckonVersion)
    }
}

/// The JUnit and HTML files of one run, and the templates the HTML uses.
struct ReportFiles {
    var junitPath: String?
    var htmlPath: String?
    var templatesDirectory: String?

    /// The folder of templates to use: the one given, else `./reports` when it holds a
    /// `report.mustache`, else none (the embedded defaults).
    var resolvedTemplatesDirectory: URL? {
        if let templatesDirectory { return URL(fileURLWithPath: templatesDirectory) }
        let fallback = URL(fileURLWithPath: "reports")
        let exists = FileManager.default.fileExists(atPath: fallback.appendingPathComponent("report.mustache").path)
        return exists ? fallback : nil
    }

    /// The report's "generated at" time: now, or `SOURCE_DATE_EPOCH` (seconds since 1970) when
    /// set, the reproducible-builds convention, so the same result renders byte-identical files.
    static func generatedAt(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        guard let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text), seconds >= 0 else { return Date() }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Writes the requested files; `reckonVersion` is shown in them.
    func write(_ result: RunResult, reckonVersion: String) throws {
        if let junitPath {
            try JUnitReporter(reckonVersion: reckonVersion).write(result, to: URL(fileURLWithPath: junitPath))
        }
        if let htmlPath {
            let reporter = HTMLReporter(
                generatedAt: Self.generatedAt(), reckonVersion: reckonVersion, templatesDirectory: resolvedTemplatesDirectory)
            try reporter.write(result, to: URL(fileURLWithPath: htmlPath))
        }
    }
}
