import Foundation
import MartDiff
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// A database with generated sessions, the shipped models published in `analytics`, and
/// candidates built from edited copies of the models.
struct DiffDatabase {
    let url: String
    let connection: Connection

    init(sessions: Int = 2_000, seed: UInt64 = 11) throws {
        url = try TestDatabase.create(prefix: "diff")
        connection = try Connection.connect(url)
        let url = url
        _ = try SampleDataGenerator(sessions: sessions, seed: seed).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        try build(into: "analytics")
    }

    static var modelsDirectory: String { TestDatabase.repositoryRoot.appendingPathComponent("models").path }

    /// Builds the models of `directory` (default: the shipped ones) and publishes them in `schema`.
    func build(into schema: String, models directory: String = modelsDirectory) throws {
        var configuration = Configuration()
        configuration.modelsDirectory = directory
        let builder = ModelBuilder(
            connection: connection, configuration: configuration, project: try ModelProject.load(directory: directory),
            targetSchema: schema)
        _ = try builder.build(progress: { _ in })
        try builder.publish()
    }

    /// A copy of the shipped models with `edit` applied to the file `name`; the folder is removed by `defer` of the caller.
    static func editedModels(_ name: String, _ edit: (String) -> String) throws -> String {
        let folder = NSTemporaryDirectory() + "reckon-diff-models-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: modelsDirectory, toPath: folder)
        let path = folder + "/" + name
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let edited = edit(original)
        #expect(edited != original, "the edit of \(name) changed nothing")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return folder
    }

    func compare(_ candidate: String, base: String = "analytics") throws -> MartDiffer.Comparison {
        try MartDiffer(connection: connection, baseSchema: base, candidateSchema: candidate).compare()
    }

    func rows(_ sql: String) throws -> [[String?]] { try connection.execute(sql, name: "test").rows }

    func drop() { TestDatabase.drop(url) }
}

extension MartDiffer.Comparison {
    subscript(_ mart: String) -> MartComparison? { marts.first { $0.name == mart } }
    func metric(_ section: String, _ name: String) -> MetricChange? { metrics.first { $0.section == section && $0.name == name } }
}

