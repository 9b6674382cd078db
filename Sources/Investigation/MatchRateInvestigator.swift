import Foundation
import PostgresClient
import ReckonCore

/// Investigates a drop of the Facebook match rate on the published mart: compares a period
/// with the days before it and ranks the causes (docs/investigate.md).
///
/// All row work is set-based SQL: one scan of the mart copies the Facebook sessions of the
/// period and the baseline into a temporary table (a few columns, the URL parameter states),
/// and every finding is one aggregate over it. reckon holds only the aggregates.
public struct MatchRateInvestigator: Sendable {
    /// Configuration: target schema default and the source mapping of the facebook_* tables.
    public var configuration: Configuration
    /// Schema of the published mart.
    public var targetSchema: String
    /// First day of the period (`YYYY-MM-DD`).
    public var date: String
    /// Last day of the period (default: `date`).
    public var until: String?
    /// Number of days before the period that form the baseline.
    public var baselineDays: Int
    /// Whether to use `pg_trgm` when available (false forces the normalised-equality fallback).
    public var useTrigrams: Bool
    /// Lowest similarity that counts as a near miss with `pg_trgm`.
    public var similarityThreshold = 0.45
    /// Number of unmatched values per parameter searched for near misses.
    public var nearMissCandidates = 50

    /// Creates an investigator.
    public init(
        configuration: Configuration, targetSchema: String, date: String, until: String? = nil, baselineDays: Int = 7,
        useTrigrams: Bool = true
    ) {
        self.configuration = configuration
        self.targetSchema = targetSchema
        self.date = date
        self.until = until
        self.baselineDays = baselineDays
        self.useTrigrams = useTrigrams
    }

    var mart: String { SQL.qualified(schema: targetSchema, name: "mart_marketing_attribution") }

    func source(_ name: String) -> String {
        let (schema, table) = configuration.sourceTable(name)
        return SQL.qualified(schema: schema, name: table)
    }

    /// Runs the investigation on `connection` (temporary tables live in its session).
    public func run(on connection: Connection) throws -> MatchRateReport {
        let periodEnd = until ?? date
        for day in [date, periodEnd] where !Self.isDate(day) {
            throw InvestigationError(.badArguments, "invalid date \(day): expected YYYY-MM-DD")
        }
        guard periodEnd >= date else {
            throw InvestigationError(.badArguments, "--until \(periodEnd) is before --date \(date)")
        }
        guard baselineDays >= 1 else { throw InvestigationError(.badArguments, "--baseline-days must be at least 1") }
        try checkMartExists(connection)
        let baselineStart =
            try connection.execute(
                "select ($1::date - $2::int)::text", name: "investigate: baseline start", [date, String(baselineDays)]
            ).rows.first?[0] ?? date
        let baselineEnd =
            try connection.execute("select ($1::date - 1)::text", name: "investigate: baseline end", [date]).rows.first?[0]
            ?? date
        let window = Window(periodStart: date, periodEnd: periodEnd, baselineStart: baselineStart, baselineEnd: baselineEnd)

        try connection.execute("drop table if exists pg_temp.investigate_sessions", name: "investigate: reset")
        try connection.execute(sessionsTableSQL(window), name: "investigate: sessions of the period and baseline")
        try connection.execute("analyze pg_temp.investigate_sessions", name: "investigate: analyze")

        let totals = try connection.execute(
            """
            select count(*) filter (where is_current), count(*) filter (where is_current and tier is not null),
                   count(distinct session_date) filter (where is_current),
                   count(*) filter (where not is_current), count(*) filter (where not is_current and tier is not null),
                   count(distinct session_date) filter (where not is_current)
            from pg_temp.investigate_sessions
            """, name: "investigate: totals")
        let row = totals.rows.first ?? []
        func int(_ index: Int) -> Int { row.indices.contains(index) ? Int(row[index] ?? "0") ?? 0 : 0 }
        let period = MatchRateReport.RateFigures(sessions: int(0), matched: int(1), days: int(2))
        let baseline = MatchRateReport.RateFigures(sessions: int(3), matched: int(4), days: int(5))
        guard period.sessions > 0 else {
            throw InvestigationError(
                .noData, "no Facebook-traffic sessions in \(mart) on \(window.periodLabel)\(try dataRange(connection))")
        }
        guard baseline.sessions > 0 else {
            throw InvestigationError(
                .noData,
                "no Facebook-traffic sessions in the baseline \(baselineStart) … \(baselineEnd) before \(date)\(try dataRange(connection)); choose a later --date or more --baseline-days"
            )
        }

        let trigramSchema = useTrigrams ? Self.trigramSchema(connection) : nil
        let volume = Double(period.sessions) / Double(baseline.sessions)
        var findings: [Finding] = []
        findings += try valueFindings(connection, window: window, volume: volume, trigramSchema: trigramSchema)
        findings += try unknownAdIdFindings(connection, window: window, volume: volume)
        findings += try parameterFindings(connection, window: window, volume: volume)
        findings.sort { left, right in
            if left.excessSessions != right.excessSessions { return left.excessSessions > right.excessSessions }
            if left.sessions != right.sessions { return left.sessions > right.sessions }
            if left.kind.tieRank != right.kind.tieRank { return left.kind.tieRank < right.kind.tieRank }
            return (left.kind.rawValue, left.parameter, left.value ?? "", left.funnel ?? "")
                < (right.kind.rawValue, right.parameter, right.value ?? "", right.funnel ?? "")
        }
        let tiers = try tierChanges(connection, period: period, baseline: baseline)
        var decompositions: [MatchRateReport.Decomposition] = []
        for dimension in Self.dimensions {
            decompositions.append(try decomposition(connection, dimension: dimension, window: window, period: period, baseline: baseline))
        }
        decompositions.sort { $0.rateEffectSessions + $0.mixEffectSessions > $1.rateEffectSessions + $1.mixEffectSessions }
        try connection.execute("drop table if exists pg_temp.investigate_sessions", name: "investigate: clean up")
        return MatchRateReport(
            martTable: "\(targetSchema).mart_marketing_attribution", periodStart: date, periodEnd: periodEnd,
            baselineStart: baselineStart, baselineEnd: baselineEnd, period: period, baseline: baseline,
            nearMissMethod: trigramSchema == nil ? "normalised equality" : "pg_trgm", tiers: tiers,
            decompositions: decompositions, findings: findings)
    }

