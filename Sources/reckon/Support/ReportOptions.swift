import ArgumentParser
import Checks
import Foundation
import ReckonCore

/// `--json`, `--junit`, `--html`: where a check run's reports go.
/// Defaults come from the `reports:` section of reckon.yml.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("json"), help: "Write the complete JSON result to this file.")
    var jsonPath: String?

    /// Writes every requested report for `result`.
    func write(_ result: RunResult, configuration: Configuration) throws {
        if let path = jsonPath ?? configuration.jsonReportPath {
            try result.jsonData().write(to: URL(fileURLWithPath: path))
        }
    }
}