@Suite struct MartDiffTests {
    @Test func identicalRebuildDiffsToZero() throws {
        let database = try DiffDatabase()
        defer { database.drop() }
        try database.build(into: "ci_same")
        let comparison = try database.compare("ci_same")
        #expect(comparison.marts.map(\.name) == ["mart_campaign_daily", "mart_marketing_attribution"])
        for mart in comparison.marts {
            #expect(mart.isIdentical, "\(mart.name): \(mart.rowsDiffering) rows differ")
            #expect(mart.baseRows == mart.candidateRows)
            #expect((mart.baseRows ?? 0) > 0)
            #expect(mart.columns.isEmpty)
        }
        #expect(comparison["mart_marketing_attribution"]?.keyColumns == ["session_id"])
        #expect(comparison["mart_campaign_daily"]?.keyColumns == ["date", "facebook_campaign_id"])
        #expect(!comparison.metrics.isEmpty)
        for metric in comparison.metrics { #expect((metric.absoluteChange ?? 0) == 0, "\(metric.section) \(metric.name)") }
        #expect(comparison.campaignMovers.isEmpty)
        #expect(comparison.campaignsMoved == 0)
        let limits = DiffLimits.evaluate(Configuration().diffLimits, marts: comparison.marts, metrics: comparison.metrics)
        #expect(limits.count == 3)
        #expect(limits.allSatisfy { !$0.crossed })
        // No temporary table is left behind in the session.
        #expect(try database.rows("select count(*) from pg_class where relname like 'reckon_diff_%'")[0][0] == "0")
    }

    /// Tier 3 of the Facebook fallback (utm_content → ad name) switched off: exactly the sessions
    /// that tier matched change, and nothing else does.
    @Test func disabledFallbackTierChangesExactlyTheSessionsItMatched() throws {
        let database = try DiffDatabase()
        defer { database.drop() }
        let models = try DiffDatabase.editedModels("04_int_facebook_match.sql") {
            $0.replacingOccurrences(of: "where m.tier is not null;", with: "where m.tier is not null and m.tier <> 3;")
        }
        defer { try? FileManager.default.removeItem(atPath: models) }
        try database.build(into: "ci_no_tier3", models: models)
        let affected = try database.rows(
            "select session_id from analytics.mart_marketing_attribution where facebook_match_tier = 'utm_content' order by 1"
        ).map { $0[0] ?? "" }
        #expect(affected.count > 20, "the generated data must exercise tier 3")

        let comparison = try database.compare("ci_no_tier3")
        let attribution = try #require(comparison["mart_marketing_attribution"])
        #expect(attribution.addedRows == 0)
        #expect(attribution.removedRows == 0)
        #expect(attribution.changedRows == affected.count)
        // The SQL the report shows lists exactly those keys.
        let listed = try database.rows("select session_id from (\(attribution.sql)) d").map { $0[0] ?? "" }
        #expect(listed == affected)
        let tier = try #require(attribution.columns.first { $0.name == "facebook_match_tier" })
        #expect(tier.changedCells == affected.count)
        #expect(tier.samples.count == 5)
        #expect(tier.samples.allSatisfy { $0.base == "utm_content" && $0.candidate == nil })
        #expect(tier.samples.map(\.key) == Array(affected.prefix(5)))
        #expect(attribution.columns.allSatisfy { $0.changedCells <= affected.count })
        #expect(!attribution.columns.contains { $0.name == "revenue_usd" || $0.name == "session_timestamp" })

        let overall = try #require(comparison.metric("match rate", "overall"))
        let tierRate = try #require(comparison.metric("match rate", "tier utm_content"))
        #expect(tierRate.candidate == 0)
        #expect(abs((overall.absoluteChange ?? 0) - (tierRate.absoluteChange ?? 0)) < 1e-12)
        #expect(comparison.metric("totals", "revenue")?.absoluteChange == 0)
        #expect(comparison.metric("totals", "sessions")?.absoluteChange == 0)

        // Cut into three key ranges compared side by side on three connections: the same result.
        var split = MartDiffer(connection: database.connection, baseSchema: "analytics", candidateSchema: "ci_no_tier3")
        split.extraConnections = [try Connection.connect(database.url), try Connection.connect(database.url)]
        split.splitThreshold = 0
        let splitComparison = try split.compare()
        #expect(splitComparison.marts == comparison.marts)
        #expect(splitComparison.metrics == comparison.metrics)

        let limits = DiffLimits.evaluate(Configuration().diffLimits, marts: comparison.marts, metrics: comparison.metrics)
        #expect(limits.map(\.measure) == ["rows_changed_pct", "match_rate_points", "revenue_changed"])
        #expect(limits.map(\.crossed) == [true, true, false])
    }

    @Test func addedAndDroppedColumnsAreReportedAsChanges() throws {
        let database = try DiffDatabase()
        defer { database.drop() }
        let models = try DiffDatabase.editedModels("08_mart_campaign_daily.sql") {
            $0 + "\nalter table {{ this }} add column cost_per_click numeric;\nalter table {{ this }} drop column cvr;\n"
        }
        defer { try? FileManager.default.removeItem(atPath: models) }
        try database.build(into: "ci_columns", models: models)
        let comparison = try database.compare("ci_columns")
        let daily = try #require(comparison["mart_campaign_daily"])
        #expect(daily.addedColumns == ["cost_per_click"])
        #expect(daily.droppedColumns == ["cvr"])
        #expect(daily.retypedColumns.isEmpty)
        #expect(daily.rowsDiffering == 0)
        #expect(!daily.isIdentical)
        #expect(comparison["mart_marketing_attribution"]?.isIdentical == true)
        var limits = Configuration().diffLimits
        limits.append(DiffLimit(measure: .columnsChanged, comparison: .any))
        let outcome = DiffLimits.evaluate(limits, marts: comparison.marts, metrics: comparison.metrics).last
        #expect(outcome?.crossed == true)
        #expect(outcome?.detail == "+mart_campaign_daily.cost_per_click, -mart_campaign_daily.cvr")
    }

    @Test func addedRemovedAndRetypedAreSeparated() throws {
        let database = try DiffDatabase(sessions: 500)
        defer { database.drop() }
        try database.build(into: "ci_edit")
        try database.connection.executeScript(
            """
            delete from ci_edit.mart_marketing_attribution where session_id in (
              select session_id from ci_edit.mart_marketing_attribution order by session_id limit 3);
            insert into ci_edit.mart_marketing_attribution
              select 'zz-new-' || session_id, profile_id, session_timestamp, session_date, origin_raw, user_agent, ip_address,
                     utm_source, utm_medium, utm_campaign, utm_content, utm_term, fbclid, ad_id, facebook_ad_id,
                     facebook_adset_id, facebook_campaign_id, ad_name, adset_name, campaign_name, campaign_objective,
                     facebook_match_tier, facebook_match_ambiguous, total_events, unique_event_types, first_event_at,
                     last_event_at, session_duration_seconds, event_types_list, event_counts_json, amplitude_device_id,
                     amplitude_platform, amplitude_os_version, amplitude_country, amplitude_city, funnel_id, funnel_title,
                     funnel_type, funnel_environment, funnel_version, country, city, converted, conversion_timestamp,
                     hours_to_convert, revenue_usd, refunded_usd, currency, payment_status, subscription_id,
                     billing_interval, is_paid_traffic, is_facebook_traffic, attribution_channel
              from analytics.mart_marketing_attribution order by session_id limit 2;
            update ci_edit.mart_marketing_attribution set city = 'Zürich <&> 🚀' where session_id in (
              select session_id from ci_edit.mart_marketing_attribution where session_id not like 'zz-%' order by session_id desc limit 4);
            alter table ci_edit.mart_campaign_daily alter column clicks type numeric;
            """, name: "edit candidate")
        let comparison = try database.compare("ci_edit")
        let attribution = try #require(comparison["mart_marketing_attribution"])
        #expect(attribution.addedRows == 2)
        #expect(attribution.removedRows == 3)
        #expect(attribution.changedRows == 4)
        #expect(attribution.addedSample.allSatisfy { $0.hasPrefix("zz-new-") })
        #expect(attribution.columns.map(\.name) == ["city"])
        #expect(attribution.columns.first?.samples.allSatisfy { $0.candidate == "Zürich <&> 🚀" } == true)
        var split = MartDiffer(connection: database.connection, baseSchema: "analytics", candidateSchema: "ci_edit")
        split.extraConnections = [try Connection.connect(database.url)]
        split.splitThreshold = 0
        #expect(try split.compare().marts == comparison.marts)
        let daily = try #require(comparison["mart_campaign_daily"])
        #expect(daily.retypedColumns == ["clicks: bigint → numeric"])
        #expect(daily.rowsDiffering == 0)
    }

    @Test func clearErrorsForMissingOrRepeatedSchemas() throws {
        let database = try DiffDatabase(sessions: 300)
        defer { database.drop() }
        #expect(throws: MartDiffError.sameSchema("analytics")) { try database.compare("analytics") }
        #expect(throws: MartDiffError.missingSchema(role: "candidate", schema: "ci_nope")) { try database.compare("ci_nope") }
        #expect(throws: MartDiffError.missingSchema(role: "base", schema: "prod")) { try database.compare("analytics", base: "prod") }
        try database.connection.execute("create schema empty_one", name: "schema")
        try database.connection.execute("create schema empty_two", name: "schema")
        #expect(throws: MartDiffError.noMarts(base: "empty_one", candidate: "empty_two")) {
            try database.compare("empty_two", base: "empty_one")
        }
        // A mart only on one side is a change, not an error.
        let comparison = try database.compare("empty_one")
        #expect(comparison.marts.map(\.presence) == [.onlyInBase, .onlyInBase])
    }
}
