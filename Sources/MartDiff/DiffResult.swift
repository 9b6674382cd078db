import Foundation
import ReckonCore

/// What `reckon diff` found between the marts of two schemas: what `--json` writes.
///
/// The JSON is stable: keys are sorted, dates are ISO 8601, and `schemaVersion` changes only
/// when a field changes meaning or disappears (new fields may be added).
public struct DiffResult: Codable, Sendable, Equatable {
    /// Version of this JSON format.
    public var schemaVersion: Int = 1
    /// reckon's version.
    public var reckonVersion: String
    /// The schema of the published marts (the reference).
    public var baseSchema: String
    /// The schema of the marts built from the changed models.
    public var candidateSchema: String
    /// The database, password masked.
    public var database: String
    /// When the comparison started (UTC).
    public var startedAt: Date
    /// Wall time of the comparison, in seconds.
    public var durationSeconds: Double
    /// One comparison per mart found in either schema, by name.
    public var marts: [MartComparison]
    /// The metrics that matter, base vs candidate.
    public var metrics: [MetricChange]
    /// Campaigns whose spend, revenue or conversions moved, largest revenue move first (capped).
    public var campaignMovers: [CampaignMove]
    /// How many campaigns moved in all (`campaignMovers` lists the first of them).
    public var campaignsMoved: Int
    /// The `diff.fail_if` limits and whether each was crossed.
    public var limits: [LimitOutcome]
    /// Things the comparison could not do (a metric whose column is missing, …).
    public var notes: [String]

    /// Creates a result.
    public init(
        reckonVersion: String, baseSchema: String, candidateSchema: String, database: String, startedAt: Date,
        durationSeconds: Double, marts: [MartComparison], metrics: [MetricChange], campaignMovers: [CampaignMove],
        campaignsMoved: Int, limits: [LimitOutcome], notes: [String]
    ) {
        self.reckonVersion = reckonVersion
        self.baseSchema = baseSchema
        self.candidateSchema = candidateSchema
        self.database = database
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.marts = marts
        self.metrics = metrics
        self.campaignMovers = campaignMovers
        self.campaignsMoved = campaignsMoved
        self.limits = limits
        self.notes = notes
    }

    /// Whether a `diff.fail_if` limit was crossed (`reckon diff` then exits 1).
    public var crossedLimit: Bool { limits.contains { $0.crossed } }

    /// Whether the marts are identical: same marts, same columns, no row added, removed or changed.
    public var isIdentical: Bool { marts.allSatisfy(\.isIdentical) }

    /// Encodes as the documented, stable JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Decodes a saved JSON result.
    public static func decode(_ data: Data) throws -> DiffResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(DiffResult.self, from: data)
    }
}

/// The comparison of one mart between the two schemas.
public struct MartComparison: Codable, Sendable, Equatable {
    /// Where the mart exists.
    public enum Presence: String, Codable, Sendable {
        /// In both schemas: compared row by row.
        case both
        /// Only in the base schema: the candidate dropped it.
        case onlyInBase = "only_in_base"
        /// Only in the candidate schema: a new mart.
        case onlyInCandidate = "only_in_candidate"
    }

    /// The mart's table name (`mart_marketing_attribution`).
    public var name: String
    /// Where it exists.
    public var presence: Presence
    /// The key rows are matched on (the primary key).
    public var keyColumns: [String]
    /// Rows in the base schema (nil when the mart is not there).
    public var baseRows: Int?
    /// Rows in the candidate schema (nil when the mart is not there).
    public var candidateRows: Int?
    /// Keys only in the candidate.
    public var addedRows: Int
    /// Keys only in the base.
    public var removedRows: Int
    /// Keys in both whose values differ in a common column.
    public var changedRows: Int
    /// Columns only in the candidate.
    public var addedColumns: [String]
    /// Columns only in the base.
    public var droppedColumns: [String]
    /// Columns in both with another type (`name: base type → candidate type`); compared as text.
    public var retypedColumns: [String]
    /// Per common column with changed cells: how many, and samples; in column order.
    public var columns: [ColumnChange]
    /// Keys of added rows (a sample, in key order).
    public var addedSample: [String]
    /// Keys of removed rows (a sample, in key order).
    public var removedSample: [String]
    /// SQL that lists every added, removed and changed key, ready for psql.
    public var sql: String

    /// Creates a comparison.
    public init(
        name: String, presence: Presence, keyColumns: [String], baseRows: Int?, candidateRows: Int?, addedRows: Int = 0,
        removedRows: Int = 0, changedRows: Int = 0, addedColumns: [String] = [], droppedColumns: [String] = [],
        retypedColumns: [String] = [], columns: [ColumnChange] = [], addedSample: [String] = [], removedSample: [String] = [],
        sql: String = ""
    ) {
        self.name = name
        self.presence = presence
        self.keyColumns = keyColumns
        self.baseRows = baseRows
        self.candidateRows = candidateRows
        self.addedRows = addedRows
        self.removedRows = removedRows
        self.changedRows = changedRows
        self.addedColumns = addedColumns
        self.droppedColumns = droppedColumns
        self.retypedColumns = retypedColumns
        self.columns = columns
        self.addedSample = addedSample
        self.removedSample = removedSample
        self.sql = sql
    }

    /// Rows added, removed or changed.
    public var rowsDiffering: Int { addedRows + removedRows + changedRows }

    /// `rowsDiffering` in percent of the base rows (100 when the base is empty and rows differ).
    public var rowsDifferingPercent: Double {
        guard let base = baseRows, base > 0 else { return rowsDiffering > 0 ? 100 : 0 }
        return Double(rowsDiffering) / Double(base) * 100
    }

