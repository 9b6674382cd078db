import Foundation
import PostgresClient
import ReckonCore

/// The set-based SQL that lists what an incremental build rebuilds: the affected sessions
/// (with the reason each was selected for) and the affected campaign days of the daily marts.
///
/// Every session whose mart row can differ from a full build's, given what changed since the
/// last publish (docs/incremental.md, "Affected sessions"):
/// - `new_sessions`: created in the lookback window and arrived since the last publish (its
///   id is not in the census the last publish recorded; without one, not in the published
///   mart);
/// - `recent_events`: with an event that arrived in the lookback window since the last
///   publish (its count of events in the window differs from the census the last publish
///   recorded; without one, every session with an event in the window);
/// - `subscriptions`, `charges`, `refunds`, `balance_transactions`, `stripe_subscriptions`:
///   tied, by the subscription's session or (without one) by every session of its profile,
///   to a subscription, charge, refund or balance transaction that arrived in its window
///   since the last publish (its key is not in the census), or to a Stripe subscription row
///   that changed;
/// - `facebook_ids`: published rows pointing at an ad, ad set or campaign row that was added,
///   changed or deleted, or whose `ad_id` parameter names such an ad;
/// - `facebook_names`: published rows a name tier can reach whose `utm_campaign` /
///   `utm_content` equals an old or new name of such a campaign / ad;
/// - `funnels`: published rows of a funnel row that changed.
///
/// Campaign days (a day in the ad account's time zone and a campaign: the daily mart's key)
/// the daily mart rebuilds: those of the affected sessions' published rows with a campaign
/// (their rebuilt rows' are added once rebuilt, `SessionScope.dailyKeys`), those whose
/// `facebook_ad_statistics` rows changed in the restatement window (Facebook restates the
/// last 28 days; compared with the census the last publish recorded; without one, every
/// campaign day of the window), and every day a changed campaign appears on in the published
/// daily mart or in the statistics.
public struct AffectedSessions: Sendable {
    /// The state's queries (sources, audit schema).
    public let state: IncrementalState
    /// The state of the last publish: its watermarks.
    public let recorded: IncrementalState.Recorded
    /// `incremental.lookback_days`.
    public let lookbackDays: Int
    /// The published per-session mart the dimension reasons read.
    public let attributionMart: String
    /// The published daily marts (keyed by `date` and `facebook_campaign_id`).
    public let dailyMarts: [String]
    /// Days of statistics Facebook may restate.
    public static let restatementDays = 28

    /// Creates the queries.
    public init(
        state: IncrementalState, recorded: IncrementalState.Recorded, lookbackDays: Int, attributionMart: String,
        dailyMarts: [String]
    ) {
        self.state = state
        self.recorded = recorded
        self.lookbackDays = lookbackDays
        self.attributionMart = attributionMart
        self.dailyMarts = dailyMarts
    }

    private func source(_ name: String) -> String { state.source(name) }

    /// `watermark - lookback` of a timestamp source, as an SQL expression.
    func since(_ source: String) -> String {
        let mark = (recorded.watermarks[source] ?? nil).map { SQL.literal($0) } ?? "null"
        return "(coalesce(\(mark)::timestamptz, '-infinity') - interval '\(lookbackDays) days')"
    }

    /// A column of the published attribution mart a changed dimension row is looked up by:
    /// the dimension whose changed ids (or, `byName`, normalized names) it is compared with.
    struct Lookup: Sendable {
        let column: String
        let dimension: String
        let byName: Bool

        /// The compared expression, `lower(trim(…))` for a name; `alias` qualifies the column.
        func expression(alias: String? = nil) -> String {
            let column = (alias.map { "\($0)." } ?? "") + SQL.identifier(self.column)
            return byName ? "lower(trim(\(column)))" : column
        }
    }

