import Checks
import Foundation
import PostgresClient
import ReckonCore
import TestSupport

enum TestSupportPaths {
    static var checksDirectory: String { TestDatabase.repositoryRoot.appendingPathComponent("checks").path }
    /// `RECKON_CHECKS_TEST_MODELS` overrides the model folder (while models/ is being edited).
    static var modelsDirectory: String {
        ProcessInfo.processInfo.environment["RECKON_CHECKS_TEST_MODELS"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent("models").path
    }
}

/// A fresh database with a `mart` schema for hand-made tables.
struct CheckDatabase {
    let url: String
    let connection: Connection

    init() throws {
        url = try TestDatabase.create(prefix: "checks")
        connection = try Connection.connect(url)
    }

    func run(_ sql: String) throws { try connection.executeScript(sql, name: "fixture") }

    func check(_ yaml: String, schema: String = "mart", fuse: Bool = true, configuration: Configuration = Configuration())
        async throws -> [CheckResult]
    {
        let definitions = try CheckFileParser.parse(yaml, file: "test.yml")
        let pool = ConnectionPool(conninfo: url, maximumConnections: 2, setupStatements: CheckEngine.sessionSetup)
        let engine = CheckEngine(pool: pool, context: CheckContext(configuration: configuration, checkedSchema: schema, fuse: fuse))
        return await engine.run(definitions)
    }

    func drop() { TestDatabase.drop(url) }
}

extension Array where Element == CheckResult {
    subscript(_ name: String) -> CheckResult? { first { $0.name == name } }
}