    /// Columns added, dropped or retyped.
    public var columnsChanged: Int { addedColumns.count + droppedColumns.count + retypedColumns.count }

    /// No row and no column differs, and the mart is in both schemas.
    public var isIdentical: Bool { presence == .both && rowsDiffering == 0 && columnsChanged == 0 }
}

/// One column's changed cells among the changed rows of a mart.
public struct ColumnChange: Codable, Sendable, Equatable {
    /// The column.
    public var name: String
    /// Changed rows whose value in this column differs.
    public var changedCells: Int
    /// Some of them, base → candidate, in key order.
    public var samples: [CellSample]

    /// Creates a column change.
    public init(name: String, changedCells: Int, samples: [CellSample]) {
        self.name = name
        self.changedCells = changedCells
        self.samples = samples
    }
}

/// A changed cell: the row's key and the value on each side (text; nil is SQL NULL).
public struct CellSample: Codable, Sendable, Equatable {
    /// The row's key, key columns joined by " | ".
    public var key: String
    /// The base value.
    public var base: String?
    /// The candidate value.
    public var candidate: String?

    /// Creates a sample.
    public init(key: String, base: String?, candidate: String?) {
        self.key = key
        self.base = base
        self.candidate = candidate
    }
}

/// A metric measured on both schemas.
public struct MetricChange: Codable, Sendable, Equatable {
    /// How the values read.
    public enum Unit: String, Codable, Sendable {
        /// A count of rows.
        case count
        /// US dollars.
        case usd
        /// A fraction 0–1, shown as a percentage; its change is in percentage points.
        case rate
        /// A plain ratio (ROAS).
        case ratio
    }

    /// The family of the metric (`match rate`, `sessions per channel`, `totals`, `campaigns`).
    public var section: String
    /// Its name within the family (`overall`, `tier utm_content`, `facebook_paid`, `revenue`).
    public var name: String
    /// Its unit.
    public var unit: Unit
    /// The base value (nil when it cannot be computed, e.g. ROAS without spend).
    public var base: Double?
    /// The candidate value.
    public var candidate: Double?

    /// Creates a metric.
    public init(section: String, name: String, unit: Unit, base: Double?, candidate: Double?) {
        self.section = section
        self.name = name
        self.unit = unit
        self.base = base
        self.candidate = candidate
    }

    /// Candidate minus base (missing values count as 0 for counts and money).
    public var absoluteChange: Double? {
        switch (base, candidate) {
        case (let base?, let candidate?): return candidate - base
        case (nil, let candidate?) where unit == .count || unit == .usd: return candidate
        case (let base?, nil) where unit == .count || unit == .usd: return -base
        default: return nil
        }
    }

    /// The change relative to the base (0.1 = +10%); nil when the base is 0 or missing.
    public var relativeChange: Double? {
        guard let change = absoluteChange, let base, base != 0 else { return nil }
        return change / abs(base)
    }
}

/// A campaign whose totals moved, over all its days of `mart_campaign_daily`.
public struct CampaignMove: Codable, Sendable, Equatable {
    /// `facebook_campaign_id`.
    public var campaignId: String
    /// Its name (candidate's, else base's).
    public var campaignName: String?
    /// Spend, base and candidate.
    public var baseSpend: Double
    /// Spend in the candidate.
    public var candidateSpend: Double
    /// Attributed revenue, base.
    public var baseRevenue: Double
    /// Attributed revenue, candidate.
    public var candidateRevenue: Double
    /// Conversions, base.
    public var baseConversions: Double
    /// Conversions, candidate.
    public var candidateConversions: Double

    /// Creates a campaign move.
    public init(
        campaignId: String, campaignName: String?, baseSpend: Double, candidateSpend: Double, baseRevenue: Double,
        candidateRevenue: Double, baseConversions: Double, candidateConversions: Double
    ) {
        self.campaignId = campaignId
        self.campaignName = campaignName
        self.baseSpend = baseSpend
        self.candidateSpend = candidateSpend
        self.baseRevenue = baseRevenue
        self.candidateRevenue = candidateRevenue
        self.baseConversions = baseConversions
        self.candidateConversions = candidateConversions
    }

    /// Revenue / spend, base (nil without spend).
    public var baseROAS: Double? { baseSpend > 0 ? baseRevenue / baseSpend : nil }
    /// Revenue / spend, candidate.
    public var candidateROAS: Double? { candidateSpend > 0 ? candidateRevenue / candidateSpend : nil }
    /// Spend / conversions, base (nil without conversions).
    public var baseCAC: Double? { baseConversions > 0 ? baseSpend / baseConversions : nil }
    /// Spend / conversions, candidate.
    public var candidateCAC: Double? { candidateConversions > 0 ? candidateSpend / candidateConversions : nil }
}

/// A `diff.fail_if` limit and what the diff measured against it.
public struct LimitOutcome: Codable, Sendable, Equatable {
    /// The measure (`rows_changed_pct`).
    public var measure: String
    /// The condition as written (`> 1`, `any`).
    public var condition: String
    /// The measured magnitude.
    public var observed: Double
    /// Whether the limit was crossed.
    public var crossed: Bool
    /// Where the measure comes from, for people ("mart_campaign_daily: 3.2% of rows").
    public var detail: String

    /// The limit as written in reckon.yml: `rows_changed_pct > 1`, `revenue_changed: any`.
    public var label: String { condition == "any" ? "\(measure): any" : "\(measure) \(condition)" }

    /// Creates an outcome.
    public init(measure: String, condition: String, observed: Double, crossed: Bool, detail: String) {
        self.measure = measure
        self.condition = condition
        self.observed = observed
        self.crossed = crossed
        self.detail = detail
    }
}
