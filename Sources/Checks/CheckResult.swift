import Foundation

/// How much a failing check matters.
public enum Severity: String, Codable, Sendable, CaseIterable {
    /// Fails the run and blocks publishing.
    case error
    /// Reported, never blocks.
    case warn
}

/// The verdict on one check (or one group of a grouped check).
public enum CheckStatus: String, Codable, Sendable, CaseIterable {
    /// Within every threshold.
    case pass
    /// Crossed a `warn` threshold, or failed a check of severity `warn`.
    case warn
    /// Failed a check of severity `error` (blocks publishing).
    case fail
    /// Could not be judged: its SQL failed or timed out.
    case error
}

/// One group of a grouped check: a match-rate tier or day, a reconciliation day or currency.
public struct GroupResult: Codable, Sendable, Equatable {
    /// The group's key, e.g. `tier=ad_id` or `date=2026-10-01`.
    public var key: String
    /// The group's verdict.
    public var status: CheckStatus
    /// What was measured, for people ("92.4%", "12 rows", "1,234.56 vs 1,234.50").
    public var observed: String
    /// The threshold it was judged against, for people ("≥ 90%").
    public var expected: String
    /// Named figures of the group (e.g. `matched`, `total`, `rate`, `left`, `right`,
    /// `difference` and the bridge terms of a reconciliation).
    public var values: [String: Double]

    /// Creates a group result.
    public init(key: String, status: CheckStatus, observed: String, expected: String, values: [String: Double]) {
        self.key = key
        self.status = status
        self.observed = observed
        self.expected = expected
        self.values = values
    }
}

/// The outcome of one check.
public struct CheckResult: Codable, Sendable, Equatable {
    /// The check's unique name.
    public var name: String
    /// Its kind (`unique`, `match_rate`, `reconciliation`, …).
    public var kind: String
    /// The checks file it came from, and the line of its definition.
    public var file: String
    /// 1-based line of the check in `file`.
    public var line: Int
    /// Declared severity.
    public var severity: Severity
    /// Verdict.
    public var status: CheckStatus
    /// The check's `description`, if any.
    public var description: String?
    /// Its tags.
    public var tags: [String]
    /// Its owner, if any.
    public var owner: String?
    /// The table it audits (qualified), if one.
    public var table: String?
    /// What was measured, for people.
    public var observed: String
    /// The threshold, for people.
    public var expected: String
    /// One sentence saying what passed or failed and why.
    public var message: String
    /// Named figures (e.g. `failing_rows`, `rate`).
    public var metrics: [String: Double]
    /// Per-group verdicts for grouped checks (tiers, days, currencies), else empty.
    public var groups: [GroupResult]
    /// Column names of `sampleRows`.
    public var sampleColumns: [String]
    /// Up to `sample_rows` failing rows, as text.
    public var sampleRows: [[String?]]
    /// The exact SQL that lists all failing rows (or computes the figures), ready for psql.
    public var sql: String
    /// Wall time of the check's share of the work, in seconds.
    public var durationSeconds: Double
    /// The database's message when `status` is `error`.
    public var errorMessage: String?
    /// The check's `sample_columns:`: the columns of `sampleRows` reports show (nil: the
    /// key and the columns the check uses).
    public var shownSampleColumns: [String]?

    /// Creates a result.
    public init(
        name: String, kind: String, file: String, line: Int, severity: Severity, status: CheckStatus,
        description: String? = nil, tags: [String] = [], owner: String? = nil, table: String? = nil,
        observed: String = "", expected: String = "", message: String = "", metrics: [String: Double] = [:],
        groups: [GroupResult] = [], sampleColumns: [String] = [], sampleRows: [[String?]] = [], sql: String = "",
        durationSeconds: Double = 0, errorMessage: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.file = file
        self.line = line
        self.severity = severity
        self.status = status
        self.description = description
        self.tags = tags
        self.owner = owner
        self.table = table
        self.observed = observed
        self.expected = expected
        self.message = message
        self.metrics = metrics
        self.groups = groups
        self.sampleColumns = sampleColumns
        self.sampleRows = sampleRows
        self.sql = sql
        self.durationSeconds = durationSeconds
        self.errorMessage = errorMessage
    }
}

/// A whole run of checks: what `--json` writes and `reckon report` reads back.
///
/// The JSON is stable: keys are sorted, dates are ISO 8601, and `schemaVersion` changes
/// only when a field changes meaning or disappears (new fields may be added).
public struct RunResult: Codable, Sendable, Equatable {
    /// Version of this JSON format.
    public var schemaVersion: Int = 1
    /// reckon's version.
    public var reckonVersion: String
    /// `check` or `run`.
    public var command: String
    /// When the run started (UTC).
    public var startedAt: Date
    /// Wall time of the run, in seconds.
    public var durationSeconds: Double
    /// The database, password masked.
    public var database: String
    /// The schema whose marts were checked (the staging schema for `reckon run`).
    public var checkedSchema: String
    /// The git commit of the models, when known.
    public var modelsCommit: String?
    /// Whether `reckon run` published the marts (nil for `reckon check`).
    public var published: Bool?
    /// The checks, in definition order.
    public var checks: [CheckResult]
    /// Why the run ended before judging the checks (database unreachable, an SQL error in
    /// the build, a bad checks file), or nil when it ran. `checks` is then empty.
    public var errorMessage: String?
    /// Warnings about the run itself that do not change its verdict (e.g. the run history
    /// could not be recorded); absent when there are none.
    public var notes: [String]?

    /// Creates a run result.
    public init(
        reckonVersion: String, command: String, startedAt: Date, durationSeconds: Double, database: String,
        checkedSchema: String, modelsCommit: String? = nil, published: Bool? = nil, checks: [CheckResult],
        errorMessage: String? = nil
    ) {
        self.reckonVersion = reckonVersion
        self.command = command
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.database = database
        self.checkedSchema = checkedSchema
        self.modelsCommit = modelsCommit
        self.published = published
        self.checks = checks
        self.errorMessage = errorMessage
    }

    /// Number of checks with `status`.
    public func count(_ status: CheckStatus) -> Int { checks.filter { $0.status == status }.count }

    /// The run's verdict: `error` if the run itself ended with an error, else `fail` if any
    /// check failed, else `error` if any errored, else
    /// `warn` if any warned, else `pass`.
    public var status: CheckStatus {
        if errorMessage != nil { return .error }
        if checks.contains(where: { $0.status == .fail }) { return .fail }
        if checks.contains(where: { $0.status == .error }) { return .error }
        if checks.contains(where: { $0.status == .warn }) { return .warn }
        return .pass
    }

    /// Encodes as the documented, stable JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Decodes a saved JSON result.
    public static func decode(_ data: Data) throws -> RunResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunResult.self, from: data)
    }
}
