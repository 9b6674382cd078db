import Checks
import Foundation

/// Renders a run of checks as one report file (JUnit XML, HTML, …).
///
/// Reporters are small value types. Everything that would make the output vary between two
/// renderings of the same result — the time of rendering, reckon's version — is a parameter,
/// so a fixed `RunResult` always renders to the same bytes and can be compared with a golden file.
public protocol Reporter: Sendable {
    /// The usual file extension of the report, without the dot (`xml`, `html`).
    var fileExtension: String { get }

    /// Renders `result` as the complete file's bytes.
    func render(_ result: RunResult) throws -> Data
}

extension Reporter {
    /// Renders `result` and writes it to `url` atomically, creating the parent directory.
    public func write(_ result: RunResult, to url: URL) throws {
        let data = try render(result)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: "\(error.localizedDescription)")
        }
    }
}

/// Why a report could not be produced.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// libxml2 refused an operation while writing XML.
    case xmlWriter(operation: String)
    /// A template failed to parse.
    case template(name: String, reason: String)
    /// A template the report needs is missing.
    case missingTemplate(name: String)
    /// The report file could not be written.
    case cannotWrite(path: String, reason: String)
    /// The XML schema could not be loaded.
    case schema(path: String, reason: String)

    public var description: String {
        switch self {
        case .xmlWriter(let operation): "libxml2 could not write the JUnit report (\(operation) failed)"
        case .template(let name, let reason): "the report template \(name).mustache does not parse: \(reason)"
        case .missingTemplate(let name): "the report template \(name).mustache is missing"
        case .cannotWrite(let path, let reason): "cannot write the report \(path): \(reason)"
        case .schema(let path, let reason): "cannot load the XML schema \(path): \(reason)"
        }
    }
}
