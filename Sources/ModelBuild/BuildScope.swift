import Foundation
import PostgresClient
import ReckonCore

/// What a build computes: every row (`full`), or only the rows of the affected sessions and
/// days (`sessions`, an incremental build; docs/incremental.md).
public enum BuildScope: Sendable {
    /// Every row, into `<target>__staging`.
    case full
    /// Only the affected sessions and days, into the scope's delta schema.
    case sessions(SessionScope)

    /// The scope the materialization makes the models' tables for.
    var materializationScope: Materialization.Scope {
        switch self {
        case .full: return .full
        case .sessions(let scope): return .sessions(scope.affectedSessions)
        }
    }

    /// The schema the models are built into, when not `<target>__staging`.
    var buildSchema: String? {
        switch self {
        case .full: return nil
        case .sessions(let scope): return scope.deltaSchema
        }
    }

    /// The model's SQL with an alias after each relation the scope restricts and the model
    /// left without one (a restricted relation renders as a subquery, which needs one).
    func preparing(_ sql: String, model: String) -> String {
        switch self {
        case .full: return sql
        case .sessions(let scope): return scope.aliasingRestricted(sql, model: model)
        }
    }

    /// What `{{ ref('name') }}` or `{{ source('name') }}` becomes in `model`, when the scope
    /// restricts it; nil keeps the plain table.
    func relation(function: String, name: String, model: String?, table: String) -> String? {
        switch self {
        case .full: return nil
        case .sessions(let scope): return scope.relation(function: function, name: name, model: model, table: table)
        }
    }
}

/// An incremental build's scope: the same model text, with the inputs of each model
/// restricted to the affected sessions or days.
///
/// - In a per-session model (`reckon.grain: session_id`): `source('funnelfox_sessions')`
///   keeps the affected ids, `source('amplitude_events')` the events naming one of them
///   (`event_properties->>'ff_session_id'`, an indexable expression), and a `ref` to a model
///   of another grain (`int_subscription_sessions`) its rows of affected sessions. Refs to
///   other per-session models need nothing: they were built for the affected sessions only.
/// - In a published model of another grain (`mart_campaign_daily`, keyed by `date` and
///   `facebook_campaign_id`): a `ref` to a published per-session mart reads the candidate
///   (published rows of unaffected sessions plus the rebuilt ones) of the affected campaign
///   days (`dailyKeys`), and `source('facebook_ad_statistics')` their rows.
public struct SessionScope: Sendable {
    /// The schema the rebuilt rows are built into (`<target>__delta`).
    public let deltaSchema: String
    /// The schema of the published marts.
    public let targetSchema: String
    /// A table with a `session_id` column: the affected sessions.
    public let affectedSessions: String
    /// A table with `day` and `facebook_campaign_id` columns: the affected campaign days of
    /// the daily marts listed before the rebuild.
    public let affectedDayKeys: String
    /// The table `dailyKeysStatements` makes: those and the rebuilt rows' (`dailyKeys`).
    public let dailyKeysTable: String
    /// The per-session models (`reckon.grain: session_id`).
    public let sessionModels: Set<String>
    /// The published models.
    public let publishedModels: Set<String>
    /// The ad account's time zone, which places a session on a day.
    public let timeZone: String

    /// Creates a scope.
    public init(
        deltaSchema: String, targetSchema: String, affectedSessions: String, affectedDayKeys: String, dailyKeysTable: String,
        sessionModels: Set<String>, publishedModels: Set<String>, timeZone: String
    ) {
        self.deltaSchema = deltaSchema
        self.targetSchema = targetSchema
        self.affectedSessions = affectedSessions
        self.affectedDayKeys = affectedDayKeys
        self.dailyKeysTable = dailyKeysTable
        self.sessionModels = sessionModels
        self.publishedModels = publishedModels
        self.timeZone = timeZone
    }

    var sessionIds: String { "(select session_id from \(affectedSessions))" }

    /// The published per-session marts.
    var sessionMarts: [String] { publishedModels.intersection(sessionModels).sorted() }

    /// The day of a row of a per-session mart (`alias`) in the ad account's time zone.
    func day(_ alias: String) -> String { Self.day(alias, timeZone: timeZone) }

    /// The day of a row of a per-session mart (`alias`) in `timeZone`: the daily marts' day.
    static func day(_ alias: String, timeZone: String) -> String {
        "(\(alias).session_timestamp at time zone \(SQL.literal(timeZone)))::date"
    }

    /// `(day, facebook_campaign_id)`: the campaign days the daily marts rebuild, in
    /// `dailyKeysTable`.
    public var dailyKeys: String { "(select day, facebook_campaign_id from \(dailyKeysTable))" }

    /// The statements that make `dailyKeysTable`, once the per-session marts are rebuilt and
    /// before the daily marts are: the campaign days listed (`affectedDayKeys`) and those of
    /// the rebuilt rows of the per-session marts (a row without a campaign or a time is on no
    /// campaign day). A table with its statistics, so that the daily marts' reads of the
    /// published rows by campaign day are planned for the few days there are.
    public var dailyKeysStatements: [String] {
        let rebuilt = sessionMarts.map { mart in
            """
            select \(day("d")), d.facebook_campaign_id::text from \(SQL.qualified(schema: deltaSchema, name: mart)) d
            where d.facebook_campaign_id is not null and d.session_timestamp is not null
            """
        }
        let keys = (["select day, facebook_campaign_id from \(affectedDayKeys)"] + rebuilt).joined(separator: "\nunion\n")
        return [
            "create unlogged table \(dailyKeysTable) as \(keys)",
            "alter table \(dailyKeysTable) add primary key (day, facebook_campaign_id)",
            "analyze \(dailyKeysTable)",
        ]
    }