    /// The lookups `dimensionLookups` runs, in order.
    static let lookups = [
        Lookup(column: "ad_id", dimension: "facebook_ads", byName: false),
        Lookup(column: "facebook_ad_id", dimension: "facebook_ads", byName: false),
        Lookup(column: "facebook_adset_id", dimension: "facebook_adsets", byName: false),
        Lookup(column: "facebook_campaign_id", dimension: "facebook_campaigns", byName: false),
        Lookup(column: "utm_campaign", dimension: "facebook_campaigns", byName: true),
        Lookup(column: "utm_content", dimension: "facebook_ads", byName: true),
    ]

    /// The published rows a changed name can move (`alias` `m`): the name tiers match only
    /// Facebook traffic, and only when the `ad_id` tier, which outranks them and reads no
    /// name, did not match (docs/mart.md). A row matched by `ad_id` whose ad, ad set or
    /// campaign row changed is found by its ids.
    static let nameTiersReach = "m.is_facebook_traffic and m.facebook_match_tier is distinct from 'ad_id'"

    /// The lookup column the attribution mart's model indexes itself (its
    /// `(facebook_campaign_id, session_date)` index); `lookupIndexes()` makes the others'.
    static let columnIndexedByTheModel = "facebook_campaign_id"

    /// The partial indexes of the published attribution mart that only the incremental build
    /// reads (the dimension lookups, and the daily mart's rebuild: `dailyReadColumns`), as `create index if not exists` statements (name, SQL).
    /// `prepare` runs them before it lists the affected sessions: a no-op when they exist, a
    /// read of the mart per index the first time after a full build published a new mart
    /// (a full build does not make them, so the CI gate's builds do not pay for them).
    /// `index` is the qualified index name, for `to_regclass`: `prepare` runs the statement
    /// only when the index is missing, because `create index if not exists` takes its table
    /// lock first, and so would wait for, then cancel, an autovacuum of the published mart.
    public func lookupIndexes() -> [(name: String, index: String, sql: String)] {
        let mart = SQL.qualified(schema: state.targetSchema, name: attributionMart)
        let byColumn = Self.lookups.filter { $0.column != Self.columnIndexedByTheModel }.map { lookup in
            let name = "\(attributionMart)_\(lookup.column)_lookup"
            let indexed = lookup.byName ? "(\(lookup.expression()))" : lookup.expression()
            return (
                "lookup index \(lookup.column)",
                SQL.qualified(schema: state.targetSchema, name: name),
                "create index if not exists \(SQL.identifier(name)) on \(mart) (\(indexed)) where \(SQL.identifier(lookup.column)) is not null"
            )
        }
        let daily = "\(attributionMart)_daily_lookup"
        let columns = Self.dailyReadColumns.map(SQL.identifier).joined(separator: ", ")
        return byColumn + [
            (
                "lookup index daily",
                SQL.qualified(schema: state.targetSchema, name: daily),
                """
                create index if not exists \(SQL.identifier(daily)) on \(mart) (facebook_campaign_id, session_date)
                include (\(columns)) where facebook_campaign_id is not null
                """
            )
        ]
    }

    /// The attribution mart's columns the daily mart's rebuild reads on its campaign days
    /// (`SessionScope.candidateOnDailyKeys`), besides the key: the `daily` lookup index holds
    /// them, so the read is one range of that index per campaign day. Through the
    /// `(facebook_campaign_id, session_date)` index alone it fetched each row from the wide
    /// mart's heap, where a campaign day's rows lie apart; a daily model edited to read other
    /// columns stays correct, and reads them there.
    static let dailyReadColumns = ["session_timestamp", "converted", "revenue_usd", "session_id"]

