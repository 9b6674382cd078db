import Checks
import Foundation
import PostgresClient
import ReckonCore
import Testing

/// Every check kind on distributed tables: the cases of `CheckKindTests` on a Citus
/// coordinator, the checked table distributed, a source a reference table. Runs only when
/// `RECKON_CITUS_URL` names a Citus database (`make test-citus` sets it); the schemas it
/// uses (`citus_kinds_mart`, `citus_kinds_raw`) are dropped and re-created.
@Suite(.serialized) struct CitusCheckKindTests {
    static let url = ProcessInfo.processInfo.environment["RECKON_CITUS_URL"]

    /// The hand-made fixture's schema names, renamed so they cannot touch a `raw` schema.
    static func renamed(_ text: String) -> String {
        text.replacingOccurrences(of: "mart.", with: "citus_kinds_mart.").replacingOccurrences(of: "raw.", with: "citus_kinds_raw.")
            .replacingOccurrences(of: "schema mart", with: "schema citus_kinds_mart")
            .replacingOccurrences(of: "schema raw", with: "schema citus_kinds_raw")
    }

    static let layout = """
        set client_min_messages = warning;
        select create_distributed_table('citus_kinds_mart.orders', 'id');
        select create_reference_table('citus_kinds_raw.customers');
        select create_distributed_table('citus_kinds_raw.payments', 'order_id', colocate_with => 'none');
        """

    @Test(.enabled(if: url != nil, "RECKON_CITUS_URL is not set"))
    func everyKindPassesCleanAndFailsOnItsDefectOnDistributedTables() async throws {
        let url = try #require(Self.url)
        let connection = try Connection.connect(url)
        var configuration = Configuration()
        configuration.sourceTables["funnelfox_sessions"] = "citus_kinds_raw.customers"
        configuration.engine = .citus
        for testCase in CheckKindTests.cases {
            try connection.executeScript(
                "drop schema if exists citus_kinds_mart cascade; drop schema if exists citus_kinds_raw cascade;\n"
                    + Self.renamed(CheckKindTests.fixture) + "\n" + Self.layout, name: "fixture")
            let yaml = Self.renamed(CheckKindTests().yaml(testCase))
            let clean = try await check(yaml, url: url, configuration: configuration, fuse: true)
            #expect(clean[0].status == .pass, "\(testCase.name): \(clean[0].message) \(clean[0].errorMessage ?? "")")
            // Citus refuses a STABLE function over a column in an UPDATE (timestamptz - interval).
            let defect =
                testCase.name == "freshness"
                ? "update citus_kinds_mart.orders set created_at = now() - interval '3 days 1 hour'" : Self.renamed(testCase.defect)
            try connection.executeScript(defect, name: "defect")
            for fuse in [true, false] {
                let result = try await check(yaml, url: url, configuration: configuration, fuse: fuse)[0]
                #expect(result.status == .fail, "\(testCase.name) fuse \(fuse): \(result.message) \(result.errorMessage ?? "")")
                if !testCase.failingRow.isEmpty {
                    #expect(
                        result.sampleRows.contains { $0.contains(testCase.failingRow) },
                        "\(testCase.name): \(result.sampleColumns) \(result.sampleRows)")
                }
                // The failing-row SQL runs on Citus and lists the failing rows (their leading columns).
                let listed = try connection.execute(result.sql, name: "failing rows").rows
                let expected = CheckKindTests.listed[testCase.name] ?? []
                let leading = listed.map { Array($0.prefix(expected.first?.count ?? 0)) }
                switch testCase.name {
                case "match_rate": #expect(leading.contains(expected[0]), "\(listed)")
                case "freshness": #expect(listed.count == 1 && listed[0][1]?.hasPrefix("3 days") == true, "\(listed)")
                default:
                    #expect(
                        Set(leading.map { $0.map { $0 ?? "NULL" } }) == Set(expected.map { $0.map { $0 ?? "NULL" } }),
                        "\(testCase.name): \(listed)")
                }
            }
        }
        try connection.executeScript(
            "drop schema if exists citus_kinds_mart cascade; drop schema if exists citus_kinds_raw cascade", name: "clean up")
    }

    func check(_ yaml: String, url: String, configuration: Configuration, fuse: Bool) async throws -> [CheckResult] {
        let definitions = try CheckFileParser.parse(yaml, file: "test.yml")
        let pool = ConnectionPool(conninfo: url, maximumConnections: 2, setupStatements: CheckEngine.sessionSetup)
        let engine = CheckEngine(
            pool: pool, context: CheckContext(configuration: configuration, checkedSchema: "citus_kinds_mart", fuse: fuse))
        return await engine.run(definitions)
    }
}
