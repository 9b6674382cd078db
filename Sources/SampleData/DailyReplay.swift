import Foundation
import PostgresClient

/// Replays the generated history day by day, for testing and measuring incremental builds.
///
/// `holdBack(after:)` keeps in the raw schema only the rows that had *arrived* by the end of
/// a cut-off day (UTC) and moves the rest into `<raw>__future`; `advance()` then delivers the
/// next day: the rows arriving that day, plus the changes a real warehouse sees on an
/// ordinary morning — a refund on a charge weeks old, a campaign renamed, an ad deleted and a
/// statistics day restated. Every step is set-based SQL and depends only on the data and the
/// day, so the same seed replays the same history.
///
/// A row arrives at its own time (`created_at`, `created_time`, `event_time`, the end of a
/// statistics day); rows without a time are there from the start. One event in fifty arrives
/// two days late, inside the default lookback of incremental builds.
public struct DailyReplay: Sendable {
    /// The schema the raw tables live in.
    public var rawSchema: String
    /// The schema holding the rows that have not arrived yet.
    public var futureSchema: String { rawSchema + "__future" }

    /// Creates a replay of the tables in `rawSchema`.
    public init(rawSchema: String) { self.rawSchema = rawSchema }

    /// When each table's rows arrive (an expression over the table alias `t`).
    static let arrivals: [(table: String, arrival: String)] = [
        ("facebook_campaigns", "t.created_time"),
        ("facebook_adsets", "t.created_time"),
        ("facebook_ads", "t.created_time"),
        ("facebook_ad_statistics", "(t.date::timestamp at time zone 'UTC') + interval '1 day' - interval '1 second'"),
        ("funnelfox_funnels", "null::timestamptz"),
        ("funnelfox_sessions", "t.created_at"),
        ("funnelfox_subscriptions", "t.created_at"),
        (
            "amplitude_events",
            "t.event_time + case when abs(hashtext(coalesce(t.uuid, t.event_type, ''))) % 50 = 7 "
                + "then interval '2 days' else interval '0' end"
        ),
        ("stripe_subscriptions", "t.created_at"),
        ("stripe_payments", "t.created_at"),
        ("stripe_refunds", "t.created_at"),
        ("stripe_balance_transactions", "t.created_at"),
    ]

    private func raw(_ table: String) -> String { SQL.qualified(schema: rawSchema, name: table) }
    private func future(_ table: String) -> String { SQL.qualified(schema: futureSchema, name: table) }

    /// `(day + 1) 00:00 UTC` as a timestamptz literal: rows arriving before it have arrived by the end of `day`.
    static func endOf(_ day: String) -> String { "(\(SQL.literal(day))::date + 1)::timestamp at time zone 'UTC'" }

    /// Moves every row arriving after the end of `day` (`YYYY-MM-DD`, UTC) into the future
    /// schema, replacing an earlier one, and remembers `day` as the replay's current day.
    public func holdBack(after day: String, on connection: Connection) throws {
        try Self.validate(day)
        try connection.execute("drop schema if exists \(SQL.identifier(futureSchema)) cascade", name: "replay: drop future")
        try connection.execute("create schema \(SQL.identifier(futureSchema))", name: "replay: create future")
        for (table, arrival) in Self.arrivals {
            let later = "coalesce(\(arrival), '-infinity') >= \(Self.endOf(day))"
            try connection.execute(
                "create table \(future(table)) as select t.* from \(raw(table)) t where \(later)", name: "replay: hold back \(table)")
            // Rewritten rather than deleted from, so that no dead rows slow the scans of the history.
            let kept = future("kept_" + table)
            try connection.execute(
                "create table \(kept) as select t.* from \(raw(table)) t where not (\(later))", name: "replay: keep \(table)")
            try connection.execute("truncate \(raw(table))", name: "replay: keep \(table)")
            try connection.execute("insert into \(raw(table)) select * from \(kept)", name: "replay: keep \(table)")
            try connection.execute("drop table \(kept)", name: "replay: keep \(table)")
            try connection.execute("analyze \(raw(table))", name: "replay: analyze \(table)")
        }
        try connection.execute(
            "create table \(future("replay_clock")) as select \(SQL.literal(day))::date as day", name: "replay: clock")
    }

    /// The replay's current day (the last day delivered), or nil when nothing is held back.
    public func currentDay(on connection: Connection) throws -> String? {
        let exists = try connection.execute(
            "select to_regclass($1) is not null", name: "replay: clock", [future("replay_clock")]
        ).scalar(as: Bool.self)
        guard exists == true else { return nil }
        return try connection.execute("select day::text from \(future("replay_clock"))", name: "replay: clock").scalar(
            as: String.self)
    }

