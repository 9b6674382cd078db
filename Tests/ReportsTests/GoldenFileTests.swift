import Checks
import Foundation
import Reports
import Testing

/// Byte-for-byte comparisons with canned files, and the embedded templates against `reports/`.
///
/// After an intended change, `make update-goldens` rewrites the goldens and
/// EmbeddedTemplates.swift (`RECKON_UPDATE_GOLDENS=1` / `RECKON_UPDATE_TEMPLATES=1`), then runs
/// the comparisons again without them. A run that rewrites a file records a failure, so an
/// update can never pass as a test; `make test` unsets both variables.
@Suite struct GoldenFileTests {
    static let update = ProcessInfo.processInfo.environment["RECKON_UPDATE_GOLDENS"] == "1"

    func compare(_ data: Data, golden name: String) throws {
        let url = Fixtures.resources.appendingPathComponent("golden").appendingPathComponent(name)
        if Self.update {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            Issue.record("rewrote \(url.lastPathComponent); an update run never passes — compare again without RECKON_UPDATE_GOLDENS")
            return
        }
        let expected = try Data(contentsOf: url)
        #expect(String(decoding: data, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "differs from \(url.path)")
    }

    @Test func junitOfAFailingRunMatchesTheGolden() throws {
        try compare(try JUnitReporter(reckonVersion: Fixtures.version).render(Fixtures.failingRun), golden: "failing-run.junit.xml")
    }

    @Test func htmlOfAFailingRunMatchesTheGolden() throws {
        let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)
        try compare(try reporter.render(Fixtures.failingRun), golden: "failing-run.html")
    }

    @Test func htmlOfATrendRunMatchesTheGolden() throws {
        let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)
        try compare(try reporter.render(Fixtures.trendRun), golden: "trend-run.html")
    }

    @Test func jsonOfTheFailingRunMatchesTheGolden() throws {
        // The input `reckon report` is tried on by hand and in end-to-end tests.
        try compare(try Fixtures.failingRun.jsonData(), golden: "failing-run.json")
    }

    @Test func renderingIsDeterministic() throws {
        let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)
        #expect(try reporter.render(Fixtures.failingRun) == reporter.render(Fixtures.failingRun))
        let junit = JUnitReporter(reckonVersion: Fixtures.version)
        #expect(try junit.render(Fixtures.failingRun) == junit.render(Fixtures.failingRun))
    }

    @Test func jsonRoundTripRendersTheSameReports() throws {
        let decoded = try RunResult.decode(try Fixtures.failingRun.jsonData())
        let reporter = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)
        #expect(try reporter.render(decoded) == reporter.render(Fixtures.failingRun))
    }

    @Test func embeddedTemplatesEqualTheFilesInReports() throws {
        let directory = Fixtures.packageRoot.appendingPathComponent("reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }.sorted()
        var files: [String: String] = [:]
        for name in names {
            files[String(name.dropLast(".mustache".count))] = try String(
                contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        if ProcessInfo.processInfo.environment["RECKON_UPDATE_TEMPLATES"] == "1" {
            try Self.generatedSource(files).write(
                to: Fixtures.packageRoot.appendingPathComponent("Sources/Reports/EmbeddedTemplates.swift"), atomically: true,
                encoding: .utf8)
            Issue.record("rewrote EmbeddedTemplates.swift; rebuild and compare again without RECKON_UPDATE_TEMPLATES")
            return
        }
        #expect(Set(files.keys) == Set(HTMLReporter.templateNames))
        #expect(
            files == HTMLReporter.embeddedTemplates,
            "reports/*.mustache changed: run make update-goldens")
    }

    static func generatedSource(_ files: [String: String]) -> String {
        var lines = [
            "// Generated from reports/*.mustache: do not edit by hand. After changing a template, run",
            "// `RECKON_UPDATE_TEMPLATES=1 swift test --filter ReportsTests` to regenerate this file.",
            "",
            "/// The default HTML report templates, compiled into the binary so a `reckon` copied without",
            "/// the `reports/` folder still renders; by name (file name without `.mustache`).",
            "enum EmbeddedTemplates {",
            "    static let all: [String: String] = [",
        ]
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            // Indented like the closing delimiter, which Swift strips: the literal equals the file.
            lines.append("        \"\(name)\": ##\"\"\"")
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "        " + $0 }
            lines.append("        \"\"\"##,")
        }
        lines += ["    ]", "}", ""]
        return lines.joined(separator: "\n")
    }
}
