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

    /// The report files requested, by kind (`JSON`, `JUnit`, `HTML`), options over reckon.yml.
    func destinations(configuration: Configuration) -> [(kind: String, path: String)] {
        [
            ("JSON", jsonPath ?? configuration.jsonReportPath), ("JUnit", junitPath ?? configuration.junitReportPath),
            ("HTML", htmlPath ?? configuration.htmlReportPath),
        ].compactMap { kind, path in path.map { (kind, $0) } }
    }

    /// Fails (exit 2) when a requested report file cannot be written: its folder is a file or
    /// not writable, or the path is a folder. Run before any database work.
    func checkWritable(configuration: Configuration) throws {
        for (kind, path) in destinations(configuration: configuration) {
            if let problem = ReportDestination.problem(path) {
                throw CommandFailure(
                    message: "cannot write the \(kind) report to \(path): \(problem)", exitCode: ReckonExitCode.badInput)
            }
        }
    }

    /// Writes every requested report for `result`; a file that cannot be written throws a
    /// `ReportError.cannotWrite` naming it.
    func write(_ result: RunResult, configuration: Configuration) throws {
        if let path = jsonPath ?? configuration.jsonReportPath {
            do {
                let url = URL(fileURLWithPath: path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try result.jsonData().write(to: url, options: .atomic)
            } catch {
                throw ReportError.cannotWrite(path: path, reason: ReportDestination.reason(error))
            }
        }
        try ReportFiles(
            junitPath: junitPath ?? configuration.junitReportPath, htmlPath: htmlPath ?? configuration.htmlReportPath,
            templatesDirectory: templatesDirectory
        ).write(result, reckonVersion: result.reckonVersion)
    }
}

/// Whether a report file can be written where it is asked for.
enum ReportDestination {
    /// What prevents writing `path`, or nil when it can be written (its folder may not exist
    /// yet if it can be created).
    static func problem(_ path: String) -> String? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "it is a folder" }
            return access(path, W_OK) == 0 ? nil : "the file is not writable"
        }
        // Walk up to the first ancestor that exists: it must be a writable folder.
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while true {
            if manager.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(folder.path) is a file, not a folder" }
                return access(folder.path, W_OK) == 0 ? nil : "the folder \(folder.path) is not writable"
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return "no folder of it exists" }
            folder = parent
        }
    }

    /// A file-system error in a few words ("Not a directory") instead of Foundation's codes.
    static func reason(_ error: Error) -> String {
        if let error = error as? ReportError { return error.description }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
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
