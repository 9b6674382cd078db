import Checks
import Foundation
import Mustache

/// The run as one self-contained HTML file: no external assets, readable with JavaScript off
/// and in an email client, printable.
///
/// Rendered with Mustache from the templates `report`, `style`, `summary`, `check`, `groups`,
/// `chart` and `trend`. The defaults ship inside the binary (`EmbeddedTemplates`, kept equal to the files
/// in the repository's `reports/` folder by a test); a team restyles the report by pointing
/// `templatesDirectory` at a folder with its own `*.mustache` files — each file found there
/// replaces the default of the same name. Every value goes through `{{ }}`, so Mustache
/// HTML-escapes it; templates never use triple braces for data.
public struct HTMLReporter: Reporter {
    /// When the report was rendered, shown in its footer.
    public var generatedAt: Date
    /// reckon's version, shown in the summary and footer.
    public var reckonVersion: String
    /// A folder of `*.mustache` files overriding the embedded defaults, if any.
    public var templatesDirectory: URL?

    public var fileExtension: String { "html" }

    /// Names of the templates the report is made of; `report` is the entry point.
    public static let templateNames = ["report", "style", "summary", "check", "groups", "chart", "trend"]

    /// Creates a reporter; `generatedAt` and `reckonVersion` are parameters so the output is
    /// deterministic.
    public init(generatedAt: Date, reckonVersion: String, templatesDirectory: URL? = nil) {
        self.generatedAt = generatedAt
        self.reckonVersion = reckonVersion
        self.templatesDirectory = templatesDirectory
    }

    public func render(_ result: RunResult) throws -> Data {
        let library = try templateLibrary()
        guard
            let html = library.render(
                HTMLViewModel.make(result, generatedAt: generatedAt, reckonVersion: reckonVersion), withTemplate: "report")
        else {
            throw ReportError.missingTemplate(name: "report")
        }
        return Data(html.utf8)
    }

    /// The templates: files from `templatesDirectory` where present, else the embedded defaults.
    func templateLibrary() throws -> MustacheLibrary {
        var sources = EmbeddedTemplates.all
        if let templatesDirectory {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: templatesDirectory.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".mustache") {
                let url = templatesDirectory.appendingPathComponent(file)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                sources[String(file.dropLast(".mustache".count))] = text
            }
        }
        var library = MustacheLibrary()
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                throw ReportError.template(name: name, reason: "\(error)")
            }
        }
        return library
    }
}

extension HTMLReporter {
    /// The templates compiled into reckon, by name; equal to the files in `reports/`.
    public static var embeddedTemplates: [String: String] { EmbeddedTemplates.all }
}