    /// The days of the period and the baseline.
    struct Window {
        var periodStart: String
        var periodEnd: String
        var baselineStart: String
        var baselineEnd: String
        var periodLabel: String { periodStart == periodEnd ? periodStart : "\(periodStart) … \(periodEnd)" }
        /// The period as an SQL condition on `session_date` (literals, for the listing SQL).
        var periodCondition: String {
            "session_date between \(SQL.literal(periodStart))::date and \(SQL.literal(periodEnd))::date"
        }
    }

    static func isDate(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
    }

    func checkMartExists(_ connection: Connection) throws {
        let exists = try connection.execute(
            "select to_regclass($1) is not null", name: "investigate: mart exists", [mart]
        ).rows.first?[0]
        guard exists == "t" else {
            throw InvestigationError(
                .martMissing,
                "the mart \(targetSchema).mart_marketing_attribution does not exist: build it first (reckon build or reckon run)")
        }
    }

    /// `; the mart holds sessions from A to B` (or `; the mart is empty`).
    func dataRange(_ connection: Connection) throws -> String {
        let row = try connection.execute(
            "select min(session_date)::text, max(session_date)::text from \(mart)", name: "investigate: data range"
        ).rows.first
        guard let first = row?[0], let last = row?[1] else { return "; the mart is empty" }
        return "; the mart holds sessions from \(first) to \(last)"
    }

    /// The schema pg_trgm is installed in, creating the extension when allowed; nil when
    /// it is not available.
    static func trigramSchema(_ connection: Connection) -> String? {
        let query = "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'"
        if let schema = try? connection.execute(query, name: "investigate: pg_trgm").rows.first?[0] { return schema }
        guard (try? connection.execute("create extension if not exists pg_trgm", name: "investigate: create pg_trgm")) != nil
        else { return nil }
        return try? connection.execute(query, name: "investigate: pg_trgm").rows.first?[0]
    }

    // MARK: - URL parameter states

    /// Regular expression (case-insensitive) finding the parameter's key in an origin.
    static func keyPattern(_ parameter: String) -> String {
        let key = parameter.replacingOccurrences(of: "_", with: "(_|%5f)")
        return parameter == "ad_id" ? "(^|[?&#])(h(_|%5f))?\(key)=" : "(^|[?&#])\(key)="
    }

