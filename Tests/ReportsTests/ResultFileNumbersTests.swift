import Foundation
import ReckonCore
import Reports
import Testing

@Suite struct ResultFileNumbersTests {
    @Test func numbersCarryTheirKeyAndPlace() {
        let text = "{\"a\": \"x: 1, \\\"durationSeconds\\\": 9\",\n \"durationSeconds\": 2.5,\n \"v\": [1, -2e3]}"
        let literals = ResultFileNumbers.literals(in: text)
        #expect(literals.map(\.key) == ["durationSeconds", "v", "v"])
        #expect(literals.map(\.text) == ["2.5", "1", "-2e3"])
        #expect(literals[0].line == 2)
        #expect(literals[0].column == 21)
    }

    @Test(arguments: [
        ("{\"durationSeconds\": 1e300}", "durationSeconds must be between"),
        ("{\"durationSeconds\": -1}", "durationSeconds must be between"),
        ("{\"line\": 1.5}", "line must be a whole number"),
        ("{\"metrics\": {\"total\": 1e30}}", "total must be at most"),
    ])
    func impossibleNumbersAreBadInput(json: String, message: String) {
        do {
            try ResultFileNumbers.validate(Data(json.utf8), file: "r.json")
            Issue.record("expected an error")
        } catch let error as InputFileError {
            #expect(error.description.hasPrefix("r.json:1:"))
            #expect(error.message.contains(message))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func saneNumbersPass() throws {
        try ResultFileNumbers.validate(Data("{\"durationSeconds\": 12.5, \"line\": 3, \"metrics\": {\"rate\": 0.93}}".utf8), file: "r.json")
    }
}
