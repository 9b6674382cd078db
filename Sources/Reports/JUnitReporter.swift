import Checks
import Foundation

/// The run as JUnit XML, valid against `junit-10.xsd` (Jenkins xUnit; read by GitLab, GitHub
/// test-report actions and Azure DevOps).
///
/// - One `testsuite` per checks file, in definition order.
/// - One `testcase` per check, named after it, with the check's time. A grouped check (match
///   rate per tier or day, reconciliation per day or currency) also gets one `testcase` per
///   group, named `check [key]`, so CI shows which tier or day failed; group test cases take no
///   time of their own (the check's query computed all groups).
/// - `failure` (type = the check's kind, message = observed vs expected and the sentence) for a
///   failed check or group; `error` for a check that could not run, with the database's message.
/// - A warning passes, but is visible: "WARNING: …" opens its `system-out`, and the suite gets a
///   `warning:<name>` property.
/// - `system-out` carries the details: file and line, table, figures, groups, the failing-row
///   sample and the SQL that lists all failing rows.
/// - Counts: `tests` = test cases, `failures` = failed ones, `errors` = errored ones; `time` is a
///   plain decimal in seconds.
///
/// All text goes through libxml2's writer (no hand-made escaping); control characters XML
/// cannot carry are first made visible (`ReportText.xmlSafe`).
public struct JUnitReporter: Reporter {
    /// reckon's version, written as the `reckon.version` property.
    public var reckonVersion: String
    /// Emit a test case per group of grouped checks (default true).
    public var testCasePerGroup: Bool

    public var fileExtension: String { "xml" }

    /// Creates a reporter; `reckonVersion` is a parameter so the output is deterministic.
    public init(reckonVersion: String, testCasePerGroup: Bool = true) {
        self.reckonVersion = reckonVersion
        self.testCasePerGroup = testCasePerGroup
    }

    /// One JUnit `testcase`: a check, or one group of a grouped check.
    struct TestCase {
        var name: String
        var classname: String
        var status: CheckStatus
        var time: Double
        var kind: String
        var message: String
        var detail: String
        var systemOut: String
    }

    public func render(_ result: RunResult) throws -> Data {
        let suites = Self.suites(of: result.checks)
        let cases = suites.map { suite in suite.checks.flatMap(testCases(for:)) }
        let allCases = cases.flatMap { $0 }

        let writer = try XMLWriter()
        try writer.startDocument()
        try writer.startElement("testsuites")
        try writer.attribute("name", "reckon \(result.command)")
        try writer.attribute("tests", String(allCases.count))
        try writer.attribute("failures", String(allCases.filter { $0.status == .fail }.count))
        try writer.attribute("errors", String(allCases.filter { $0.status == .error }.count))
        try writer.attribute("time", ReportText.seconds(result.durationSeconds))

        for (suite, suiteCases) in zip(suites, cases) {
            try writer.startElement("testsuite")
            try writer.attribute("name", suite.file)
            try writer.attribute("tests", String(suiteCases.count))
            try writer.attribute("failures", String(suiteCases.filter { $0.status == .fail }.count))
            try writer.attribute("errors", String(suiteCases.filter { $0.status == .error }.count))
            try writer.attribute("skipped", "0")
            try writer.attribute(
                "time", ReportText.seconds(suite.checks.reduce(0) { $0 + max(0, $1.durationSeconds.isFinite ? $1.durationSeconds : 0) }))
            try writer.attribute("timestamp", ReportText.timestamp(result.startedAt))
            try writer.attribute("file", suite.file)

            try writer.startElement("properties")
            for (name, value) in properties(of: result, suiteCases: suiteCases) {
                try writer.element("property", attributes: ["name": name, "value": value])
            }
            try writer.endElement()

            for testCase in suiteCases {
                try writer.startElement("testcase")
                try writer.attribute("name", testCase.name)
                try writer.attribute("classname", testCase.classname)
                try writer.attribute("time", ReportText.seconds(testCase.time))
                switch testCase.status {
                case .fail:
                    try writer.element("failure", attributes: ["type": testCase.kind, "message": testCase.message], text: testCase.detail)
                case .error:
                    try writer.element("error", attributes: ["type": testCase.kind, "message": testCase.message], text: testCase.detail)
                case .pass, .warn:
                    break
                }
                try writer.element("system-out", text: testCase.systemOut)
                try writer.endElement()
            }
            try writer.endElement()
        }
        try writer.endElement()
        return try writer.finish()
    }

    /// The checks grouped by file, files in order of first appearance.
    static func suites(of checks: [CheckResult]) -> [(file: String, checks: [CheckResult])] {
        var order: [String] = []
        var byFile: [String: [CheckResult]] = [:]
        for check in checks {
            let file = check.file.isEmpty ? "checks" : check.file
            if byFile[file] == nil { order.append(file) }
            byFile[file, default: []].append(check)
        }
        return order.map { ($0, byFile[$0] ?? []) }
    }