    /// The published rows a changed dimension row can move, each found through an index of
    /// the published mart (`= any(array(…))` probes the index once per changed key; nothing
    /// is read when no such row changed): `facebook_ids` by `ad_id`, `facebook_ad_id`,
    /// `facebook_adset_id` and `facebook_campaign_id`, `facebook_names` by
    /// `lower(trim(utm_campaign))` and `lower(trim(utm_content))` (`lookupIndexes()`, and the
    /// model's campaign index). A changed funnel moves a ninth of the history: it is found by
    /// a scan of the mart, which runs only when a funnel row changed.
    func dimensionLookups(mart: String, ids: (String) -> String, names: (String) -> String) -> String {
        // `is not null` lets the planner use the partial indexes (`where … is not null`).
        let indexed = Self.lookups.map { lookup in
            """
            union all
            select \(SQL.literal(lookup.byName ? "facebook_names" : "facebook_ids")), m.session_id from \(mart) m
            where m.\(SQL.identifier(lookup.column)) is not null
              and \(lookup.expression(alias: "m")) = any(array\(lookup.byName ? names(lookup.dimension) : ids(lookup.dimension)))\(lookup.byName ? "\n  and " + Self.nameTiersReach : "")
            """
        }
        let funnels = ids("funnelfox_funnels")
        return
            (indexed + [
                """
                union all
                select 'funnels', m.session_id from \(mart) m
                where m.funnel_id in \(funnels) and exists \(funnels)
                """
            ]).joined(separator: "\n")
    }

    /// The census tables a listing into `schema` makes (what its publish records).
    public static func census(in schema: String) -> IncrementalState.Census {
        IncrementalState.census(in: schema, withDimensions: true)
    }

    /// Whether the last publish recorded a census of `source`'s window.
    func hasCensus(_ source: String) -> Bool { recorded.censusFrom[source] != nil }

    /// The start of the window of `source` the last publish took a census of, as an SQL
    /// expression: the recorded one, or (none recorded) the watermark minus the lookback.
    func recordedWindowFrom(_ source: String) -> String {
        recorded.censusFrom[source].map { "\(SQL.literal($0))::timestamptz" } ?? since(source)
    }

    /// The sessions with an event that arrived in the recorded window since the last publish:
    /// whose count differs from the recorded one. Without a recorded census (after a full
    /// build), every session with an event in the window.
    func recentSessionsSQL(_ census: IncrementalState.Census) -> String {
        guard hasCensus("amplitude_events") else { return "select session_id from \(census.eventCounts)" }
        return """
            select coalesce(c.session_id, r.session_id) as session_id
            from \(census.eventCounts) c
            full join (
              select session_id, events from \(state.audit("incremental_recent_events"))
              where target_schema = \(SQL.literal(state.targetSchema))
            ) r on r.session_id = c.session_id
            where c.events is distinct from r.events
            """
    }

    /// The rows of `IncrementalState.censusRows` in the recorded window of their source,
    /// whether each `arrived` since the last publish (its key was not recorded; without a
    /// recorded census, every row of the window, but for a session: one not in the published
    /// mart) and is `in_next` window (recorded next).
    func recentRowsSQL(windows: String) -> String {
        let mart = SQL.qualified(schema: state.targetSchema, name: attributionMart)
        return state.censusRowsSQL(windows: windows) { source, key in
            let arrived =
                if hasCensus(source) {
                    """
                    not exists (select from \(state.audit("incremental_recent_rows")) r
                                  where r.target_schema = \(SQL.literal(state.targetSchema)) and r.source = \(SQL.literal(source)) and r.id = \(key))
                    """
                } else if source == "funnelfox_sessions" {
                    "not exists (select from \(mart) p where p.session_id = \(key))"
                } else {
                    "true"
                }
            return (recordedWindowFrom(source), arrived)
        }
    }

    /// The statements that list the affected sessions and days: `lanes` may run side by side
    /// (each on its own connection, in order), `then` after all of them.
    public struct Plan: Sendable {
        /// Independent statement sequences.
        public let lanes: [[(name: String, sql: String)]]
        /// The statements that read what the lanes made.
        public let then: [(name: String, sql: String)]
    }

