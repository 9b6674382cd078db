import Foundation

/// The answer of `reckon investigate match-rate`: the Facebook match rate of a period
/// against its baseline, where the matches were lost and the causes, ranked.
public struct MatchRateReport: Codable, Sendable, Equatable {
    /// The investigated mart, `schema.mart_marketing_attribution`.
    public var martTable: String
    /// First and last day (UTC `session_date`) of the investigated period.
    public var periodStart: String
    /// Last day of the investigated period.
    public var periodEnd: String
    /// First day of the baseline (the `baselineDays` days before the period).
    public var baselineStart: String
    /// Last day of the baseline.
    public var baselineEnd: String
    /// Facebook-traffic sessions and matched ones in the period and the baseline.
    public var period: RateFigures
    /// The baseline's figures.
    public var baseline: RateFigures
    /// How near misses were found: `pg_trgm` or `normalised equality` (the fallback).
    public var nearMissMethod: String
    /// Sessions per match tier (`ad_id`, `utm_campaign`, `utm_content`, `unmatched`).
    public var tiers: [TierChange]
    /// Rate-versus-mix decomposition per dimension (utm_source, campaign, funnel, platform).
    public var decompositions: [Decomposition]
    /// The causes, ranked by the sessions each explains beyond the baseline's expectation.
    public var findings: [Finding]

    /// Matched and total Facebook-traffic sessions of a stretch of days.
    public struct RateFigures: Codable, Sendable, Equatable {
        /// Facebook-traffic sessions.
        public var sessions: Int
        /// Those matched by any tier.
        public var matched: Int
        /// Number of days with data.
        public var days: Int
        /// `matched / sessions` (0 without sessions).
        public var rate: Double { sessions == 0 ? 0 : Double(matched) / Double(sessions) }

        enum CodingKeys: String, CodingKey { case sessions, matched, days, rate }

        /// Creates the figures.
        public init(sessions: Int, matched: Int, days: Int) {
            self.sessions = sessions
            self.matched = matched
            self.days = days
        }

        /// Decodes the figures (the derived `rate` is ignored).
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sessions = try container.decode(Int.self, forKey: .sessions)
            matched = try container.decode(Int.self, forKey: .matched)
            days = try container.decode(Int.self, forKey: .days)
        }

        /// Encodes the figures with their rate.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sessions, forKey: .sessions)
            try container.encode(matched, forKey: .matched)
            try container.encode(days, forKey: .days)
            try container.encode(rate, forKey: .rate)
        }
    }

    /// One match tier's share in the period against the baseline.
    public struct TierChange: Codable, Sendable, Equatable {
        /// `ad_id`, `utm_campaign`, `utm_content` or `unmatched`.
        public var tier: String
        /// Sessions of the period in this tier.
        public var sessions: Int
        /// Sessions of the baseline in this tier.
        public var baselineSessions: Int
        /// Share of the period's Facebook sessions.
        public var share: Double
        /// Share of the baseline's Facebook sessions.
        public var baselineShare: Double
        /// Sessions the tier lost against the baseline share (negative: gained):
        /// `(baselineShare − share) × period sessions`, rounded.
        public var lostSessions: Int
    }

    /// The change of the match rate split into a within-segment rate effect and a traffic
    /// mix effect, for one dimension.
    public struct Decomposition: Codable, Sendable, Equatable {
        /// `utm_source`, `campaign`, `funnel` or `platform`.
        public var dimension: String
        /// Matched sessions lost because segments matched worse (negative: gained).
        public var rateEffectSessions: Int
        /// Matched sessions lost because traffic moved to segments that match less.
        public var mixEffectSessions: Int
        /// The segments that lost the most matches through their own rate, at most five.
        public var topSegments: [Segment]
        /// Example unmatched session ids of the first segment.
        public var exampleSessionIds: [String]
        /// SQL listing the unmatched sessions of the first segment.
        public var sql: String
    }

    /// A segment of a decomposition.
    public struct Segment: Codable, Sendable, Equatable {
        /// The segment's value (`(none)` for NULL).
        public var value: String
        /// Facebook sessions of the period in the segment.
        public var sessions: Int
        /// Match rate in the period.
        public var rate: Double
        /// Match rate in the baseline (the overall baseline rate for a new segment).
        public var baselineRate: Double
        /// Whether the segment had no baseline sessions.
        public var isNew: Bool
        /// Matched sessions lost through the segment's own rate: `sessions × (baselineRate − rate)`.
        public var lostSessions: Int
    }
}

/// One cause of lost matches: a group of sessions that share what kept them from matching.
public struct Finding: Codable, Sendable, Equatable {
    /// What kind of cause.
    public enum Kind: String, Codable, Sendable, Equatable {
        /// An unmatched value close to a real campaign, ad set or ad name.
        case nearMiss = "near_miss"
        /// An unmatched `utm_campaign` or `utm_content` value close to no real name.
        case unknownValue = "unknown_value"
        /// `ad_id` values that are not in `facebook_ads`.
        case unknownAdId = "unknown_ad_id"
        /// A parameter holding an unreplaced `{{…}}` macro.
        case macro
        /// A parameter present but empty.
        case emptyParameter = "empty_parameter"
        /// A parameter absent from the URL.
        case missingParameter = "missing_parameter"

        /// Order among findings explaining as many sessions: the more specific cause first
        /// (a named value before a parameter state of a whole funnel).
        public var tieRank: Int {
            switch self {
            case .nearMiss: return 0
            case .unknownValue: return 1
            case .unknownAdId: return 2
            case .macro: return 3
            case .emptyParameter: return 4
            case .missingParameter: return 5
            }
        }
    }

    /// What kind of cause.
    public var kind: Kind
    /// The URL parameter concerned: `utm_campaign`, `utm_content` or `ad_id`.
    public var parameter: String
    /// The value (for value findings) or NULL.
    public var value: String?
    /// The funnel (for macro, empty and missing parameter findings).
    public var funnel: String?
    /// One line saying what was found.
    public var title: String
    /// Further detail: the near name, the ids, the campaigns.
    public var detail: String
    /// Sessions of the period this finding explains (exact; the SQL lists them).
    public var sessions: Int
    /// Sessions of the baseline with the same cause.
    public var baselineSessions: Int
    /// Sessions expected from the baseline at the period's volume.
    public var expectedSessions: Double
    /// `sessions − expectedSessions`, rounded: the rank key.
    public var excessSessions: Int
    /// Whether the cause did not occur in the baseline.
    public var isNew: Bool
    /// For a near miss: the close real name, what it names and the similarity (1 for a
    /// normalised-equality hit).
    public var nearName: String?
    /// `campaign`, `adset` or `ad`.
    public var nearNameKind: String?
    /// Similarity of the value and the near name.
    public var similarity: Double?
    /// The three smallest session ids ("C" order).
    public var exampleSessionIds: [String]
    /// SQL that lists every session of the period this finding explains.
    public var sql: String
}

/// Why an investigation could not run: exit 2 for data that does not cover the request,
/// exit 3 for an unbuilt mart.
public struct InvestigationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The mart table does not exist.
        case martMissing
        /// The requested dates have no data or lie outside the data.
        case noData
        /// The arguments contradict each other.
        case badArguments
    }

    /// What went wrong.
    public var kind: Kind
    /// One clear sentence.
    public var description: String

    /// Creates the error.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
