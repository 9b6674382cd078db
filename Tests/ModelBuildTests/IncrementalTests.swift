import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// Incremental builds are proved, not hoped: history is replayed day by day and after every
/// day the incrementally maintained marts equal a full build of the same data.
@Suite struct IncrementalTests {
    static let modelsDirectory = TestDatabase.repositoryRoot.appendingPathComponent("models").path

    /// A database with 2,000 generated sessions, of which only those that arrived by `cutoff` are in `raw`.
    func replayDatabase(cutoff: String = "2026-10-24") throws -> String {
        let url = try TestDatabase.create(prefix: "incremental")
        _ = try SampleDataGenerator(sessions: 2_000, seed: 15).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let connection = try Connection.connect(url)
        for index in IncrementalSourceIndexes.statements(schema: "raw") { try connection.execute(index.sql, name: index.name) }
        try DailyReplay(rawSchema: "raw").holdBack(after: cutoff, on: connection)
        return url
    }

    func incremental(_ connection: Connection, url: String, target: String = "analytics", lookback: Int = 3) throws
        -> IncrementalBuild
    {
        var configuration = Configuration()
        configuration.incrementalLookbackDays = lookback
        return IncrementalBuild(
            connection: connection, configuration: configuration, project: try ModelProject.load(directory: Self.modelsDirectory),
            targetSchema: target, connectionString: url, parallelism: 2, reckonVersion: "test")
    }

    /// A full build published to `target` (recording the state when `recordState`).
    func fullBuild(_ connection: Connection, url: String, target: String, recordState: Bool = true, takesCensus: Bool = false)
        throws
    {
        let build = try incremental(connection, url: url, target: target)
        let builder = build.fullBuilder()
        if !recordState { builder.incrementalState = nil }
        builder.takesCensus = takesCensus
        _ = try builder.build(progress: { _ in })
        try builder.publish()
    }

    /// What `reckon build --incremental` does; returns the counts per reason. `applyingEarly`:
    /// the apply's transaction opened while the delta is built, as the command does; otherwise
    /// the whole transaction runs at the apply (one connection's way).
    @discardableResult
    func incrementalBuild(_ connection: Connection, url: String, applyingEarly: Bool = true) throws -> [IncrementalBuild.Count] {
        let build = try incremental(connection, url: url)
        let decision = try build.decide(forceFull: false)
        guard case .incremental(let recorded) = decision else {
            Issue.record("expected an incremental build: \(decision)")
            return []
        }
        let counts = try build.prepare(recorded, progress: { _ in })
        var progress: (@Sendable (BuildStep) -> Void)? = nil
        if applyingEarly { progress = { _ in } }
        _ = try build.deltaBuilder(applyingEarly: progress).build(progress: { _ in })
        try build.createCandidate()
        try build.apply()
        return counts
    }

