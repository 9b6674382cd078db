import Foundation
import PostgresClient

/// A named data incident `reckon generate --incident NAME@YYYY-MM-DD` injects on one day of
/// the generated data, so that `reckon investigate` can be tested against a known cause.
///
/// Incidents rewrite the landing URLs (`origin`) of chosen FunnelFox sessions of that UTC
/// day after the tables are loaded; the choice is deterministic (md5 order of the session
/// id), so the same seed, sessions and incidents give the same data.
public struct Incident: Sendable, Equatable, CustomStringConvertible {
    /// The kinds of incident.
    public enum Kind: String, Sendable, CaseIterable {
        /// A campaign renamed in Ads Manager while its URLs keep the old name: URLs of the
        /// chosen sessions carry an old campaign name no campaign has, and no ad id.
        case campaignRenamed = "campaign-renamed"
        /// URLs of one campaign lose `ad_id` and carry a near-miss of its name (`<name> copy 2`).
        case adIdLostNearMiss = "adid-lost-near-miss"
        /// New ads whose ids never reached `facebook_ads`: URLs carry the campaign's name and one
        /// of three ad ids unknown to `facebook_ads`.
        case adsMissing = "ads-missing"
        /// The busiest funnel of the day drops `ad_id` (and `h_ad_id`) from all its URLs.
        case funnelDropsAdId = "funnel-drops-adid"
        /// The busiest funnel of the day leaves the `{{ad.id}}` macro unreplaced in all its URLs.
        case macroUnreplaced = "macro-unreplaced"
    }

    /// What happens.
    public var kind: Kind
    /// The UTC day (`YYYY-MM-DD`).
    public var date: String

    /// `campaign-renamed@2026-10-12`.
    public var description: String { "\(kind.rawValue)@\(date)" }

    /// Creates an incident.
    public init(kind: Kind, date: String) {
        self.kind = kind
        self.date = date
    }

    /// Parses `NAME@YYYY-MM-DD`; the error names the known incidents.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        let names = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]) else {
            throw SampleDataError(description: "invalid incident \(text): expected NAME@YYYY-MM-DD with NAME one of \(names)")
        }
        guard parts[1].range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else {
            throw SampleDataError(description: "invalid incident date in \(text): expected YYYY-MM-DD")
        }
        self.init(kind: kind, date: parts[1])
    }
}

/// What an incident injected: the generator's own record, for tests and the log.
public struct InjectedIncident: Sendable, Equatable, CustomStringConvertible {
    /// The incident.
    public var incident: Incident
    /// Sessions whose URL was rewritten.
    public var sessions: Int
    /// The key a finding should name: the URL campaign value, the campaign, or the funnel.
    public var key: String
    /// The injected ad ids (ads-missing only).
    public var adIds: [String]

    /// One line for the log.
    public var description: String { "\(incident): \(sessions) sessions, \(key)" }
}

/// Applies incidents to generated raw tables.
public struct IncidentInjector: Sendable {
    /// Schema of the raw tables.
    public var rawSchema: String

    /// Creates an injector for the raw tables in `rawSchema`.
    public init(rawSchema: String) { self.rawSchema = rawSchema }

    func table(_ name: String) -> String { SQL.qualified(schema: rawSchema, name: name) }

    /// Ad ids the ads-missing incident uses; `facebook_ads` holds none of them.
    public static let missingAdIds = ["120219990000000001", "120219990000000002", "120219990000000003"]

    /// Share of the day's Facebook-looking sessions a URL incident rewrites.
    static let share = 0.5

