import Checks
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import Testing

/// The shipped checks pass on clean generated data and fail, naming the right rows, on
/// data with exactly one defect injected into the published marts or the sources.
@Suite struct ShippedChecksTests {
    /// Generates 2,000 sessions, builds and publishes the marts into `analytics`.
    static func builtDatabase() throws -> (CheckDatabase, Configuration) {
        let database = try CheckDatabase()
        let url = database.url
        let generator = SampleDataGenerator(sessions: 2_000, seed: 7)
        _ = try generator.generate(connect: { try Connection.connect(url) }, progress: { _ in })
        var configuration = Configuration()
        configuration.modelsDirectory = TestSupportPaths.modelsDirectory
        configuration.checksDirectory = TestSupportPaths.checksDirectory
        let builder = ModelBuilder(
            connection: database.connection, configuration: configuration,
            project: try ModelProject.load(directory: configuration.modelsDirectory), targetSchema: "analytics")
        _ = try builder.build(progress: { _ in })
        try builder.publish()
        return (database, configuration)
    }

    static func runShipped(_ database: CheckDatabase, _ configuration: Configuration) async throws -> [CheckResult] {
        let definitions = try CheckFileParser.load(directory: configuration.checksDirectory)
        let pool = ConnectionPool(conninfo: database.url, maximumConnections: 2, setupStatements: CheckEngine.sessionSetup)
        return await CheckEngine(pool: pool, context: CheckContext(configuration: configuration, checkedSchema: "analytics"))
            .run(definitions)
    }

    /// What each shipped check reports on clean generated data (seed 7): every check passes
    /// except `spend_on_unknown_ads`, which warns about the statistics rows of deleted ads the
    /// generator keeps on purpose. The anomaly checks (checks/anomalies.yml) pass: no day of
    /// clean data is off its trailing 14 days by their thresholds.
    static func cleanStatus(_ name: String) -> CheckStatus { name == "spend_on_unknown_ads" ? .warn : .pass }

    /// Exactly one result per shipped check; the checks in `failing` fail, every other check
    /// reports exactly its clean status.
    static func expectOnly(_ failing: Set<String>, in results: [CheckResult]) throws {
        let shipped = try CheckFileParser.load(directory: TestSupportPaths.checksDirectory).map(\.name)
        #expect(results.map(\.name).sorted() == shipped.sorted(), "one result per shipped check")
        for name in failing { #expect(shipped.contains(name), "\(name) is not a shipped check") }
        for result in results {
            let expected = failing.contains(result.name) ? CheckStatus.fail : Self.cleanStatus(result.name)
            #expect(result.status == expected, "\(result.name): \(result.status), expected \(expected): \(result.message)")
        }
    }

    /// On data with the ads-missing incident, the match-rate anomaly check warns (severity
    /// warn) on the incident day's `ad_id` tier and on nothing else; every other check reports
    /// its clean status.
    @Test func matchRateAnomalyFiresOnTheIncidentDayOnly() async throws {
        let database = try CheckDatabase()
        defer { database.drop() }
        let url = database.url
        _ = try SampleDataGenerator(sessions: 2_000, seed: 7).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        _ = try IncidentInjector(rawSchema: "raw").apply(Incident(kind: .adsMissing, date: "2026-10-12"), on: database.connection)
        var configuration = Configuration()
        configuration.modelsDirectory = TestSupportPaths.modelsDirectory
        configuration.checksDirectory = TestSupportPaths.checksDirectory
        let builder = ModelBuilder(
            connection: database.connection, configuration: configuration,
            project: try ModelProject.load(directory: configuration.modelsDirectory), targetSchema: "analytics")
        _ = try builder.build(progress: { _ in })
        try builder.publish()
        let results = try await Self.runShipped(database, configuration)
        let anomaly = try #require(results["facebook_match_rate_anomaly"])
        #expect(anomaly.status == .warn, "\(anomaly.message)")
        #expect(
            anomaly.groups.filter { $0.status != .pass }.map(\.key) == ["date=2026-10-12 facebook_match_tier=ad_id"],
            "\(anomaly.message)")
        let listed = try database.connection.execute(
            anomaly.sql.replacingOccurrences(of: "analytics__staging", with: "analytics"), name: "days")
        #expect(listed.rows.map { $0[0] } == ["2026-10-12"], "\(listed.rows)")
        for result in results where result.name != "facebook_match_rate_anomaly" {
            #expect(result.status == Self.cleanStatus(result.name), "\(result.name): \(result.message)")
        }
    }