    /// Delivers the day after the current one in one transaction: its arriving rows, a refund
    /// of an old charge, a renamed campaign, a deleted ad and a restated statistics row.
    /// Returns the day delivered.
    @discardableResult
    public func advance(on connection: Connection) throws -> String {
        guard let current = try currentDay(on: connection) else {
            throw SampleDataError(
                description: "nothing is held back in \(futureSchema): run reckon generate with --until YYYY-MM-DD first")
        }
        let day =
            try connection.execute(
                "select (\(SQL.literal(current))::date + 1)::text", name: "replay: next day"
            ).scalar(as: String.self) ?? current
        try connection.execute("begin", name: "replay: advance")
        do {
            for (table, arrival) in Self.arrivals {
                let arrived = "coalesce(\(arrival), '-infinity') < \(Self.endOf(day))"
                try connection.execute(
                    "insert into \(raw(table)) select t.* from \(future(table)) t where \(arrived)", name: "replay: deliver \(table)")
                try connection.execute("delete from \(future(table)) t where \(arrived)", name: "replay: deliver \(table)")
            }
            for (name, statement) in mutations(day: day) { try connection.execute(statement, name: "replay: \(name)") }
            try connection.execute("update \(future("replay_clock")) set day = \(SQL.literal(day))::date", name: "replay: clock")
            try connection.execute("commit", name: "replay: advance")
        } catch {
            _ = try? connection.execute("rollback", name: "replay: rollback")
            throw error
        }
        for (table, _) in Self.arrivals { try connection.execute("analyze \(raw(table))", name: "replay: analyze \(table)") }
        return day
    }

    /// The day's changes to rows that arrived before, each picked by a hash of its key and the day.
    func mutations(day: String) -> [(String, String)] {
        let dayLiteral = SQL.literal(day)
        let noon = "(\(dayLiteral)::date::timestamp at time zone 'UTC' + interval '12 hours')"
        let pick = { (key: String) in "md5(\(key) || \(dayLiteral))" }
        let compact = day.replacingOccurrences(of: "-", with: "")
        return [
            (
                "refund an old charge",
                """
                with charge as (
                  select p.id, bt.amount as settled, p.amount, p.currency
                  from \(raw("stripe_payments")) p
                  join \(raw("stripe_balance_transactions")) bt on bt.id = p.balance_transaction_id
                  where p.status = 'succeeded' and p.created_at < \(dayLiteral)::date - 20
                    and not exists (select from \(raw("stripe_refunds")) r where r.payment_id = p.id)
                  order by \(pick("p.id")) limit 1
                ), refund as (
                  insert into \(raw("stripe_refunds"))
                  select 're_replay_\(compact)', id, amount, currency, 'succeeded', 'txn_replay_\(compact)', \(noon)
                  from charge returning payment_id
                )
                insert into \(raw("stripe_balance_transactions"))
                select 'txn_replay_\(compact)', 're_replay_\(compact)', 'refund', -settled, 0, -settled, 'usd', null, \(noon)
                from charge
                """
            ),
            (
                "rename a campaign",
                """
                update \(raw("facebook_campaigns")) set campaign_name = campaign_name || ' (renamed \(day))'
                where facebook_campaign_id = (
                  select facebook_campaign_id from \(raw("facebook_campaigns")) where campaign_name is not null
                  order by \(pick("facebook_campaign_id")) limit 1)
                """
            ),
            (
                "delete an ad",
                """
                delete from \(raw("facebook_ads"))
                where facebook_ad_id = (select facebook_ad_id from \(raw("facebook_ads")) order by \(pick("facebook_ad_id")) limit 1)
                """
            ),
            (
                "restate a statistics day",
                """
                update \(raw("facebook_ad_statistics")) set spend = spend + 1, clicks = clicks + 1
                where (date, facebook_ad_id) in (
                  select date, facebook_ad_id from \(raw("facebook_ad_statistics"))
                  where date = \(dayLiteral)::date - 5 order by \(pick("facebook_ad_id")) limit 1)
                """
            ),
        ]
    }

    /// Throws unless `day` is a `YYYY-MM-DD` date.
    static func validate(_ day: String) throws {
        guard day.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else {
            throw SampleDataError(description: "a replay day is written YYYY-MM-DD, found '\(day)'")
        }
    }
}

/// The indexes an incremental build reads the raw tables through (docs/incremental.md):
/// events by session and by time, sessions by time and by profile.
public enum IncrementalSourceIndexes {
    /// `create index if not exists` statements for the tables of `schema`.
    public static func statements(schema: String) -> [(name: String, sql: String)] {
        let events = SQL.qualified(schema: schema, name: "amplitude_events")
        let sessions = SQL.qualified(schema: schema, name: "funnelfox_sessions")
        return [
            (
                "amplitude_events_ff_session_id",
                "create index if not exists amplitude_events_ff_session_id on \(events) ((event_properties->>'ff_session_id'))"
            ),
            ("amplitude_events_event_time", "create index if not exists amplitude_events_event_time on \(events) (event_time)"),
            ("funnelfox_sessions_created_at", "create index if not exists funnelfox_sessions_created_at on \(sessions) (created_at)"),
            ("funnelfox_sessions_profile_id", "create index if not exists funnelfox_sessions_profile_id on \(sessions) (profile_id)"),
        ]
    }
}