    /// SQL giving the raw state of a parameter whose parsed value is NULL: `macro` (an
    /// unreplaced `{{` in its value, also URL-encoded), `empty`, or `absent`; NULL when the
    /// parsed value is present.
    static func stateExpression(_ parameter: String, column: String) -> String {
        let key = keyPattern(parameter)
        return """
            case when \(column) is not null then null
                 when origin_raw ~* \(SQL.literal(key + "[^&#]*(\\{\\{|%7b%7b)")) then 'macro'
                 when origin_raw ~* \(SQL.literal(key)) then 'empty'
                 else 'absent' end
            """
    }

    /// When a parameter's problem cost the session its match: the tiers the parameter feeds.
    static func lostCondition(_ parameter: String, tierColumn: String) -> String {
        switch parameter {
        case "ad_id": return "\(tierColumn) is distinct from 'ad_id'"
        case "utm_campaign": return "(\(tierColumn) is null or \(tierColumn) = 'utm_content')"
        default: return "\(tierColumn) is null"
        }
    }

    static let parameters = ["ad_id", "utm_campaign", "utm_content"]

    func sessionsTableSQL(_ window: Window) -> String {
        """
        create temp table investigate_sessions as
        select session_id, session_date, session_date >= \(SQL.literal(window.periodStart))::date as is_current,
               facebook_match_tier as tier, utm_source, utm_campaign, utm_content, ad_id, funnel_id,
               amplitude_platform as platform, coalesce(campaign_name, utm_campaign) as campaign,
               \(Self.stateExpression("ad_id", column: "ad_id")) as ad_id_state,
               \(Self.stateExpression("utm_campaign", column: "utm_campaign")) as utm_campaign_state,
               \(Self.stateExpression("utm_content", column: "utm_content")) as utm_content_state
        from \(mart)
        where is_facebook_traffic
          and session_date between \(SQL.literal(window.baselineStart))::date and \(SQL.literal(window.periodEnd))::date
        """
    }

    // MARK: - Findings