    /// `checks/attribution.yml` → `checks.attribution`.
    static func classname(for file: String) -> String {
        var name = file
        for suffix in [".yml", ".yaml"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return name.split(separator: "/").joined(separator: ".")
    }

    private func properties(of result: RunResult, suiteCases: [TestCase]) -> [(String, String)] {
        var properties: [(String, String)] = [
            ("reckon.version", reckonVersion),
            ("command", result.command),
            ("database", result.database),
            ("checked_schema", result.checkedSchema),
        ]
        if let commit = result.modelsCommit { properties.append(("models_commit", commit)) }
        if let published = result.published { properties.append(("published", String(published))) }
        for testCase in suiteCases where testCase.status == .warn {
            properties.append(("warning:\(testCase.name)", testCase.message))
        }
        return properties
    }

    private func testCases(for check: CheckResult) -> [TestCase] {
        let classname = Self.classname(for: check.file.isEmpty ? "checks" : check.file)
        let verdict = Self.verdict(observed: check.observed, expected: check.expected, message: check.message)
        let errorMessage = check.errorMessage ?? check.message
        var main = TestCase(
            name: check.name, classname: classname, status: check.status, time: check.durationSeconds,
            kind: check.kind, message: check.status == .error ? errorMessage : verdict, detail: "",
            systemOut: Self.systemOut(for: check))
        switch check.status {
        case .fail:
            var lines = [verdict]
            let failedGroups = check.groups.filter { $0.status == .fail }
            if !failedGroups.isEmpty {
                lines.append("failed groups:")
                lines += failedGroups.map { "  \($0.key): observed \($0.observed), expected \($0.expected)" }
            }
            if !check.sampleRows.isEmpty { lines.append("\(check.sampleRows.count) failing rows sampled; see system-out") }
            main.detail = lines.joined(separator: "\n")
        case .error:
            main.detail = errorMessage + (check.sql.isEmpty ? "" : "\n\nSQL:\n" + check.sql)
        case .pass, .warn:
            break
        }
        guard testCasePerGroup else { return [main] }
        let groups = check.groups.map { group in
            let groupVerdict = Self.verdict(observed: group.observed, expected: group.expected, message: "")
            var lines = [
                "group \(group.key) of check \(check.name) (\(check.kind), severity \(check.severity.rawValue)): \(group.status.rawValue)",
                "observed: \(group.observed)",
                "expected: \(group.expected)",
            ]
            if group.status == .warn { lines.insert("WARNING: \(groupVerdict)", at: 0) }
            lines += group.values.sorted { $0.key < $1.key }.map { "\($0.key): \(ReportText.number($0.value))" }
            return TestCase(
                name: "\(check.name) [\(group.key)]", classname: classname, status: group.status, time: 0,
                kind: check.kind, message: group.status == .error ? errorMessage : groupVerdict,
                detail: group.status == .fail ? groupVerdict : (group.status == .error ? errorMessage : ""),
                systemOut: lines.joined(separator: "\n"))
        }
        return [main] + groups
    }

    /// "observed 82.1%, expected ≥ 90%: the sentence".
    static func verdict(observed: String, expected: String, message: String) -> String {
        var parts: [String] = []
        if !observed.isEmpty { parts.append("observed \(observed)") }
        if !expected.isEmpty { parts.append("expected \(expected)") }
        let figures = parts.joined(separator: ", ")
        if message.isEmpty { return figures }
        return figures.isEmpty ? message : "\(figures): \(message)"
    }

    /// The plain-text details of a check for `system-out`.
    static func systemOut(for check: CheckResult) -> String {
        var lines: [String] = []
        if check.status == .warn {
            lines.append("WARNING: \(verdict(observed: check.observed, expected: check.expected, message: check.message))")
        }
        lines.append("check: \(check.name)")
        lines.append("kind: \(check.kind), severity: \(check.severity.rawValue), status: \(check.status.rawValue)")
        lines.append("defined at: \(check.file):\(check.line)")
        if let table = check.table { lines.append("table: \(table)") }
        if let owner = check.owner { lines.append("owner: \(owner)") }
        if !check.tags.isEmpty { lines.append("tags: \(check.tags.joined(separator: ", "))") }
        if let description = check.description { lines.append("description: \(description)") }
        lines.append("observed: \(check.observed)")
        lines.append("expected: \(check.expected)")
        if !check.message.isEmpty { lines.append("message: \(check.message)") }
        if let errorMessage = check.errorMessage { lines.append("error: \(errorMessage)") }
        if !check.metrics.isEmpty {
            lines.append("figures:")
            lines += check.metrics.sorted { $0.key < $1.key }.map { "  \($0.key): \(ReportText.number($0.value))" }
        }
        if !check.groups.isEmpty {
            lines.append("groups:")
            lines += check.groups.map { "  [\($0.status.rawValue)] \($0.key): observed \($0.observed), expected \($0.expected)" }
        }
        if !check.sampleRows.isEmpty {
            lines.append("failing rows (sample of \(check.sampleRows.count)):")
            lines.append("  " + check.sampleColumns.joined(separator: " | "))
            lines += check.sampleRows.map { row in "  " + row.map { $0 ?? "NULL" }.joined(separator: " | ") }
        }
        if !check.sql.isEmpty {
            lines.append("sql:")
            lines.append(check.sql)
        }
        return lines.joined(separator: "\n")
    }
}
