import Checks
import Foundation

/// The run as JUnit XML, valid against `junit-10.xsd` (Jenkins xUnit; read by GitLab, GitHub
/// test-report actions and Azure DevOps), shaped so CI test histories can track each check.
///
/// - One `testsuite` per checks file, in definition order.
/// - One `testcase` per check, whatever its groups, named `file › check`
///   (`checks/revenue.yml › revenue_reconciles_with_stripe`): the name never changes as the data
///   window moves, so a CI history follows the same test from run to run.
/// - `failure` (type = the check's kind) for a failed check: the message is observed vs expected
///   and the sentence, then the failed groups, most off first; the body repeats them and adds the
///   failing-row sample as an aligned text table and the SQL that lists all failing rows.
/// - `error` for a check that could not run, with the database's message; the body adds the SQL.
/// - A warning is a `skipped` element whose message starts with `warning:`: GitLab, GitHub's
///   test-report actions and Jenkins all show a skipped test and its message, and none fails
///   the suite for it. The suite also gets a `warning:<check>` property, and "WARNING: …"
///   opens the test case's `system-out`.
/// - `system-out` carries the details: file and line, table, figures, groups, the sample and SQL.
/// - Counts: `tests` = checks, `failures` = failed checks, `errors` = errored ones, `skipped` =
///   warnings; `time` is a plain decimal in seconds.
///
/// All text goes through libxml2's writer (no hand-made escaping); control characters XML
/// cannot carry are first made visible (`ReportText.xmlSafe`).
public struct JUnitReporter: Reporter {
    /// reckon's version, written as the `reckon.version` property.
    public var reckonVersion: String

    public var fileExtension: String { "xml" }

    /// Creates a reporter; `reckonVersion` is a parameter so the output is deterministic.
    public init(reckonVersion: String) {
        self.reckonVersion = reckonVersion
    }

    /// One JUnit `testcase`: one check.
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
            try writer.attribute("skipped", String(suiteCases.filter { $0.status == .warn }.count))
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
                case .warn:
                    try writer.element("skipped", attributes: ["message": testCase.message], text: "")
                case .pass:
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
        var testCase = TestCase(
            name: Self.testCaseName(for: check), classname: classname, status: check.status, time: check.durationSeconds,
            kind: check.kind, message: check.status == .error ? errorMessage : verdict, detail: "",
            systemOut: Self.systemOut(for: check))
        switch check.status {
        case .fail:
            let failedGroups = Self.mostOffFirst(check.groups.filter { $0.status == .fail })
            if !failedGroups.isEmpty {
                let listed = failedGroups.map { "\($0.key) (observed \($0.observed), expected \($0.expected))" }
                testCase.message = verdict + "; failed groups: " + listed.joined(separator: ", ")
            }
            var lines = [verdict]
            if !failedGroups.isEmpty {
                lines.append("")
                lines.append("failed groups, most off first:")
                lines += failedGroups.map { "  \($0.key): observed \($0.observed), expected \($0.expected)" }
            }
            if !check.sampleRows.isEmpty {
                lines.append("")
                lines.append("failing rows (sample of \(check.sampleRows.count)):")
                lines += Self.alignedTable(columns: check.sampleColumns, rows: check.sampleRows).map { "  " + $0 }
            }
            if !check.sql.isEmpty {
                lines.append("")
                lines.append("SQL (lists all failing rows):")
                lines.append(check.sql)
            }
            testCase.detail = lines.joined(separator: "\n")
        case .error:
            testCase.detail = errorMessage + (check.sql.isEmpty ? "" : "\n\nSQL:\n" + check.sql)
        case .warn:
            testCase.message = "warning: " + verdict
        case .pass:
            break
        }
        return [testCase]
    }

    /// The stable test case name of a check: `file › check` (`checks/revenue.yml › revenue_matches`).
    static func testCaseName(for check: CheckResult) -> String {
        "\(check.file.isEmpty ? "checks" : check.file) › \(check.name)"
    }

    /// Groups ordered by how far they are from passing, most off first: below a rate threshold
    /// by the most points, or the largest relative (else absolute) difference; ties keep their order.
    static func mostOffFirst(_ groups: [GroupResult]) -> [GroupResult] {
        func distance(_ group: GroupResult) -> Double {
            let values = group.values
            if let rate = values["rate"], let threshold = values["threshold"] ?? values["min_rate"] {
                return abs(threshold - rate)
            }
            if let relative = values["relative_difference"] { return abs(relative) }
            if let difference = values["difference"] { return abs(difference) }
            return 0
        }
        return groups.enumerated().sorted { left, right in
            let (a, b) = (distance(left.element), distance(right.element))
            return a != b ? a > b : left.offset < right.offset
        }.map(\.element)
    }

    /// Rows as a text table whose columns line up (NULL shown as `NULL`), header and rule first.
    static func alignedTable(columns: [String], rows: [[String?]]) -> [String] {
        func clean(_ text: String) -> String {
            text.replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "\r", with: "").replacingOccurrences(
                of: "\t", with: " ")
        }
        let header = columns.map(clean)
        let body = rows.map { row in
            (0..<max(columns.count, row.count)).map { index in index < row.count ? clean(row[index] ?? "NULL") : "" }
        }
        let count = max(header.count, body.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: count)
        for line in [header] + body {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            (0..<count).map { index in
                let cell = index < cells.count ? cells[index] : ""
                return cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: " | ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return [render(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")] + body.map(render)
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