    /// Builds the same data in full into `full_copy` and expects both marts of `analytics`
    /// to equal it (md5 per mart), naming `context` and the differing keys when not.
    func expectEqualToAFullBuild(
        _ connection: Connection, url: String, _ context: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try fullBuild(connection, url: url, target: "full_copy", recordState: false)
        for result in try IncrementalComparison.compare(
            marts: ["mart_marketing_attribution", "mart_campaign_daily"], schema: "analytics", other: "full_copy",
            on: connection)
        {
            let prefix = context.map { "\($0) " } ?? ""
            #expect(
                result.isEqual, "\(prefix)\(result.mart): differing keys \(result.differingKeys)", sourceLocation: sourceLocation)
        }
    }

    /// How many sessions the census of the window's events the last publish recorded holds.
    func censusSessions(_ connection: Connection) throws -> Int {
        try connection.execute(
            "select count(*) from reckon_audit.incremental_recent_events where target_schema = 'analytics'", name: "census"
        ).scalar(as: Int.self) ?? 0
    }

    /// Lists what the next incremental run would rebuild, then discards the listing: the
    /// recorded state and the counts per reason; nil (an issue recorded) when it would be full.
    func listNextRun(_ connection: Connection, url: String) throws
        -> (recorded: IncrementalState.Recorded, counts: [IncrementalBuild.Count])?
    {
        let build = try incremental(connection, url: url)
        guard case .incremental(let recorded) = try build.decide(forceFull: false) else {
            Issue.record("expected an incremental build")
            return nil
        }
        let counts = try build.prepare(recorded, progress: { _ in })
        build.discard()
        return (recorded, counts)
    }

    func count(_ counts: [IncrementalBuild.Count], _ what: String, _ reason: String) -> Int {
        counts.first { $0.what == what && $0.reason == reason }?.count ?? 0
    }

    @Test func dayByDayReplayEqualsAFullBuildEveryDay() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics")
        let replay = DailyReplay(rawSchema: "raw")
        var reasonsSeen = Set<String>()
        for index in 0..<4 {
            let day = try replay.advance(on: connection)
            let before = try connection.execute("select count(*) from analytics.mart_marketing_attribution", name: "rows")
                .scalar(as: Int.self)
            // Every other day the apply's transaction runs whole at the end (one connection).
            let counts = try incrementalBuild(connection, url: url, applyingEarly: index % 2 == 0)
            for reason in counts where reason.count > 0 { reasonsSeen.insert(reason.what + "/" + reason.reason) }
            // The rebuilt part is a small share of the history.
            #expect(count(counts, "sessions", "total") < (before ?? 0) / 2, "\(day)")
            try expectEqualToAFullBuild(connection, url: url, "\(day)")
            let after = try connection.execute("select count(*) from analytics.mart_marketing_attribution", name: "rows")
                .scalar(as: Int.self)
            #expect((after ?? 0) > (before ?? 0), "\(day): the day's new sessions are published")
        }
        // The day's changes exercised every kind of reason the replay produces.
        for reason in [
            "sessions/new_sessions", "sessions/recent_events", "sessions/refunds", "sessions/facebook_ids",
            "sessions/facebook_names", "campaign days/statistics", "campaign days/campaigns", "campaign days/affected_sessions",
        ] {
            #expect(reasonsSeen.contains(reason), "no day selected anything for \(reason)")
        }
        // Nothing of the build is left behind.
        let leftovers = try connection.execute(
            "select count(*) from pg_namespace where nspname in ('analytics__staging', 'analytics__delta')", name: "schemas"
        ).scalar(as: Int.self)
        #expect(leftovers == 0)
    }

    /// One change at a time, with no new day: each is found by its own reason alone, and the
    /// marts still equal a full build.
    @Test(arguments: [
        (
            "restated statistics",
            """
            update raw.facebook_ad_statistics set spend = spend + 7 where (date, facebook_ad_id) = (
              select date, facebook_ad_id from raw.facebook_ad_statistics
              where date = '2026-10-14' and facebook_campaign_id is not null order by facebook_ad_id limit 1)
            """,
            "campaign days/statistics"
        ),
        (
            "refund of an old charge",
            """
            with charge as (
              select p.id, p.amount, p.currency, bt.amount as settled from raw.stripe_payments p
              join raw.stripe_balance_transactions bt on bt.id = p.balance_transaction_id
              join raw.funnelfox_subscriptions s on s.psp_id = p.subscription_id
              where p.status = 'succeeded' and p.created_at < '2026-09-15'
                and not exists (select from raw.stripe_refunds r where r.payment_id = p.id)
              order by p.id limit 1
            ), refund as (
              insert into raw.stripe_refunds select 're_test', id, amount, currency, 'succeeded', 'txn_test', '2026-10-24 20:00+00' from charge
            )
            insert into raw.stripe_balance_transactions
            select 'txn_test', 're_test', 'refund', -settled, 0, -settled, 'usd', null, '2026-10-24 20:00+00' from charge
            """,
            "sessions/refunds"
        ),
        (
            "campaign renamed",
            """
            update raw.facebook_campaigns set campaign_name = campaign_name || ' (renamed)'
            where facebook_campaign_id = (
              select facebook_campaign_id from analytics.mart_marketing_attribution
              where facebook_match_tier = 'utm_campaign' group by 1 order by count(*) desc, 1 limit 1)
            """,
            "sessions/facebook_names"
        ),
        (
            "ad deleted",
            """
            delete from raw.facebook_ads where facebook_ad_id = (
              select facebook_ad_id from analytics.mart_marketing_attribution
              where facebook_match_tier = 'ad_id' group by 1 order by count(*) desc, 1 limit 1)
            """,
            "sessions/facebook_ids"
        ),
    ])
    func oneChangeIsFoundByItsReasonAlone(change: String, sql: String, reason: String) throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics")
        try connection.execute(sql, name: change)
        // A lookback of 0 days: only the change itself selects anything beyond the last day.
        let build = try incremental(connection, url: url, lookback: 0)
        let decision = try build.decide(forceFull: false)
        guard case .incremental(let recorded) = decision else {
            Issue.record("expected an incremental build: \(decision)")
            return
        }
        let counts = try build.prepare(recorded, progress: { _ in })
        let parts = reason.split(separator: "/").map(String.init)
        #expect(count(counts, parts[0], parts[1]) > 0, "\(change): \(counts)")
        _ = try build.deltaBuilder().build(progress: { _ in })
        try build.createCandidate()
        try build.apply()
        try expectEqualToAFullBuild(connection, url: url, "\(change)")
        let changedRows = try connection.execute(
            "select count(*) from (select * from analytics.mart_campaign_daily except select * from full_copy.mart_campaign_daily) d",
            name: "sanity"
        ).scalar(as: Int.self)
        #expect(changedRows == 0)
    }

    @Test func firstRunChangedModelsAndNewVersionAreFullBuilds() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        let build = try incremental(connection, url: url)
        guard case .full(let reason) = try build.decide(forceFull: false) else {
            Issue.record("a first run must be full")
            return
        }
        #expect(reason.contains("first run"))
        try fullBuild(connection, url: url, target: "analytics")
        guard case .incremental = try build.decide(forceFull: false) else {
            Issue.record("after a full publish the next run is incremental")
            return
        }
        #expect(try build.decide(forceFull: true) == .full("--full"))
        let newVersion = IncrementalBuild(
            connection: connection, configuration: Configuration(),
            project: try ModelProject.load(directory: Self.modelsDirectory), targetSchema: "analytics", connectionString: url,
            parallelism: 1, reckonVersion: "other")
        guard case .full(let versionReason) = try newVersion.decide(forceFull: false) else {
            Issue.record("a new reckon version forces a full build")
            return
        }
        #expect(versionReason.contains("version"))
        var changed = Configuration()
        changed.paidMediums = ["cpc"]
        let changedModels = IncrementalBuild(
            connection: connection, configuration: changed, project: try ModelProject.load(directory: Self.modelsDirectory),
            targetSchema: "analytics", connectionString: url, parallelism: 1, reckonVersion: "test")
        guard case .full(let modelsReason) = try changedModels.decide(forceFull: false) else {
            Issue.record("changed model configuration forces a full build")
            return
        }
        #expect(modelsReason.contains("models"))
    }

    @Test func anUnappliedDeltaLeavesThePublishedMartsAndTheNextRunCatchesUp() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics")
        let replay = DailyReplay(rawSchema: "raw")
        try replay.advance(on: connection)
        let published = try IncrementalComparison.compare(
            marts: ["mart_marketing_attribution"], schema: "analytics", other: "analytics", on: connection)[0].md5
        // A run stopped after building its delta (a failed check, a kill before the apply's commit).
        let build = try incremental(connection, url: url)
        guard case .incremental(let recorded) = try build.decide(forceFull: false) else {
            Issue.record("expected an incremental build")
            return
        }
        _ = try build.prepare(recorded, progress: { _ in })
        let stateQuery = "select published_at::text from reckon_audit.incremental_state where target_schema = 'analytics'"
        let stateBefore = try connection.execute(stateQuery, name: "state").rows.first?.first ?? nil
        // The apply's transaction opens as the delta build starts: it records the state, and
        // replaces the attribution mart's rows once they are rebuilt, before the build ends.
        let applied = EventLog()
        let steps = try build.deltaBuilder(applyingEarly: { applied.append($0.name) }).build(progress: { _ in })
        // The daily mart waited for its campaign days, which include the rebuilt rows'.
        let names = steps.map(\.name)
        if let keys = names.firstIndex(of: "affected campaign days of the rebuilt rows #3 analyze"),
            let daily = names.firstIndex(where: { $0.hasPrefix("mart_campaign_daily #1") })
        {
            #expect(keys < daily)
        } else {
            Issue.record("no campaign days step or daily mart in \(names)")
        }
        let inserted = "apply: insert into \"analytics\".\"mart_marketing_attribution\""
        let deadline = Date().addingTimeInterval(60)
        while !applied.events.contains(inserted) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(applied.events.contains(inserted), "\(applied.events)")
        #expect(applied.events.contains { $0.hasPrefix("apply: insert into \"reckon_audit\".\"incremental_state\"") })
        #expect(!applied.events.contains { $0.contains("mart_campaign_daily") }, "the daily rows wait for the apply")
        // In order: the state and the deletes, then the rebuilt rows.
        let order = applied.events
        if let delete = order.firstIndex(of: "apply: delete from \"analytics\".\"mart_marketing_attribution\""),
            let insert = order.firstIndex(of: inserted),
            let state = order.firstIndex(where: { $0.hasPrefix("apply: insert into \"reckon_audit\".\"incremental_state\"") })
        {
            #expect(state < insert && delete < insert, "\(order)")
        } else {
            Issue.record("missing apply steps in \(order)")
        }
        // None of it is visible until the apply commits.
        #expect(try connection.execute(stateQuery, name: "state").rows.first?.first ?? nil == stateBefore)
        try build.createCandidate()
        let candidateRows = try connection.execute(
            "select (select count(*) from analytics__staging.mart_marketing_attribution) - (select count(*) from analytics.mart_marketing_attribution)",
            name: "candidate"
        ).scalar(as: Int.self)
        #expect((candidateRows ?? 0) > 0, "the candidate holds the new day's sessions")
        let unchanged = try IncrementalComparison.compare(
            marts: ["mart_marketing_attribution"], schema: "analytics", other: "analytics", on: connection)[0].md5
        #expect(unchanged == published)
        // The run stops here (a failed check): its transaction is rolled back.
        build.discard()
        #expect(try connection.execute(stateQuery, name: "state").rows.first?.first ?? nil == stateBefore)
        // The next day arrives; the next run starts from the last publish and catches up both days.
        try replay.advance(on: connection)
        try incrementalBuild(connection, url: url)
        try expectEqualToAFullBuild(connection, url: url)
    }

    /// After an incremental publish has recorded its census of the lookback window, the next
    /// run selects only what arrived since: nothing when nothing arrived, and exactly the
    /// session of a late event, a late session and the sessions of a late charge — not every
    /// session of the window.
    @Test func theCensusSelectsOnlyWhatArrivedInTheWindow() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics")
        try DailyReplay(rawSchema: "raw").advance(on: connection)
        let first = try incrementalBuild(connection, url: url)
        // After a full build no census is recorded: the whole window is selected once.
        #expect(count(first, "sessions", "recent_events") > 20, "\(first)")
        #expect(try censusSessions(connection) > 20, "the census holds the window's sessions")

        // Nothing arrived: nothing is selected.
        guard let (recorded, nothing) = try listNextRun(connection, url: url) else { return }
        #expect(!recorded.censusFrom.isEmpty)
        #expect(count(nothing, "sessions", "total") == 0, "\(nothing)")
        #expect(count(nothing, "campaign days", "total") == 0, "\(nothing)")

        // Late rows inside the window: copies of published rows, a day before the newest.
        try connection.executeScript(
            """
            create temporary table late_event as
            select e.* from raw.amplitude_events e
            join analytics.mart_marketing_attribution m on m.session_id = e.event_properties->>'ff_session_id'
            where m.session_timestamp < (select max(event_time) - interval '36 hours' from raw.amplitude_events)
              and m.session_timestamp > (select max(event_time) - interval '60 hours' from raw.amplitude_events)
            order by e.uuid limit 1;
            update late_event set uuid = 'late-event', event_time = (select max(event_time) - interval '1 day' from raw.amplitude_events);
            insert into raw.amplitude_events select * from late_event;
            create temporary table late_session as select * from raw.funnelfox_sessions order by id limit 1;
            update late_session set id = 'late-session', created_at = (select max(created_at) - interval '1 day' from raw.funnelfox_sessions);
            insert into raw.funnelfox_sessions select * from late_session;
            create temporary table late_charge as
            select p.* from raw.stripe_payments p join raw.funnelfox_subscriptions s on s.psp_id = p.subscription_id
            where s.session_id is not null and s.sandbox is not true and p.status = 'succeeded' order by p.id limit 1;
            update late_charge set id = 'late-charge', balance_transaction_id = null,
              created_at = (select max(created_at) - interval '1 day' from raw.stripe_payments);
            insert into raw.stripe_payments select * from late_charge;
            update raw.facebook_ad_statistics set spend = spend + 7 where (date, facebook_ad_id) = (
              select date, facebook_ad_id from raw.facebook_ad_statistics
              where date = (select max(date) - 5 from raw.facebook_ad_statistics) and facebook_campaign_id is not null
              order by facebook_ad_id limit 1);
            """, name: "late rows")
        let counts = try incrementalBuild(connection, url: url)
        #expect(count(counts, "sessions", "recent_events") == 1, "\(counts)")
        #expect(count(counts, "sessions", "new_sessions") == 1, "\(counts)")
        #expect(count(counts, "sessions", "charges") == 1, "\(counts)")
        for quiet in ["subscriptions", "refunds", "balance_transactions", "facebook_ids", "facebook_names", "funnels"] {
            #expect(count(counts, "sessions", quiet) == 0, "\(quiet): \(counts)")
        }
        #expect(count(counts, "sessions", "total") <= 3, "\(counts)")
        // The restated statistics row: its campaign day alone, not the restatement window's.
        #expect(count(counts, "campaign days", "statistics") == 1, "\(counts)")
        try expectEqualToAFullBuild(connection, url: url)
        let published = try connection.execute(
            "select count(*) from analytics.mart_marketing_attribution where session_id = 'late-session'", name: "late session"
        ).scalar(as: Int.self)
        #expect(published == 1)
    }

    /// A full build that `--incremental` made full takes the census too: the run after it
    /// selects nothing when nothing arrived, and then only what the next day brings.
    @Test func aFullBuildMadeByIncrementalTakesTheCensus() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics", takesCensus: true)
        let window = try censusSessions(connection)
        #expect(window > 20, "the census holds the window's sessions")
        guard let (recorded, nothing) = try listNextRun(connection, url: url) else { return }
        #expect(
            Set(recorded.censusFrom.keys)
                == Set(["amplitude_events", "facebook_ad_statistics"] + IncrementalState.censusRows.map(\.source)))
        #expect(count(nothing, "sessions", "total") == 0, "\(nothing)")
        try DailyReplay(rawSchema: "raw").advance(on: connection)
        let counts = try incrementalBuild(connection, url: url)
        // The day's sessions and the older ones its late events, payments and renames reach,
        // not the window's other sessions.
        #expect(count(counts, "sessions", "recent_events") < window, "\(counts)")
        try expectEqualToAFullBuild(connection, url: url)
    }

    /// State recorded by a reckon without the census (no `census_from`, no census tables):
    /// the next run reads it, selects the whole window, and adds what is missing.
    @Test func stateRecordedBeforeTheCensusStillDrivesTheNextRun() throws {
        let url = try replayDatabase()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try fullBuild(connection, url: url, target: "analytics")
        try connection.executeScript(
            """
            alter table reckon_audit.incremental_state drop column census_from;
            drop table reckon_audit.incremental_recent_events, reckon_audit.incremental_recent_rows,
              reckon_audit.incremental_recent_statistics;
            """, name: "older audit schema")
        try DailyReplay(rawSchema: "raw").advance(on: connection)
        let counts = try incrementalBuild(connection, url: url)
        #expect(count(counts, "sessions", "recent_events") > 20, "\(counts)")
        // Without a census of the statistics, every campaign day of the restatement window.
        #expect(count(counts, "campaign days", "statistics") > 20, "\(counts)")
        let recorded = try incremental(connection, url: url).state.recorded(on: connection)
        #expect(recorded?.censusFrom.isEmpty == false, "the run recorded its census")
        try expectEqualToAFullBuild(connection, url: url)
    }
}