    /// The statements that create, in `schema`, `changed_dimensions`, `affected_reasons`,
    /// `affected_sessions (session_id)`, `affected_day_reasons` and `affected_day_keys (day,
    /// facebook_campaign_id)`.
    /// `temporary` makes temporary tables (a dry run), `schema` is then ignored.
    public func plan(into schema: String, temporary: Bool = false) -> Plan {
        // Unlogged: the listing's tables live until the apply, and nothing of them needs to
        // survive a crash (the next run lists again).
        let create = temporary ? "create temporary table" : "create unlogged table"
        func table(_ name: String) -> String { temporary ? SQL.identifier(name) : SQL.qualified(schema: schema, name: name) }
        let target = SQL.literal(state.targetSchema)
        let changed = table("changed_dimensions")
        let census = IncrementalState.census(withDimensions: true, table)
        // `column` names a row of `source` that arrived in its window since the last publish.
        func arrived(_ source: String, _ column: String) -> String {
            "\(column)::text in (select id from \(census.rows) where source = \(SQL.literal(source)) and arrived)"
        }
        let mart = SQL.qualified(schema: state.targetSchema, name: attributionMart)
        func changedIds(_ dimension: String) -> String {
            "(select id from \(changed) where source = \(SQL.literal(dimension)))"
        }
        func changedNames(_ dimension: String) -> String {
            "(select name_key from \(changed) where source = \(SQL.literal(dimension)) and name_key is not null)"
        }
        let statisticsMark = (recorded.watermarks["facebook_ad_statistics"] ?? nil).map { SQL.literal($0) } ?? "null"
        // The restatement window the last publish took a census of, or the days after its
        // statistics' watermark minus the restatement days.
        let statisticsFrom =
            recorded.censusFrom["facebook_ad_statistics"].map { "\(SQL.literal($0))::date" }
            ?? "(coalesce(\(statisticsMark)::date, '-infinity'::date) - \(Self.restatementDays))"
        // The current rows are compared as they are read (a materialized CTE, not a table);
        // the current rows of the keys that differ are kept beside them for the publish to
        // record.
        let changedDimensions = """
            \(create) \(changed) as
            with current_rows as materialized (
              \(state.currentDimensionRows)
            ),
            recorded_rows as (
              select source, id, name_key, row_md5 from \(state.audit("incremental_dimensions")) where target_schema = \(target)
            ),
            differing as (
              (select * from current_rows except select * from recorded_rows)
              union
              (select * from recorded_rows except select * from current_rows)
            )
            select source, id, name_key, row_md5, false as is_current from differing
            union all
            select source, id, name_key, row_md5, true from current_rows
            where (source, coalesce(id, '')) in (select source, coalesce(id, '') from differing)
            """
        let reasons = """
            \(create) \(table("affected_reasons")) as
            with psp_changes as (
              select 'charges' as reason, p.subscription_id as psp_id
              from \(source("stripe_payments")) p where \(arrived("stripe_payments", "p.id"))
              union all
              select 'refunds', p.subscription_id
              from \(source("stripe_refunds")) r join \(source("stripe_payments")) p on p.id = r.payment_id
              where \(arrived("stripe_refunds", "r.id"))
              union all
              select 'balance_transactions', p.subscription_id
              from \(source("stripe_balance_transactions")) bt
              join \(source("stripe_payments")) p on p.balance_transaction_id = bt.id
              where \(arrived("stripe_balance_transactions", "bt.id"))
              union all
              select 'balance_transactions', p.subscription_id
              from \(source("stripe_balance_transactions")) bt
              join \(source("stripe_refunds")) r on r.balance_transaction_id = bt.id
              join \(source("stripe_payments")) p on p.id = r.payment_id
              where \(arrived("stripe_balance_transactions", "bt.id"))
              union all
              select 'stripe_subscriptions', id from \(changed) where source = 'stripe_subscriptions'
            ),
            subscription_changes as (
              select 'subscriptions' as reason, s.session_id, s.profile_id
              from \(source("funnelfox_subscriptions")) s where \(arrived("funnelfox_subscriptions", "s.id"))
              union all
              select c.reason, s.session_id, s.profile_id
              from \(source("funnelfox_subscriptions")) s join psp_changes c on c.psp_id = s.psp_id
            )
            select 'new_sessions' as reason, id as session_id
            from \(census.rows) where source = 'funnelfox_sessions' and arrived
            union all
            select c.reason, c.session_id from subscription_changes c where c.session_id is not null
            union all
            select c.reason, s.id
            from subscription_changes c join \(source("funnelfox_sessions")) s on s.profile_id = c.profile_id
            where c.session_id is null
            \(dimensionLookups(mart: mart, ids: changedIds, names: changedNames))
            """
        let sessions = table("affected_sessions")
        // The campaign days of the affected sessions' published rows (by primary key); their
        // rebuilt rows' are added once rebuilt (`SessionScope.dailyKeys`).
        var days = """
            \(create) \(table("affected_day_reasons")) as
            select 'affected_sessions' as reason, \(SessionScope.day("m", timeZone: state.configuration.adAccountTimeZone)) as day,
                   m.facebook_campaign_id::text as facebook_campaign_id
            from \(mart) m
            where m.session_id = any(array(select session_id from \(sessions)))
              and m.session_timestamp is not null and m.facebook_campaign_id is not null
            union all
            select 'campaigns', st.date, st.facebook_campaign_id::text from \(source("facebook_ad_statistics")) st
            where st.facebook_campaign_id in \(changedIds("facebook_campaigns"))
            """
        for daily in dailyMarts {
            days += """

                union all
                select 'campaigns', d.date, d.facebook_campaign_id::text from \(SQL.qualified(schema: state.targetSchema, name: daily)) d
                where d.facebook_campaign_id in \(changedIds("facebook_campaigns"))
                """
        }
        // The campaign days whose statistics changed in the recorded restatement window: the
        // hash of their rows differs from the census (a day restated, added or deleted). Without a
        // census, every campaign day of the window, in the statistics or the published daily
        // marts (a day whose rows were deleted is there only).
        if hasCensus("facebook_ad_statistics") {
            days += """

                union all
                select 'statistics', coalesce(c.day, r.day), coalesce(c.facebook_campaign_id, r.facebook_campaign_id)
                from \(census.statistics) c
                full join (
                  select day, facebook_campaign_id, rows_hash from \(state.audit("incremental_recent_statistics"))
                  where target_schema = \(target)
                ) r on r.day = c.day and r.facebook_campaign_id = c.facebook_campaign_id
                where c.rows_hash is distinct from r.rows_hash
                """
        } else {
            days += """

                union all
                select 'statistics', day, facebook_campaign_id from \(census.statistics)
                """
            for daily in dailyMarts {
                days += """

                    union all
                    select 'statistics', d.date, d.facebook_campaign_id::text from \(SQL.qualified(schema: state.targetSchema, name: daily)) d
                    where d.date > \(statisticsFrom)
                    """
            }
        }
        // Two lanes a build runs side by side: the reasons from the small tables, the
        // published marts' indexes and the sessions' `created_at`; and the sessions of the
        // events in the lookback window, read through the `event_time` index (the planner
        // underestimates how clustered they are and would scan every event).
        // The next windows start no earlier than the recorded ones (the census reads from there).
        let rowsWindows = state.censusRowsWindowsSQL(lookbackDays: lookbackDays) { recordedWindowFrom($0) }
        let eventsWindow = state.censusWindowStart(
            "amplitude_events", lookbackDays: lookbackDays, notBefore: recordedWindowFrom("amplitude_events"))
        let lanes: [[(name: String, sql: String)]] = [
            [
                // Compiling these wide statements (JIT) took longer than running them.
                ("no jit", "set jit = off"),
                ("changed dimension rows", changedDimensions),
                ("recent rows windows", "\(create) \(census.rowsWindows) as \(rowsWindows)"),
                ("recent rows", "\(create) \(census.rows) as \(recentRowsSQL(windows: census.rowsWindows))"),
                ("affected sessions by reason", reasons),
            ],
            [
                ("read recent events by index", "set enable_seqscan = off"),
                // Grouped by hashing: the planner expects a few thousand sessions where there
                // are tens of thousands and sorts ~1M session ids otherwise (0.81–0.88 s
                // against 0.63–0.65 s at 1,000,000 sessions; a hash aggregate spills to disk
                // past work_mem, so it holds at any size).
                ("group recent events by hashing", "set enable_sort = off"),
                ("no jit", "set jit = off"),
                (
                    "recent events window",
                    "\(create) \(census.eventsWindow) as select \(eventsWindow) as from_time"
                ),
                (
                    "recent events per session",
                    "\(create) \(census.eventCounts) as \(state.censusEventCountsSQL(from: recordedWindowFrom("amplitude_events"), window: census.eventsWindow))"
                ),
                ("read recent events by index", "reset enable_seqscan"),
                ("group recent events by hashing", "reset enable_sort"),
                ("sessions of recent events", "\(create) \(table("affected_recent_sessions")) as \(recentSessionsSQL(census))"),
                (
                    "recent statistics window",
                    "\(create) \(census.statisticsWindow) as \(state.censusStatisticsWindowSQL(notBefore: hasCensus("facebook_ad_statistics") ? statisticsFrom : nil))"
                ),
                (
                    "recent statistics",
                    "\(create) \(census.statistics) as \(state.censusStatisticsSQL(from: statisticsFrom, window: census.statisticsWindow))"
                ),
            ],
        ]
        return Plan(
            lanes: lanes,
            then: [
                (
                    "affected sessions by recent events",
                    "insert into \(table("affected_reasons")) select 'recent_events', session_id from \(table("affected_recent_sessions"))"
                ),

                (
                    "affected sessions",
                    "\(create) \(sessions) as select distinct session_id from \(table("affected_reasons")) where session_id is not null"
                ),
                ("affected sessions key", "alter table \(sessions) add primary key (session_id)"),
                // A vacuum too: it marks the fresh table's pages all-visible, so the delta's
                // anti-joins read only its primary key's index (an `analyze` alone left every
                // index probe to fetch its row from the heap).
                ("vacuum affected sessions", "vacuum (analyze) \(sessions)"),
                ("affected campaign days by reason", days),
                (
                    "affected campaign days",
                    """
                    \(create) \(table("affected_day_keys")) as
                    select distinct day, facebook_campaign_id from \(table("affected_day_reasons"))
                    where day is not null and facebook_campaign_id is not null
                    """
                ),
                ("affected campaign days key", "alter table \(table("affected_day_keys")) add primary key (day, facebook_campaign_id)"),
                ("vacuum affected campaign days", "vacuum (analyze) \(table("affected_day_keys"))"),
            ])
    }

    /// The statements of `plan(into:temporary:)` in an order that runs on one connection.
    public func statements(into schema: String, temporary: Bool = false) -> [(name: String, sql: String)] {
        let plan = plan(into: schema, temporary: temporary)
        return plan.lanes.flatMap { $0 } + plan.then
    }

    /// Per reason, the sessions and days it selects (a session or day may have several reasons),
    /// then the totals under `total`.
    public static func countsSQL(in schema: String?) -> String {
        func table(_ name: String) -> String { schema.map { SQL.qualified(schema: $0, name: name) } ?? SQL.identifier(name) }
        return """
            select 'sessions' as what, reason, count(distinct session_id) from \(table("affected_reasons")) group by reason
            union all select 'sessions', 'total', count(*) from \(table("affected_sessions"))
            union all select 'campaign days', reason, count(distinct (day, facebook_campaign_id)) from \(table("affected_day_reasons"))
              where day is not null and facebook_campaign_id is not null group by reason
            union all select 'campaign days', 'total', count(*) from \(table("affected_day_keys"))
            order by 1 desc, 2
            """
    }
}