    /// The candidate rows of a published per-session mart: the published rows of sessions
    /// not affected, and the rebuilt rows.
    public func candidate(of mart: String) -> String {
        let published = SQL.qualified(schema: targetSchema, name: mart)
        let delta = SQL.qualified(schema: deltaSchema, name: mart)
        return "select p.* from \(published) p where not exists (select from \(affectedSessions) a where a.session_id = p.session_id)"
            + " union all select d.* from \(delta) d"
    }

    /// The candidate rows of a published daily mart (keyed by `date` and
    /// `facebook_campaign_id`).
    public func candidateDaily(of mart: String) -> String {
        let published = SQL.qualified(schema: targetSchema, name: mart)
        let delta = SQL.qualified(schema: deltaSchema, name: mart)
        return
            "select p.* from \(published) p where not exists (select from \(dailyKeys) k where k.day = p.date and k.facebook_campaign_id = p.facebook_campaign_id::text)"
            + " union all select d.* from \(delta) d"
    }

    /// The candidate rows of a published per-session mart on the campaign days `dailyKeys`:
    /// the published rows of unaffected sessions, found by the mart's
    /// `(facebook_campaign_id, session_date)` index (`session_date` is the UTC date of
    /// `session_timestamp`, docs/mart.md: a day in the ad account's time zone spans at most
    /// two UTC dates), and the rebuilt rows.
    func candidateOnDailyKeys(of mart: String) -> String {
        let published = SQL.qualified(schema: targetSchema, name: mart)
        let delta = SQL.qualified(schema: deltaSchema, name: mart)
        let zone = SQL.literal(timeZone)
        return """
            select p.* from \(published) p
            join \(dailyKeys) k on p.facebook_campaign_id = k.facebook_campaign_id
             and p.session_date between ((k.day::timestamp at time zone \(zone)) at time zone 'UTC')::date
                                    and (((k.day + 1)::timestamp at time zone \(zone)) at time zone 'UTC' - interval '1 microsecond')::date
            where \(day("p")) = k.day
              and not exists (select from \(affectedSessions) a where a.session_id = p.session_id)
            union all
            select d.* from \(delta) d
            where d.facebook_campaign_id is not null
              and (\(day("d")), d.facebook_campaign_id::text) in (select day, facebook_campaign_id from \(dailyKeys) k)
            """
    }

    /// Words that may follow a FROM item without an alias.
    static let wordsAfterRelation: Set<String> = [
        "where", "group", "order", "join", "left", "right", "inner", "full", "cross", "natural", "on", "using", "union",
        "except", "intersect", "limit", "offset", "having", "window", "for", "returning",
    ]

    /// Inserts ` as <name>` after each `{{ ref('name') }}` / `{{ source('name') }}` the scope
    /// restricts in `model` when no alias follows it.
    func aliasingRestricted(_ sql: String, model: String) -> String {
        var output = ""
        var rest = Substring(sql)
        let pattern = /\{\{\s*(ref|source)\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)\s*\}\}/
        while let match = rest.firstMatch(of: pattern) {
            output += rest[..<match.range.upperBound]
            rest = rest[match.range.upperBound...]
            let function = String(match.output.1)
            let name = String(match.output.2)
            guard relation(function: function, name: name, model: model, table: name) != nil else { continue }
            let next = rest.drop(while: { $0.isWhitespace })
            let word = next.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }).lowercased()
            if word.isEmpty || Self.wordsAfterRelation.contains(word) { output += " as " + SQL.identifier(name) }
        }
        output += rest
        return output
    }

    func relation(function: String, name: String, model: String?, table: String) -> String? {
        guard let model else { return nil }
        if sessionModels.contains(model) {
            switch (function, name) {
            case ("source", "funnelfox_sessions"):
                // By the primary key's index (a semi-join would scan every session).
                return "(select * from \(table) where id = any(array\(sessionIds)))"
            case ("source", "amplitude_events"):
                // `= any(array(…))`: a bitmap scan of the expression index, reading only the pages
                // of the affected sessions' events (a semi-join would scan every event).
                return "(select * from \(table) where (event_properties->>'ff_session_id') = any(array\(sessionIds)))"
            case ("ref", _) where !sessionModels.contains(name):
                return "(select * from \(table) where session_id in \(sessionIds))"
            default:
                return nil
            }
        }
        guard publishedModels.contains(model) else { return nil }
        switch (function, name) {
        case ("ref", _) where sessionModels.contains(name) && publishedModels.contains(name):
            return "(select c.* from (\(candidateOnDailyKeys(of: name))) c)"
        case ("source", "facebook_ad_statistics"):
            return
                "(select s.* from \(table) s where (s.date, s.facebook_campaign_id::text) in (select day, facebook_campaign_id from \(dailyKeys) k))"
        default:
            return nil
        }
    }
}