    static func examples(_ text: String?) -> [String] {
        guard let text, text.count >= 2 else { return [] }
        // A text[] literal of session ids: {a,b,"c d"}.
        var values: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == "," && !quoted {
                values.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || !values.isEmpty { values.append(current) }
        return values
    }

    func makeFinding(
        kind: Finding.Kind, parameter: String, value: String?, funnel: String?, title: String, detail: String,
        sessions: Int, baselineSessions: Int, volume: Double, examples: String?, sql: String
    ) -> Finding {
        let expected = Double(baselineSessions) * volume
        return Finding(
            kind: kind, parameter: parameter, value: value, funnel: funnel, title: title, detail: detail, sessions: sessions,
            baselineSessions: baselineSessions, expectedSessions: (expected * 10).rounded() / 10,
            excessSessions: Int((Double(sessions) - expected).rounded()), isNew: baselineSessions == 0, nearName: nil,
            nearNameKind: nil, similarity: nil, exampleSessionIds: Self.examples(examples), sql: sql)
    }

    /// The normalised form of the fallback (docs/investigate.md): lower case, `%XX` escapes
    /// and a trailing "copy" / "copy N" removed, then everything but letters and digits.
    public static func normalised(_ expression: String) -> String {
        """
        regexp_replace(regexp_replace(regexp_replace(lower(\(expression)), '%[0-9a-f]{2}', ' ', 'g'), \
        '[[:space:]+_-]*copy([[:space:]+_-]*[0-9]+)?[[:space:]+]*$', ''), '[^[:alnum:]]+', '', 'g')
        """
    }

    /// SQL that is true when two expressions are equal after normalisation and not empty
    /// (two names of punctuation or emoji only are not near misses of each other).
    public static func normalisedEqual(_ left: String, _ right: String) -> String {
        "(\(normalised(left)) <> '' and \(normalised(left)) = \(normalised(right)))"
    }

    /// Unmatched `utm_campaign` and `utm_content` values, each a near miss or an unknown value.
    func valueFindings(_ connection: Connection, window: Window, volume: Double, trigramSchema: String?) throws -> [Finding] {
        var findings: [Finding] = []
        for parameter in ["utm_campaign", "utm_content"] {
            let nameKey = parameter == "utm_campaign" ? "campaign_name" : "ad_name"
            let nameTable = parameter == "utm_campaign" ? source("facebook_campaigns") : source("facebook_ads")
            let column = SQL.identifier(parameter)
            let unmatched = """
                \(column) is not null and \(Self.lostCondition(parameter, tierColumn: "facebook_match_tier"))
                  and not exists (select 1 from \(nameTable) n where lower(trim(n.\(nameKey))) = lower(trim(m.\(column))))
                """
            let similarity: String
            if let trigramSchema {
                similarity =
                    "case when \(Self.normalisedEqual("v.value", "n.name")) then 1.0 else \(SQL.identifier(trigramSchema)).similarity(lower(v.value), lower(n.name)) end"
            } else {
                similarity = "case when \(Self.normalisedEqual("v.value", "n.name")) then 1.0 else 0.0 end"
            }
            let result = try connection.execute(
                """
                with names(kind, name) as (
                  select distinct 'campaign', campaign_name from \(source("facebook_campaigns")) where campaign_name is not null
                  union all select distinct 'adset', adset_name from \(source("facebook_adsets")) where adset_name is not null
                  union all select distinct 'ad', ad_name from \(source("facebook_ads")) where ad_name is not null
                ),
                keys as (select distinct lower(trim(\(nameKey))) as name_key from \(nameTable) where \(nameKey) is not null),
                vals as (
                  select s.\(column) as value,
                         count(*) filter (where is_current) as sessions,
                         count(*) filter (where not is_current) as baseline_sessions,
                         (array_agg(session_id order by session_id collate "C") filter (where is_current))[1:3] as examples
                  from pg_temp.investigate_sessions s
                  where s.\(column) is not null and \(Self.lostCondition(parameter, tierColumn: "s.tier"))
                    and not exists (select 1 from keys k where k.name_key = lower(trim(s.\(column))))
                  group by s.\(column)
                  having count(*) filter (where is_current) > 0
                ),
                ranked as (
                  select v.*, row_number() over (order by sessions desc, value collate "C") as rank from vals v
                )
                select v.value, v.sessions, v.baseline_sessions, v.examples, near.kind, near.name, near.similarity
                from ranked v
                left join lateral (
                  select n.kind, n.name, \(similarity) as similarity
                  from names n
                  where v.rank <= \(nearMissCandidates) and n.name <> v.value
                  order by 3 desc, n.name collate "C", n.kind
                  limit 1
                ) near on near.similarity >= \(trigramSchema == nil ? "1.0" : String(similarityThreshold))
                order by v.sessions desc, v.value collate "C"
                limit 200
                """, name: "investigate: unmatched \(parameter) values")
            for row in result.rows {
                guard let value = row[0] else { continue }
                let sessions = Int(row[1] ?? "0") ?? 0
                let baselineSessions = Int(row[2] ?? "0") ?? 0
                let sql = """
                    select session_id, session_timestamp, funnel_id, \(column), ad_id, facebook_match_tier, origin_raw
                    from \(mart) m
                    where is_facebook_traffic and \(window.periodCondition)
                      and \(column) = \(SQL.literal(value))
                      and \(unmatched)
                    order by session_id collate "C";
                    """
                let newness = baselineSessions == 0 ? "new" : "also in baseline (\(baselineSessions))"
                var finding = makeFinding(
                    kind: .unknownValue, parameter: parameter, value: value, funnel: nil,
                    title: "\(parameter) \(Self.quoted(value)) matches no \(parameter == "utm_campaign" ? "campaign" : "ad") name",
                    detail: newness, sessions: sessions, baselineSessions: baselineSessions, volume: volume,
                    examples: row[3], sql: sql)
                if let kind = row[4], let name = row[5] {
                    finding.kind = .nearMiss
                    finding.nearName = name
                    finding.nearNameKind = kind
                    finding.similarity = Double(row[6] ?? "")
                    let how = finding.similarity.map { $0 >= 1 ? "normalised equal" : String(format: "similarity %.2f", $0) } ?? ""
                    finding.title = "\(parameter) \(Self.quoted(value)) is a near miss of \(kind) \(Self.quoted(name))"
                    finding.detail = "\(how); \(newness)"
                }
                findings.append(finding)
            }
        }
        return findings
    }

    /// `ad_id` values unknown to `facebook_ads`, as two findings: ids new in the period and
    /// ids also seen in the baseline.
    func unknownAdIdFindings(_ connection: Connection, window: Window, volume: Double) throws -> [Finding] {
        let ads = source("facebook_ads")
        let statistics = source("facebook_ad_statistics")
        let result = try connection.execute(
            """
            with unknown as materialized (
              select s.session_id, s.is_current, s.ad_id, s.campaign
              from pg_temp.investigate_sessions s
              left join \(ads) a on a.facebook_ad_id = s.ad_id
              where s.ad_id is not null and a.facebook_ad_id is null
            ),
            ids as (select ad_id, bool_and(is_current) as is_new from unknown group by ad_id),
            per_id as (
              select u.ad_id, u.campaign, i.is_new, count(*) filter (where u.is_current) as sessions,
                     count(*) filter (where not u.is_current) as baseline_sessions
              from unknown u join ids i on i.ad_id = u.ad_id
              group by 1, 2, 3
            ),
            in_statistics as (
              select distinct st.facebook_ad_id from \(statistics) st join ids on ids.ad_id = st.facebook_ad_id
            )
            select p.is_new, p.campaign, sum(p.sessions), sum(p.baseline_sessions),
                   count(*) filter (where p.sessions > 0), count(*) filter (where st.facebook_ad_id is not null and p.sessions > 0),
                   array_to_string((array_agg(p.ad_id || ' (' || p.sessions || ')' order by p.sessions desc, p.ad_id collate "C")
                                   filter (where p.sessions > 0))[1:5], ', '),
                   (select (array_agg(u.session_id order by u.session_id collate "C"))[1:3]
                    from unknown u join ids i on i.ad_id = u.ad_id
                    where u.is_current and i.is_new = p.is_new and u.campaign is not distinct from p.campaign)
            from per_id p left join in_statistics st on st.facebook_ad_id = p.ad_id
            group by p.is_new, p.campaign
            having sum(p.sessions) > 0
            """, name: "investigate: ad_ids unknown to facebook_ads")
        var findings: [Finding] = []
        for row in result.rows {
            let isNew = row[0] == "t"
            let campaign = row[1]
            let sessions = Int(row[2] ?? "0") ?? 0
            let baselineSessions = Int(row[3] ?? "0") ?? 0
            let idCount = Int(row[4] ?? "0") ?? 0
            let inStatistics = Int(row[5] ?? "0") ?? 0
            let baselineSessionsOfId =
                "(select 1 from \(mart) b where b.ad_id = m.ad_id and b.is_facebook_traffic and b.session_date between \(SQL.literal(window.baselineStart))::date and \(SQL.literal(window.baselineEnd))::date)"
            let campaignCondition =
                campaign.map { "coalesce(campaign_name, utm_campaign) = \(SQL.literal($0))" }
                ?? "coalesce(campaign_name, utm_campaign) is null"
            let sql = """
                select session_id, session_timestamp, funnel_id, ad_id, utm_campaign, facebook_match_tier, origin_raw
                from \(mart) m
                where is_facebook_traffic and \(window.periodCondition) and \(campaignCondition)
                  and ad_id is not null and not exists (select 1 from \(ads) a where a.facebook_ad_id = m.ad_id)
                  and \(isNew ? "not " : "")exists \(baselineSessionsOfId)
                order by session_id collate "C";
                """
            let campaignText = campaign.map { "campaign \(Self.quoted($0))" } ?? "no campaign"
            var finding = makeFinding(
                kind: .unknownAdId, parameter: "ad_id", value: campaign, funnel: nil,
                title:
                    "\(idCount) ad_id\(idCount == 1 ? "" : "s") of \(campaignText) unknown to facebook_ads\(isNew ? ", new since the baseline" : "")",
                detail:
                    "\(row[6] ?? ""); \(inStatistics) of \(idCount) in facebook_ad_statistics (deleted or not loaded yet)\(isNew ? "" : "; also in baseline (\(baselineSessions))")",
                sessions: sessions, baselineSessions: isNew ? 0 : baselineSessions, volume: volume, examples: row[7], sql: sql)
            finding.isNew = isNew
            findings.append(finding)
        }
        return findings
    }

    /// Unreplaced macros, empty and absent parameters, per parameter and funnel, counted on
    /// the sessions whose match they cost.
    func parameterFindings(_ connection: Connection, window: Window, volume: Double) throws -> [Finding] {
        let values = Self.parameters.map { parameter in
            "(\(SQL.literal(parameter)), s.\(parameter)_state, \(Self.lostCondition(parameter, tierColumn: "s.tier")))"
        }.joined(separator: ", ")
        let result = try connection.execute(
            """
            select p.parameter, p.state, s.funnel_id,
                   count(*) filter (where is_current), count(*) filter (where not is_current),
                   (array_agg(session_id order by session_id collate "C") filter (where is_current))[1:3],
                   mode() within group (order by s.campaign) filter (where is_current),
                   count(distinct s.campaign) filter (where is_current)
            from pg_temp.investigate_sessions s
            cross join lateral (values \(values)) p(parameter, state, lost)
            where p.state is not null and p.lost
            group by 1, 2, 3
            having count(*) filter (where is_current) > 0
            """, name: "investigate: macros, empty and missing parameters")
        var findings: [Finding] = []
        for row in result.rows {
            guard let parameter = row[0], let state = row[1] else { continue }
            let funnel = row[2]
            let kind: Finding.Kind = state == "macro" ? .macro : (state == "empty" ? .emptyParameter : .missingParameter)
            let what = state == "macro" ? "holds an unreplaced {{…}} macro" : (state == "empty" ? "is empty" : "is missing")
            let funnelCondition = funnel.map { "funnel_id = \(SQL.literal($0))" } ?? "funnel_id is null"
            let sql = """
                select session_id, session_timestamp, funnel_id, utm_campaign, ad_id, facebook_match_tier, origin_raw
                from \(mart) m
                where is_facebook_traffic and \(window.periodCondition) and \(funnelCondition)
                  and (\(Self.stateExpression(parameter, column: parameter))) = \(SQL.literal(state))
                  and \(Self.lostCondition(parameter, tierColumn: "facebook_match_tier"))
                order by session_id collate "C";
                """
            let campaigns = Int(row[7] ?? "0") ?? 0
            let baselineSessions = Int(row[4] ?? "0") ?? 0
            let detail =
                "funnel \(funnel ?? "(none)"); \(campaigns) campaign\(campaigns == 1 ? "" : "s"), most \(Self.quoted(row[6] ?? "(none)")); "
                + (baselineSessions == 0 ? "new" : "also in baseline (\(baselineSessions))")
            findings.append(
                makeFinding(
                    kind: kind, parameter: parameter, value: nil, funnel: funnel,
                    title: "\(parameter) \(what) in funnel \(funnel ?? "(none)")", detail: detail,
                    sessions: Int(row[3] ?? "0") ?? 0, baselineSessions: baselineSessions, volume: volume, examples: row[5],
                    sql: sql))
        }
        return findings
    }

    // MARK: - Where the matches were lost

    func tierChanges(
        _ connection: Connection, period: MatchRateReport.RateFigures, baseline: MatchRateReport.RateFigures
    ) throws -> [MatchRateReport.TierChange] {
        let result = try connection.execute(
            """
            select coalesce(tier, 'unmatched'), count(*) filter (where is_current), count(*) filter (where not is_current)
            from pg_temp.investigate_sessions group by 1
            """, name: "investigate: tiers")
        var counts: [String: (Int, Int)] = [:]
        for row in result.rows { counts[row[0] ?? "unmatched"] = (Int(row[1] ?? "0") ?? 0, Int(row[2] ?? "0") ?? 0) }
        return ["ad_id", "utm_campaign", "utm_content", "unmatched"].map { tier in
            let (current, base) = counts[tier] ?? (0, 0)
            let share = Double(current) / Double(max(period.sessions, 1))
            let baselineShare = Double(base) / Double(max(baseline.sessions, 1))
            return MatchRateReport.TierChange(
                tier: tier, sessions: current, baselineSessions: base, share: share, baselineShare: baselineShare,
                lostSessions: Int(((baselineShare - share) * Double(period.sessions)).rounded()))
        }
    }

    /// A dimension of the decomposition: its name and the SQL expression on the sessions table and the mart.
    struct Dimension: Sendable {
        var name: String
        var expression: String
        var martExpression: String
    }

    static let dimensions = [
        Dimension(name: "utm_source", expression: "utm_source", martExpression: "utm_source"),
        Dimension(name: "campaign", expression: "campaign", martExpression: "coalesce(campaign_name, utm_campaign)"),
        Dimension(name: "funnel", expression: "funnel_id", martExpression: "funnel_id"),
        Dimension(name: "platform", expression: "platform", martExpression: "amplitude_platform"),
    ]

    func decomposition(
        _ connection: Connection, dimension: Dimension, window: Window, period: MatchRateReport.RateFigures,
        baseline: MatchRateReport.RateFigures
    ) throws -> MatchRateReport.Decomposition {
        // Per segment: n and matched in period and baseline; rate effect and mix effect summed in SQL.
        let result = try connection.execute(
            """
            with segments as (
              select \(dimension.expression) as segment,
                     count(*) filter (where is_current)::float8 as n, count(*) filter (where is_current and tier is not null)::float8 as m,
                     count(*) filter (where not is_current)::float8 as nb, count(*) filter (where not is_current and tier is not null)::float8 as mb
              from pg_temp.investigate_sessions group by 1
            ),
            rated as (
              select segment, n, m, nb, nb = 0 as is_new,
                     case when n > 0 then m / n else 0 end as rate,
                     case when nb > 0 then mb / nb else $1::float8 end as base_rate
              from segments
            )
            select 'total', sum(n * base_rate - m), sum((n / $2::float8 - nb / $3::float8) * (base_rate - $1::float8)) * $2::float8,
                   null::text, null::float8, null::float8, null::float8, null::text
            from rated
            union all
            select * from (
              select 'segment', n * (base_rate - rate), null::float8, coalesce(segment, '(none)'), n, rate, base_rate, is_new::text
              from rated where n > 0 and n * (base_rate - rate) > 0
              order by n * (base_rate - rate) desc, coalesce(segment, '(none)') collate "C"
              limit 5
            ) top
            """, name: "investigate: decomposition by \(dimension.name)",
            [String(baseline.rate), String(period.sessions), String(baseline.sessions)])
        var rateEffect = 0
        var mixEffect = 0
        var segments: [MatchRateReport.Segment] = []
        for row in result.rows {
            if row[0] == "total" {
                rateEffect = Int((Double(row[1] ?? "0") ?? 0).rounded())
                // Mix effect as matched sessions lost: the negative of the mix term.
                mixEffect = -Int((Double(row[2] ?? "0") ?? 0).rounded())
            } else {
                let lost = Int((Double(row[1] ?? "0") ?? 0).rounded())
                segments.append(
                    MatchRateReport.Segment(
                        value: row[3] ?? "(none)", sessions: Int(Double(row[4] ?? "0") ?? 0), rate: Double(row[5] ?? "0") ?? 0,
                        baselineRate: Double(row[6] ?? "0") ?? 0, isNew: row[7] == "true", lostSessions: lost))
            }
        }
        var examples: [String] = []
        var sql = ""
        if let top = segments.first {
            let isNull = try top.value == "(none)" && !segmentExists(connection, dimension: dimension, value: "(none)")
            let condition =
                isNull
                ? "\(dimension.martExpression) is null" : "\(dimension.martExpression) = \(SQL.literal(top.value))"
            sql = """
                select session_id, session_timestamp, funnel_id, utm_source, utm_campaign, ad_id, origin_raw
                from \(mart) m
                where is_facebook_traffic and \(window.periodCondition) and facebook_match_tier is null
                  and \(condition)
                order by session_id collate "C";
                """
            let sessionCondition =
                condition.hasSuffix("is null")
                ? "\(dimension.expression) is null" : "\(dimension.expression) = \(SQL.literal(top.value))"
            examples = try connection.execute(
                """
                select session_id from pg_temp.investigate_sessions
                where is_current and tier is null and \(sessionCondition)
                order by session_id collate "C" limit 3
                """, name: "investigate: decomposition examples"
            ).rows.compactMap { $0[0] }
        }
        return MatchRateReport.Decomposition(
            dimension: dimension.name, rateEffectSessions: rateEffect, mixEffectSessions: mixEffect, topSegments: segments,
            exampleSessionIds: examples, sql: sql)
    }

    func segmentExists(_ connection: Connection, dimension: Dimension, value: String) throws -> Bool {
        try connection.execute(
            "select exists (select 1 from pg_temp.investigate_sessions where \(dimension.expression) = $1)",
            name: "investigate: segment value", [value]
        ).rows.first?[0] == "t"
    }

    /// A value in double quotes with control characters and trailing spaces made visible.
    static func quoted(_ value: String) -> String {
        var text = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\t": text += "\\t"
            case "\n": text += "\\n"
            case "\u{A0}": text += "\\u00A0"
            default:
                if scalar.value < 0x20 { text += String(format: "\\u%04X", scalar.value) } else { text.unicodeScalars.append(scalar) }
            }
        }
        return "\"" + text + "\""
    }
}
