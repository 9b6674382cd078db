import ArgumentParser
import Foundation
import MartDiff
import PostgresClient
import ReckonCore
import Reports

/// `reckon diff`: what a model change does to the data, for the reviewer of a pull request.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the marts of two schemas: rows added, removed and changed, and the metrics that matter.",
        discussion: """
            Typical use in CI: `reckon build --target-schema ci_123`, `reckon check --target-schema ci_123`, \
            then `reckon diff --base analytics --candidate ci_123 --markdown diff.md`. Rows are matched on each \
            mart's primary key inside PostgreSQL (a merge full join over the key indexes comparing typed values, then a column-by-column \
            comparison of the changed keys only). A column added or dropped is reported as a change. The limits \
            of diff.fail_if in reckon.yml decide the verdict. Exit codes: 0 within every limit, 1 a limit was \
            crossed, 2 a schema is missing, both schemas are the same, or bad configuration, 3 database unreachable.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("base"), help: "Schema of the reference marts (default: target_schema of reckon.yml).")
    var baseSchema: String?

    @Option(name: .customLong("candidate"), help: "Schema of the marts built from the changed models.")
    var candidateSchema: String

    @Option(name: .customLong("markdown"), help: "Write the diff as Markdown short enough for a pull-request comment.")
    var markdownPath: String?

    @Option(name: .customLong("html"), help: "Write the diff as a self-contained HTML page.")
    var htmlPath: String?

    @Option(name: .customLong("junit"), help: "Write a JUnit XML report: one test case per diff.fail_if limit.")
    var junitPath: String?

    @Option(name: .customLong("json"), help: "Write the complete diff as JSON, for tools.")
    var jsonPath: String?

    @Option(name: .customLong("samples"), help: "Sample rows shown per changed column.")
    var samples = 5

    @Option(
        name: .customLong("jobs"),
        help: "Connections comparing a large mart side by side, one key range each (marts of 100,000 rows or more).")
    var jobs = 2

    @Option(
        name: .customLong("report-templates"),
        help: "Folder whose style.mustache replaces the HTML report's CSS (default: ./reports when present).")
    var templatesDirectory: String?

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let base = baseSchema ?? configuration.targetSchema
            let conninfo = try resolveConnectionString(configuration)
            var connections: [Connection] = []
            for _ in 0..<max(1, jobs) {
                let connection = try Connection.connect(conninfo)
                try connection.execute(
                    "select set_config('work_mem', $1, false)", name: "diff: work_mem", [configuration.buildWorkMemory])
                connections.append(connection)
            }
            let start = Date()
            Output.info("comparing the marts of \(base) (base) with \(candidateSchema) (candidate)")
            var differ = MartDiffer(
                connection: connections[0], baseSchema: base, candidateSchema: candidateSchema, sampleRows: max(0, samples))
            differ.extraConnections = Array(connections.dropFirst())
            let comparison: MartDiffer.Comparison
            do {
                comparison = try differ.compare(progress: Output.info)
            } catch let error as MartDiffError {
                throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
            }
            let result = DiffResult(
                reckonVersion: CheckCommandSupport.version, baseSchema: base, candidateSchema: candidateSchema,
                database: ConnectionString.masked(conninfo), startedAt: start, durationSeconds: Date().timeIntervalSince(start),
                marts: comparison.marts, metrics: comparison.metrics, campaignMovers: comparison.campaignMovers,
                campaignsMoved: comparison.campaignsMoved,
                limits: DiffLimits.evaluate(configuration.diffLimits, marts: comparison.marts, metrics: comparison.metrics),
                notes: comparison.notes)
            try writeReports(result)
            printSummary(result)
            return result.crossedLimit ? ReckonExitCode.checkFailed : ReckonExitCode.success
        }
    }

    func writeReports(_ result: DiffResult) throws {
        if let jsonPath { try DiffReportFile.write(try result.jsonData(), to: URL(fileURLWithPath: jsonPath)) }
        if let markdownPath {
            try DiffReportFile.write(Data(DiffMarkdown.render(DiffDocument(result)).utf8), to: URL(fileURLWithPath: markdownPath))
        }
        if let htmlPath {
            let templates = ReportFiles(junitPath: nil, htmlPath: nil, templatesDirectory: templatesDirectory).resolvedTemplatesDirectory
            try DiffHTMLReporter(generatedAt: Date(), templatesDirectory: templates).write(result, to: URL(fileURLWithPath: htmlPath))
        }
        if let junitPath {
            try DiffJUnitReporter(reckonVersion: result.reckonVersion).write(result, to: URL(fileURLWithPath: junitPath))
        }
    }

    func printSummary(_ result: DiffResult) {
        var lines: [String] = []
        for mart in result.marts {
            let row = DiffDocument.martRow(mart)
            lines.append(
                "\(mart.name): \(row[2]) → \(row[3]) rows; \(row[4]) added, \(row[5]) removed, \(row[6]) changed (\(row[7])); columns: \(row[8])"
            )
        }
        for metric in result.metrics where (metric.absoluteChange ?? 0) != 0 {
            lines.append(
                "  \(metric.section) / \(metric.name): \(DiffText.value(metric.base, metric.unit)) → \(DiffText.value(metric.candidate, metric.unit)) (\(DiffText.change(metric.absoluteChange, metric.unit)))"
            )
        }
        for limit in result.limits {
            let label =
                limit.crossed ? Output.colored("FAIL ", "31;1", on: STDOUT_FILENO) : Output.colored("ok   ", "32", on: STDOUT_FILENO)
            lines.append("\(label) \(limit.label): observed \(DiffDocument.observed(limit)) (\(limit.detail))")
        }
        let verdict =
            result.crossedLimit
            ? "diff limits crossed" : (result.isIdentical ? "no change: the marts are identical" : "changes within every diff limit")
        lines.append(
            Output.colored(
                "\(verdict) (\(String(format: "%.2f", result.durationSeconds)) s)",
                result.crossedLimit ? "31;1" : "32", on: STDOUT_FILENO))
        print(lines.joined(separator: "\n"))
    }
}
