import ArgumentParser
import Checks
import Foundation
import PostgresClient
import ReckonCore

/// `reckon check`: run the declarative checks on the published marts.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the checks of checks/*.yml on the published marts.",
        discussion: """
            Checks on the same table share one scan; independent queries run side by side. \
            Failures are listed first, each with a sample of failing rows; the JSON result holds \
            everything, including the SQL that lists all failing rows. Exit codes: 0 every check \
            passed or only warned, 1 a check of severity error failed or could not run, \
            2 bad configuration, checks file or --select, 3 database unreachable.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var reports: ReportOptions

    @Option(name: .customLong("select"), parsing: .upToNextOption, help: "Run only checks with these names or tags.")
    var select: [String] = []

    @Option(name: .customLong("target-schema"), help: "Schema of the marts to check (default: target_schema of reckon.yml).")
    var targetSchema: String?

    @Flag(name: .customLong("no-fuse"), help: "Run one query per check instead of one scan per table (for comparison).")
    var noFuse = false

    /// The schema checked, for the JSON result of a run that ended with an error.
    func checkedSchema(_ configuration: Configuration) -> String { targetSchema ?? configuration.targetSchema }

    func run() async throws {
        await runReportingResult(command: "check", common: common, reports: reports, checkedSchema: checkedSchema) {
            let configuration = try common.loadConfiguration()
            let definitions = try CheckCommandSupport.loadChecks(configuration: configuration, select: select)
            try reports.checkWritable(configuration: configuration)
            let schema = targetSchema ?? configuration.targetSchema
            let conninfo = try resolveConnectionString(configuration)
            let start = Date()
            let results = try await CheckCommandSupport.runChecks(
                definitions, conninfo: conninfo, configuration: configuration, schema: schema, fuse: !noFuse)
            try CancellationRegistry.shared.checkInterrupted()
            var result = RunResult(
                reckonVersion: CheckCommandSupport.version, command: "check", startedAt: start,
                durationSeconds: Date().timeIntervalSince(start), database: ConnectionString.masked(conninfo),
                checkedSchema: schema, modelsCommit: CheckCommandSupport.modelsCommit(configuration), checks: results)
            HistoryRecording.record(&result, conninfo: conninfo, configuration: configuration)
            CheckSummary.print(result)
            try reports.write(result, configuration: configuration)
            return CheckCommandSupport.exitCode(result)
        }
    }
}

/// What `check` and `run` share: loading, running, exit code.
enum CheckCommandSupport {
    static let version = "0.1.0"

    /// The git commit of the models folder (`abc1234`, `+dirty` when it has local changes),
    /// or nil outside a git work tree.
    static func modelsCommit(_ configuration: Configuration) -> String? {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", configuration.modelsDirectory] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let commit = git(["log", "-1", "--format=%h", "--", "."]), !commit.isEmpty else { return nil }
        let dirty = git(["status", "--porcelain", "--", "."]).map { !$0.isEmpty } ?? false
        return dirty ? commit + "+dirty" : commit
    }

    /// Loads the checks folder and applies `--select` (an unknown selector exits 2).
    static func loadChecks(configuration: Configuration, select: [String]) throws -> [CheckDefinition] {
        let definitions: [CheckDefinition]
        do {
            definitions = try CheckFileParser.load(directory: configuration.checksDirectory)
        } catch let errors as InputFileErrors {
            // Every mistake at once, one `file:line:column: message` line each.
            throw CommandFailure(
                message: "\(errors.errors.count) mistakes in the checks files; nothing was run:\n\(errors)",
                exitCode: ReckonExitCode.badInput)
        }
        do {
            return try CheckEngine.select(definitions, selectors: select)
        } catch let error as CheckSelectionError {
            throw CommandFailure(message: error.description, exitCode: ReckonExitCode.badInput)
        }
    }

    /// Runs the checks on a pool of `checkConcurrency` connections; an unreachable database throws.
    static func runChecks(
        _ definitions: [CheckDefinition], conninfo: String, configuration: Configuration, schema: String, fuse: Bool
    ) async throws -> [CheckResult] {
        let pool = ConnectionPool(
            conninfo: conninfo, maximumConnections: configuration.checkConcurrency,
            setupStatements: CheckEngine.sessionSetup)
        // Fail fast (exit 3) when the database is unreachable, instead of erroring every check.
        try await pool.withConnection { _ in }
        let engine = CheckEngine(
            pool: pool, context: CheckContext(configuration: configuration, checkedSchema: schema, fuse: fuse))
        return await engine.run(definitions)
    }

    /// 1 when a check of severity error failed or could not run, else 0.
    static func exitCode(_ result: RunResult) -> Int32 {
        blocking(result).isEmpty ? ReckonExitCode.success : ReckonExitCode.checkFailed
    }

    /// The checks that block publishing: severity error with status fail or error.
    static func blocking(_ result: RunResult) -> [CheckResult] {
        result.checks.filter { $0.severity == .error && ($0.status == .fail || $0.status == .error) }
    }
}

/// The short terminal summary: failures first, then errors and warnings, then a count line.
enum CheckSummary {
    static func color(_ text: String, _ code: String) -> String { Output.colored(text, code, on: STDOUT_FILENO) }

    static func print(_ result: RunResult) {
        var lines: [String] = []
        let order: [(CheckStatus, String, String)] = [
            (.fail, "FAIL ", "31;1"), (.error, "ERROR", "35;1"), (.warn, "WARN ", "33"),
        ]
        for (status, label, code) in order {
            for check in result.checks where check.status == status {
                lines.append("\(color(label, code)) \(check.name)  \(check.observed)  [\(check.file):\(check.line)]")
                lines.append("      \(check.errorMessage ?? check.message)")
                if !check.sampleRows.isEmpty {
                    lines.append(
                        "      failing rows (\(check.sampleRows.count) shown): \(check.sampleColumns.prefix(6).joined(separator: " | "))")
                    for row in check.sampleRows.prefix(3) {
                        let cells = row.prefix(6).map { cell -> String in
                            let text = cell ?? "NULL"
                            return text.count > 40 ? String(text.prefix(37)) + "..." : text
                        }
                        lines.append("        " + cells.joined(separator: " | "))
                    }
                }
            }
        }
        let passed = result.count(.pass)
        let summary =
            "\(counted(result.checks.count, "check")) on \(result.checkedSchema): \(passed) passed, \(result.count(.warn)) warned, "
            + "\(result.count(.fail)) failed, \(result.count(.error)) errored in \(String(format: "%.2f", result.durationSeconds)) s"
        let verdictColor = result.count(.fail) + result.count(.error) > 0 ? "31;1" : (result.count(.warn) > 0 ? "33" : "32")
        lines.append(color(summary, verdictColor))
        LiveProgress.shared.clear()
        Swift.print(lines.joined(separator: "\n"))
    }
}