    /// Applies one incident; returns what it injected. An incident on a day without
    /// sessions is an error.
    public func apply(_ incident: Incident, on connection: Connection) throws -> InjectedIncident {
        let sessions = table("funnelfox_sessions")
        let day = SQL.literal(incident.date)
        let onDay =
            "created_at >= \(day)::date::timestamp at time zone 'UTC' and created_at < (\(day)::date + 1)::timestamp at time zone 'UTC'"
        let count =
            try connection.execute(
                "select count(*) from \(sessions) where \(onDay)", name: "incident: sessions of the day"
            ).rows.first?[0].flatMap { Int($0) } ?? 0
        guard count > 0 else {
            throw SampleDataError(description: "incident \(incident): no sessions on \(incident.date)")
        }
        let tag = SQL.literal(incident.description)
        // The chosen Facebook-looking sessions of the day, in a deterministic order.
        let chosen = """
            select id from \(sessions)
            where \(onDay) and origin ~* '[?&#]utm_source=(fb|facebook|ig|instagram|meta)([&#]|$)'
            order by md5(id || \(tag)), id collate "C"
            limit (select ceil(count(*) * \(Self.share))::int from \(sessions)
                   where \(onDay) and origin ~* '[?&#]utm_source=(fb|facebook|ig|instagram|meta)([&#]|$)')
            """
        // A campaign with a plain name (letters, digits, spaces, |, _ and -), the first by id.
        let campaign =
            try connection.execute(
                """
                select campaign_name from \(table("facebook_campaigns")) c
                where campaign_name ~ '^[A-Za-z0-9][A-Za-z0-9 |_-]*[A-Za-z0-9]$' and campaign_name !~* 'copy'
                  and not exists (select 1 from \(table("facebook_campaigns")) o
                                  where lower(trim(o.campaign_name)) = lower(c.campaign_name || ' copy 2'))
                order by facebook_campaign_id collate "C" limit 1
                """, name: "incident: campaign"
            ).rows.first?[0] ?? "Prospecting"
        func encoded(_ name: String) -> String {
            name.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "|", with: "%7C")
        }
        let urlPrefix = "https://get.example.com/quiz?utm_source=fb&utm_medium=paid"
        let clickId = "'&fbclid=IwAR' || substr(md5(id), 1, 16)"
        switch incident.kind {
        case .campaignRenamed, .adIdLostNearMiss, .adsMissing:
            let value: String
            let key: String
            var adIdExpression = "''"
            switch incident.kind {
            case .campaignRenamed:
                key = "Prelaunch Q" + String(abs(incident.date.hashValueStable) % 1000)
                value = key
            case .adIdLostNearMiss:
                key = campaign + " copy 2"
                value = key
            default:
                key = campaign
                value = campaign
                adIdExpression =
                    "'&ad_id=' || (\(SQL.textArray(Self.missingAdIds)))[1 + abs(hashtext(id)) % \(Self.missingAdIds.count)]"
            }
            let updated = try connection.execute(
                """
                update \(sessions) s
                set origin = \(SQL.literal(urlPrefix + "&utm_campaign=" + encoded(value))) || \(adIdExpression) || \(clickId)
                where s.id in (\(chosen))
                """, name: "incident: \(incident.kind.rawValue)"
            ).affectedRows
            return InjectedIncident(
                incident: incident, sessions: updated, key: key, adIds: incident.kind == .adsMissing ? Self.missingAdIds : [])
        case .funnelDropsAdId, .macroUnreplaced:
            let funnel =
                try connection.execute(
                    """
                    select funnel_id from \(sessions) where \(onDay) and funnel_id is not null
                    group by funnel_id order by count(*) desc, funnel_id collate "C" limit 1
                    """, name: "incident: busiest funnel"
                ).rows.first?[0] ?? ""
            let key = "(^|[?&#])(h_)?ad(_|%5f)id="
            let rewrite =
                incident.kind == .funnelDropsAdId
                ? "regexp_replace(origin, '([?&#])(h_)?ad(_|%5f)id=', '\\1x_ad=', 'gi')"
                : """
                case when origin ~* \(SQL.literal(key))
                     then regexp_replace(origin, '([?&#](h_)?ad(_|%5f)id=)[^&#]*', '\\1{{ad.id}}', 'gi')
                     when position('?' in origin) > 0 or (position('/' in origin) = 0 and position('=' in origin) > 0)
                     then origin || '&ad_id={{ad.id}}'
                     else origin || '?ad_id={{ad.id}}' end
                """
            let updated = try connection.execute(
                """
                update \(sessions) set origin = \(rewrite)
                where \(onDay) and funnel_id = $1 and origin is not null
                """, name: "incident: \(incident.kind.rawValue)", [funnel]
            ).affectedRows
            return InjectedIncident(incident: incident, sessions: updated, key: funnel, adIds: [])
        }
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run).
    var hashValueStable: Int {
        var hash: UInt64 = 1_469_598_103_934_665_603
        for byte in utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        return Int(truncatingIfNeeded: hash >> 1)
    }
}