    @Test func passOnCleanData() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        let results = try await Self.runShipped(database, configuration)
        try Self.expectOnly([], in: results)
    }

    @Test func duplicatedSessionIsNamed() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        let id =
            try database.connection.execute(
                "select session_id from analytics.mart_marketing_attribution where not converted order by session_id limit 1 offset 100",
                name: "pick"
            ).scalar(as: String.self) ?? ""
        try database.run("alter table analytics.mart_marketing_attribution drop constraint if exists mart_marketing_attribution_pkey")
        try database.run(
            "insert into analytics.mart_marketing_attribution select * from analytics.mart_marketing_attribution where session_id = '\(id)'"
        )
        let results = try await Self.runShipped(database, configuration)
        try Self.expectOnly(["session_id_unique", "one_row_per_funnelfox_session"], in: results)
        #expect(results["session_id_unique"]?.sampleRows == [[id, "2"]])
        #expect(results["one_row_per_funnelfox_session"]?.sampleRows.first?.first == id)
    }

    @Test func droppedMartRowIsNamed() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        // A session without revenue, so only the grain check sees it.
        let id =
            try database.connection.execute(
                "select session_id from analytics.mart_marketing_attribution where not converted order by session_id limit 1", name: "pick"
            ).scalar(as: String.self) ?? ""
        try database.run("delete from analytics.mart_marketing_attribution where session_id = '\(id)'")
        let results = try await Self.runShipped(database, configuration)
        try Self.expectOnly(["one_row_per_funnelfox_session"], in: results)
        #expect(results["one_row_per_funnelfox_session"]?.sampleRows == [[id, "0", "1"]])
    }

    @Test func paymentMissingFromTheMartBreaksTheRevenueReconciliation() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        let row = try database.connection.execute(
            "select session_id, revenue_usd::text from analytics.mart_marketing_attribution where revenue_usd > 0 order by session_id limit 1",
            name: "pick")
        let revenue = Double(row.rows[0][1] ?? "0") ?? 0
        try database.run("update analytics.mart_marketing_attribution set revenue_usd = 0 where session_id = '\(row.rows[0][0] ?? "")'")
        let results = try await Self.runShipped(database, configuration)
        try Self.expectOnly(["revenue_reconciliation"], in: results)
        let difference = try #require(results["revenue_reconciliation"]?.metrics["difference"])
        #expect(abs(difference - revenue) < 0.001)
    }

    @Test func doubledStatisticsRowBreaksSpendOnItsDay() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        let row = try database.connection.execute(
            "select date::text, spend::text from analytics.mart_campaign_daily where spend > 0 order by date, facebook_campaign_id limit 1 offset 5",
            name: "pick")
        let day = row.rows[0][0] ?? ""
        // The fan-out a bad join causes: one campaign-day's spend counted twice.
        try database.run(
            "update analytics.mart_campaign_daily set spend = spend * 2 where (date, facebook_campaign_id) = (select date, facebook_campaign_id from analytics.mart_campaign_daily where spend > 0 order by date, facebook_campaign_id limit 1 offset 5)"
        )
        let results = try await Self.runShipped(database, configuration)
        try Self.expectOnly(["spend_reconciliation"], in: results)
        let result = try #require(results["spend_reconciliation"])
        #expect(result.sampleRows.map { $0[0] } == ["date=\(day)"])
        #expect(result.groups.filter { $0.status == .fail }.map(\.key) == ["date=\(day)"])
    }

    @Test func adIdsBrokenForOneDayAreNamed() async throws {
        let (database, configuration) = try Self.builtDatabase()
        defer { database.drop() }
        let day =
            try database.connection.execute(
                "select session_date::text from analytics.mart_marketing_attribution where facebook_match_tier = 'ad_id' group by 1 order by count(*) desc limit 1",
                name: "pick"
            ).scalar(as: String.self) ?? ""
        // That day the ad ids no longer match: the sessions fall out of tier ad_id, and the statistics reference unknown ads.
        try database.run(
            """
            update analytics.mart_marketing_attribution
               set facebook_match_tier = null, facebook_ad_id = null, facebook_adset_id = null, facebook_campaign_id = null
             where session_date = '\(day)' and facebook_match_tier = 'ad_id';
            update raw.facebook_ad_statistics set facebook_ad_id = 'broken_' || facebook_ad_id where date = '\(day)';
            """)
        let results = try await Self.runShipped(database, configuration)
        let matchRate = try #require(results["facebook_match_rate"])
        #expect(matchRate.status == .fail, "\(matchRate.message)")
        #expect(matchRate.groups.filter { $0.status == .fail }.map(\.key).allSatisfy { $0.hasPrefix("date=\(day)") })
        #expect(!matchRate.groups.filter { $0.status == .fail }.isEmpty)
        let unknown = try #require(results["spend_on_unknown_ads"])
        #expect(unknown.status == .warn)
        let listed = try database.connection.execute(unknown.sql, name: "all failing rows")
        #expect(listed.rows.contains { $0.first == day })
    }
}
