import Checks
import Foundation
import Reports
import Testing

/// The figures the issue asks for: rendering 200 checks with 10 sample rows each.
/// Prints "report figures: …" lines; run with
/// `swift test -c release --scratch-path .build-reports --filter ReportFiguresTests`.
@Suite struct ReportFiguresTests {
    @Test func twoHundredChecksWithTenSampleRows() throws {
        let run = Fixtures.largeRun(count: 200, sampleRows: 10)
        let junit = JUnitReporter(reckonVersion: Fixtures.version)
        let html = HTMLReporter(generatedAt: Fixtures.generatedAt, reckonVersion: Fixtures.version)
        let clock = ContinuousClock()
        var junitData = Data()
        var htmlData = Data()
        let junitTimes = try (0..<3).map { _ in try clock.measure { junitData = try junit.render(run) } }
        let htmlTimes = try (0..<3).map { _ in try clock.measure { htmlData = try html.render(run) } }
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        print("report figures: 200 checks (100 with 10 groups), 10 sample rows each")
        print("report figures: JUnit \(junitData.count) bytes, best of 3 \(milliseconds(junitTimes.min() ?? .zero))")
        print("report figures: HTML \(htmlData.count) bytes, best of 3 \(milliseconds(htmlTimes.min() ?? .zero))")
        #expect(try XMLSchemaValidator(schemaPath: Fixtures.schemaPath).errors(in: junitData) == [])
        #expect(htmlData.count < 10_000_000)
    }
}
