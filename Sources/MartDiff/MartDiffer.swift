import Foundation
import PostgresClient

/// Why two schemas cannot be compared.
public enum MartDiffError: Error, CustomStringConvertible, Equatable {
    /// `--base` and `--candidate` name the same schema.
    case sameSchema(String)
    /// A schema does not exist in the database.
    case missingSchema(role: String, schema: String)
    /// Neither schema holds a `mart_*` table.
    case noMarts(base: String, candidate: String)

    public var description: String {
        switch self {
        case .sameSchema(let schema):
            "--base and --candidate are both '\(schema)': give the published schema and the candidate's (e.g. --base analytics --candidate ci_123)"
        case .missingSchema(let role, let schema):
            "the \(role) schema '\(schema)' does not exist in the database (build it with `reckon build --target-schema \(schema)`)"
        case .noMarts(let base, let candidate):
            "neither '\(base)' nor '\(candidate)' holds a mart_* table: nothing to compare"
        }
    }
}

/// Compares the marts of two schemas inside PostgreSQL.
///
/// Per mart present in both: the rows are matched on the primary key by a full outer join (a
/// merge join over the two primary-key indexes) that keeps the keys missing on one side or
/// differing in a column both sides have — compared with the type's own equality, without
/// converting rows to text — in a temporary table; only those changed keys are then compared
/// column by column, in one pass for the counts and one for the samples. reckon itself
/// only receives counts and capped samples, so its memory does not grow with the marts.
public struct MartDiffer: Sendable {
    /// The keys of the shipped marts, used when a mart has no primary key in either schema.
    public static let knownKeys: [String: [String]] = [
        "mart_marketing_attribution": ["session_id"],
        "mart_campaign_daily": ["date", "facebook_campaign_id"],
    ]

    /// The connection; its session gets temporary tables, dropped before `compare` returns.
    public let connection: Connection
    /// The reference schema (the published marts).
    public let baseSchema: String
    /// The schema built from the changed models.
    public let candidateSchema: String
    /// Samples kept per changed column, and of added and removed keys.
    public var sampleRows: Int
    /// Samples are taken among the first this many changed keys (in key order), so a change
    /// of every row costs one bounded pass.
    public var sampleScanLimit: Int
    /// Campaigns listed as top movers.
    public var topMovers: Int
    /// Longest text of a sampled value; longer values are cut in the database.
    public var sampleValueLength = 200
    /// More connections (same database): a mart of at least `splitThreshold` rows is cut into
    /// that many more key ranges, compared side by side.
    public var extraConnections: [Connection] = []
    /// Smallest mart (base rows) cut into key ranges when `extraConnections` are given.
    public var splitThreshold = 100_000

    /// Creates a differ.
    public init(
        connection: Connection, baseSchema: String, candidateSchema: String, sampleRows: Int = 5, sampleScanLimit: Int = 50_000,
        topMovers: Int = 10
    ) {
        self.connection = connection
        self.baseSchema = baseSchema
        self.candidateSchema = candidateSchema
        self.sampleRows = sampleRows
        self.sampleScanLimit = sampleScanLimit
        self.topMovers = topMovers
    }

    /// What `compare` returns; `DiffResult` adds the run's facts and the limits.
    public struct Comparison: Sendable {
        /// Per mart.
        public var marts: [MartComparison]
        /// The key metrics.
        public var metrics: [MetricChange]
        /// The campaigns that moved most.
        public var campaignMovers: [CampaignMove]
        /// How many campaigns moved.
        public var campaignsMoved: Int
        /// What could not be computed.
        public var notes: [String]
    }

    /// Checks the schemas, then compares every mart and the metrics.
    public func compare(progress: (String) -> Void = { _ in }) throws -> Comparison {
        guard baseSchema != candidateSchema else { throw MartDiffError.sameSchema(baseSchema) }
        let existing = try connection.execute(
            "select nspname from pg_namespace where nspname = any($1::text[])", name: "diff: schemas",
            ["{\(pgArrayElement(baseSchema)),\(pgArrayElement(candidateSchema))}"]
        ).rows.compactMap { $0[0] }
        for (role, schema) in [("base", baseSchema), ("candidate", candidateSchema)] where !existing.contains(schema) {
            throw MartDiffError.missingSchema(role: role, schema: schema)
        }
        let baseMarts = try marts(in: baseSchema)
        let candidateMarts = try marts(in: candidateSchema)
        guard !baseMarts.isEmpty || !candidateMarts.isEmpty else {
            throw MartDiffError.noMarts(base: baseSchema, candidate: candidateSchema)
        }
        var comparisons: [MartComparison] = []
        var notes: [String] = []
        for (index, name) in Set(baseMarts).union(candidateMarts).sorted().enumerated() {
            let start = Date()
            let comparison: MartComparison
            switch (baseMarts.contains(name), candidateMarts.contains(name)) {
            case (true, true):
                comparison = try compareMart(name, index: index, notes: &notes)
            case (true, false):
                comparison = MartComparison(
                    name: name, presence: .onlyInBase, keyColumns: [], baseRows: try rowCount(baseSchema, name), candidateRows: nil)
            default:
                comparison = MartComparison(
                    name: name, presence: .onlyInCandidate, keyColumns: [], baseRows: nil,
                    candidateRows: try rowCount(candidateSchema, name))
            }
            comparisons.append(comparison)
            progress(
                String(
                    format: "  %@ %d added, %d removed, %d changed in %.2f s", name.padding(toLength: 32, withPad: " ", startingAt: 0),
                    comparison.addedRows, comparison.removedRows, comparison.changedRows, Date().timeIntervalSince(start)))
        }
        let start = Date()
        var metrics: [MetricChange] = []
        let shared = Set(baseMarts).intersection(candidateMarts)
        if shared.contains("mart_marketing_attribution") {
            do {
                metrics += try attributionMetrics()
            } catch let error as PostgresError {
                notes.append("attribution metrics not computed: \(error.message)")
            }
        }
        var movers: [CampaignMove] = []
        var moved = 0
        if shared.contains("mart_campaign_daily") {
            do {
                metrics += try campaignTotals()
                (movers, moved) = try campaignMoves()
            } catch let error as PostgresError {
                notes.append("campaign metrics not computed: \(error.message)")
            }
        }
        progress(
            String(format: "  %@ in %.2f s", "metrics".padding(toLength: 32, withPad: " ", startingAt: 0), Date().timeIntervalSince(start)))
        return Comparison(marts: comparisons, metrics: metrics, campaignMovers: movers, campaignsMoved: moved, notes: notes)
    }

    // MARK: - Marts

    private func pgArrayElement(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The `mart_*` tables (and views) of a schema.
    func marts(in schema: String) throws -> [String] {
        try connection.execute(
            """
            select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm') and c.relname like 'mart\\_%'
            order by 1
            """, name: "diff: marts", [schema]
        ).rows.compactMap { $0[0] }
    }

    func rowCount(_ schema: String, _ table: String) throws -> Int {
        let result = try connection.execute("select count(*) from \(SQL.qualified(schema: schema, name: table))", name: "diff: row count")
        return Int(result.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    /// Column names and types, in column order.
    func columns(_ schema: String, _ table: String) throws -> [(name: String, type: String)] {
        try connection.execute(
            """
            select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a
            where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum
            """, name: "diff: columns", [SQL.qualified(schema: schema, name: table)]
        ).rows.map { ($0[0] ?? "", $0[1] ?? "") }
    }

    /// The columns whose type has its own `=` operator (compared typed; others as text).
    func comparableColumns(_ schema: String, _ table: String) throws -> Set<String> {
        Set(
            try connection.execute(
                """
                select a.attname from pg_attribute a join pg_type t on t.oid = a.atttypid
                where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
                  and exists (select 1 from pg_operator o where o.oprname = '=' and o.oprresult = 'bool'::regtype
                              and ((o.oprleft = a.atttypid and o.oprright = a.atttypid)
                                   or (t.typcategory = 'A' and o.oprleft = t.typelem and o.oprright = t.typelem)))
                """, name: "diff: comparable columns", [SQL.qualified(schema: schema, name: table)]
            ).rows.compactMap { $0[0] })
    }

    /// The primary key's columns, in key order (empty when there is none).
    func primaryKey(_ schema: String, _ table: String) throws -> [String] {
        try connection.execute(
            """
            select a.attname from pg_index i
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where i.indrelid = $1::regclass and i.indisprimary
            order by array_position(i.indkey::int2[], a.attnum)
            """, name: "diff: primary key", [SQL.qualified(schema: schema, name: table)]
        ).rows.compactMap { $0[0] }
    }

    private func integer(_ text: String??) -> Int { Int((text ?? nil) ?? "0") ?? 0 }

    func compareMart(_ name: String, index: Int, notes: inout [String]) throws -> MartComparison {
        let base = SQL.qualified(schema: baseSchema, name: name)
        let candidate = SQL.qualified(schema: candidateSchema, name: name)
        let baseColumns = try columns(baseSchema, name)
        let candidateColumns = try columns(candidateSchema, name)
        let candidateTypes = Dictionary(candidateColumns.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        let baseNames = Set(baseColumns.map(\.name))
        var comparison = MartComparison(
            name: name, presence: .both, keyColumns: [], baseRows: try rowCount(baseSchema, name),
            candidateRows: try rowCount(candidateSchema, name))
        comparison.addedColumns = candidateColumns.map(\.name).filter { !baseNames.contains($0) }
        comparison.droppedColumns = baseColumns.map(\.name).filter { candidateTypes[$0] == nil }
        comparison.retypedColumns = baseColumns.compactMap { column in
            guard let other = candidateTypes[column.name], other != column.type else { return nil }
            return "\(column.name): \(column.type) → \(other)"
        }

        let baseKey = try primaryKey(baseSchema, name)
        let candidateKey = try primaryKey(candidateSchema, name)
        var key = baseKey.isEmpty ? candidateKey : baseKey
        if key.isEmpty { key = Self.knownKeys[name] ?? [] }
        guard !key.isEmpty, key.allSatisfy({ baseNames.contains($0) && candidateTypes[$0] != nil }) else {
            notes.append("\(name): no primary key in both schemas; only row counts and columns compared")
            return comparison
        }
        comparison.keyColumns = key
        let baseTypes = Dictionary(baseColumns.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        let sameKeyTypes = key.allSatisfy { baseTypes[$0] == candidateTypes[$0] }
        /// A key column as compared: typed when both sides agree, else as text.
        func keyValue(_ alias: String, _ column: String) -> String {
            sameKeyTypes ? "\(alias).\(SQL.identifier(column))" : "\(alias).\(SQL.identifier(column))::text"
        }
        let common = baseColumns.map(\.name).filter { candidateTypes[$0] != nil && !key.contains($0) }
        let typed = try comparableColumns(baseSchema, name)
        /// Whether a common column differs: by the type's own equality when both sides have the
        /// same type and it has one (no text conversion: the cheap path), else as text.
        func differs(_ column: String) -> String {
            let quoted = SQL.identifier(column)
            if baseTypes[column] == candidateTypes[column], typed.contains(column) {
                return "b.\(quoted) is distinct from c.\(quoted)"
            }
            return "b.\(quoted)::text is distinct from c.\(quoted)::text"
        }
        let keyList = key.map { SQL.identifier($0) }.joined(separator: ", ")
        let joinOn = key.map { "\(keyValue("b", $0)) = \(keyValue("c", $0))" }.joined(separator: " and ")
        let firstKey = SQL.identifier(key[0])
        let rowDiffers = common.isEmpty ? "" : " or " + common.map(differs).joined(separator: " or ")
        let changesQuery = """
            select \(key.map { "coalesce(\(keyValue("b", $0)), \(keyValue("c", $0))) as \(SQL.identifier($0))" }.joined(separator: ", ")),
                   case when b.\(firstKey) is null then 'added' when c.\(firstKey) is null then 'removed' else 'changed' end as change
            from \(base) b full join \(candidate) c on \(joinOn)
            where b.\(firstKey) is null or c.\(firstKey) is null\(rowDiffers)
            """
        comparison.sql =
            "-- keys of \(name) added, removed or changed from \(baseSchema) to \(candidateSchema)\n" + changesQuery
            + "\norder by \(keyList)"
        // Both sides ordered by their primary-key index: a merge join streams them with flat
        // memory (a hash join would hold one whole mart and spill at a million rows).
        let mergeOnIndexes = sameKeyTypes && baseKey == key && candidateKey == key

        // A large mart is cut into key ranges compared side by side, one connection each (the
        // merge join of PostgreSQL 15 runs in one process). The ranges are in key order, so the
        // first samples of the first range are the first samples overall.
        var ranges: [String] = ["true"]
        let connections = [connection] + extraConnections
        if connections.count > 1, mergeOnIndexes, (comparison.baseRows ?? 0) >= splitThreshold,
            let type = baseTypes[key[0]]
        {
            let rows = comparison.baseRows ?? 0
            var bounds: [String] = []
            for part in 1..<connections.count {
                let offset = rows * part / connections.count
                if let bound = try connection.execute(
                    "select \(firstKey)::text from \(base) order by \(firstKey) offset \(offset) limit 1", name: "diff: \(name) key range"
                ).rows.first?.first ?? nil, bounds.last != bound {
                    bounds.append(bound)
                }
            }
            if !bounds.isEmpty {
                let literals = bounds.map { "\(SQL.literal($0))::\(type)" }
                ranges = (0...literals.count).map { index in
                    var conditions: [String] = []
                    if index > 0 { conditions.append("t.\(firstKey) >= \(literals[index - 1])") }
                    if index < literals.count { conditions.append("t.\(firstKey) < \(literals[index])") }
                    return conditions.joined(separator: " and ")
                }
            }
        }
        let shape = PartShape(
            name: name, base: base, candidate: candidate, key: key, keyAsText: !sameKeyTypes, common: common,
            typedColumns: Set(common.filter { baseTypes[$0] == candidateTypes[$0] && typed.contains($0) }),
            mergeOnIndexes: mergeOnIndexes, table: SQL.identifier("reckon_diff_\(index)"))
        let keyRanges = ranges
        let outcomes = PartOutcomes(count: ranges.count)
        if ranges.count == 1 {
            outcomes.set(0, Result { try comparePart(shape, range: "true", on: connection) })
        } else {
            DispatchQueue.concurrentPerform(iterations: ranges.count) { part in
                outcomes.set(part, Result { try comparePart(shape, range: keyRanges[part], on: connections[part]) })
            }
        }
        let parts = try outcomes.values()
        let limit = max(0, sampleRows)
        comparison.addedRows = parts.reduce(0) { $0 + $1.added }
        comparison.removedRows = parts.reduce(0) { $0 + $1.removed }
        comparison.changedRows = parts.reduce(0) { $0 + $1.changed }
        comparison.addedSample = Array(parts.flatMap(\.addedSample).prefix(limit))
        comparison.removedSample = Array(parts.flatMap(\.removedSample).prefix(limit))
        comparison.columns = common.compactMap { column in
            let cells = parts.reduce(0) { $0 + ($1.cells[column] ?? 0) }
            guard cells > 0 else { return nil }
            return ColumnChange(name: column, changedCells: cells, samples: Array(parts.flatMap { $0.samples[column] ?? [] }.prefix(limit)))
        }
        return comparison
    }

    /// What every key range of one mart's comparison shares.
    struct PartShape: Sendable {
        var name: String
        var base: String
        var candidate: String
        var key: [String]
        /// The key columns have other types on the two sides: compared as text.
        var keyAsText: Bool
        var common: [String]
        /// Common columns compared with their type's equality (the others as text).
        var typedColumns: Set<String>
        var mergeOnIndexes: Bool
        var table: String

        /// A key column as compared: typed when both sides agree, else as text.
        func keyValue(_ alias: String, _ column: String) -> String {
            keyAsText ? "\(alias).\(SQL.identifier(column))::text" : "\(alias).\(SQL.identifier(column))"
        }

        /// Whether a common column differs between `b` and `c`.
        func differs(_ column: String) -> String {
            let quoted = SQL.identifier(column)
            return typedColumns.contains(column)
                ? "b.\(quoted) is distinct from c.\(quoted)" : "b.\(quoted)::text is distinct from c.\(quoted)::text"
        }
    }

    /// The comparison of one key range.
    struct Part: Sendable {
        var added = 0
        var removed = 0
        var changed = 0
        var addedSample: [String] = []
        var removedSample: [String] = []
        var cells: [String: Int] = [:]
        var samples: [String: [CellSample]] = [:]
    }

    /// Results of the key ranges compared side by side.
    final class PartOutcomes: @unchecked Sendable {
        // Safety: `results` is only touched under `lock`.
        private let lock = NSLock()
        private var results: [Result<Part, Error>?]

        init(count: Int) { results = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ result: Result<Part, Error>) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }

        /// The parts in range order, or the first error.
        func values() throws -> [Part] {
            lock.lock()
            defer { lock.unlock() }
            return try results.map { result in
                guard let result else { throw PostgresError(kind: .client, message: "a key range of the diff did not run") }
                return try result.get()
            }
        }
    }

    /// The attribution figures of base and candidate, computed side by side.
    final class FigureOutcomes: @unchecked Sendable {
        // Safety: `results` is only touched under `lock`.
        private let lock = NSLock()
        private var results: [Result<AttributionFigures, Error>?] = [nil, nil]

        func set(_ index: Int, _ result: Result<AttributionFigures, Error>) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }

        func pair() throws -> (AttributionFigures, AttributionFigures) {
            lock.lock()
            defer { lock.unlock() }
            guard let base = results[0], let candidate = results[1] else {
                throw PostgresError(kind: .client, message: "the attribution figures were not computed")
            }
            return (try base.get(), try candidate.get())
        }
    }

    /// Compares the keys of one range (`range`: a condition on `t`) on `connection`: the differing
    /// keys into a temporary table, then counts and samples.
    func comparePart(_ shape: PartShape, range: String, on connection: Connection) throws -> Part {
        let (name, base, candidate, key, changes) = (shape.name, shape.base, shape.candidate, shape.key, shape.table)
        let keyValue = shape.keyValue
        let keyList = key.map { SQL.identifier($0) }.joined(separator: ", ")
        let keyText = "concat_ws(' | ', " + key.map { "d.\(SQL.identifier($0))::text" }.joined(separator: ", ") + ")"
        let joinOn = key.map { "\(keyValue("b", $0)) = \(keyValue("c", $0))" }.joined(separator: " and ")
        let firstKey = SQL.identifier(key[0])
        let rowDiffers = shape.common.isEmpty ? "" : " or " + shape.common.map(shape.differs).joined(separator: " or ")
        let changesQuery = """
            select \(key.map { "coalesce(\(keyValue("b", $0)), \(keyValue("c", $0))) as \(SQL.identifier($0))" }.joined(separator: ", ")),
                   case when b.\(firstKey) is null then 'added' when c.\(firstKey) is null then 'removed' else 'changed' end as change
            from (select * from \(base) t where \(range)) b full join (select * from \(candidate) t where \(range)) c on \(joinOn)
            where b.\(firstKey) is null or c.\(firstKey) is null\(rowDiffers)
            """
        try connection.execute("drop table if exists pg_temp.\(changes)", name: "diff: \(name) drop changes")
        if shape.mergeOnIndexes { try connection.execute("set enable_hashjoin = off", name: "diff: merge join") }
        do {
            try connection.execute("create temp table \(changes) as \(changesQuery)", name: "diff: \(name) differing keys")
        } catch {
            if shape.mergeOnIndexes { _ = try? connection.execute("reset enable_hashjoin", name: "diff: reset") }
            throw error
        }
        if shape.mergeOnIndexes { try connection.execute("reset enable_hashjoin", name: "diff: reset") }
        defer { _ = try? connection.execute("drop table if exists pg_temp.\(changes)", name: "diff: \(name) drop changes") }
        try connection.execute("analyze \(changes)", name: "diff: \(name) analyze changes")
        var part = Part()
        for row in try connection.execute("select change, count(*) from \(changes) group by 1", name: "diff: \(name) counts").rows {
            switch row[0] {
            case "added": part.added = integer(row[1])
            case "removed": part.removed = integer(row[1])
            default: part.changed = integer(row[1])
            }
        }
        let limit = max(0, sampleRows)
        let dKeys = key.map { "d.\(SQL.identifier($0))" }.joined(separator: ", ")
        if part.added > 0 {
            part.addedSample = try connection.execute(
                "select \(keyText) from \(changes) d where change = 'added' order by \(dKeys) limit \(limit)",
                name: "diff: \(name) added sample"
            ).rows.compactMap { $0[0] }
        }
        if part.removed > 0 {
            part.removedSample = try connection.execute(
                "select \(keyText) from \(changes) d where change = 'removed' order by \(dKeys) limit \(limit)",
                name: "diff: \(name) removed sample"
            ).rows.compactMap { $0[0] }
        }
        guard part.changed > 0, !shape.common.isEmpty else { return part }

        // Only the changed keys meet the two marts again: first the changed cells per column, in
        // one pass over all of them; then samples of the changed columns among the first
        // `sampleScanLimit` changed keys, values turned into text only for the rows kept.
        func joinBoth(_ alias: String) -> String {
            """
            join \(base) b on \(key.map { "\(keyValue("b", $0)) = \(alias).\(SQL.identifier($0))" }.joined(separator: " and "))
            join \(candidate) c on \(key.map { "\(keyValue("c", $0)) = \(alias).\(SQL.identifier($0))" }.joined(separator: " and "))
            """
        }
        let counts = try connection.execute(
            "select " + shape.common.map { "count(*) filter (where \(shape.differs($0)))" }.joined(separator: ", ")
                + " from \(changes) d \(joinBoth("d")) where d.change = 'changed'", name: "diff: \(name) changed cells")
        let changedColumns = zip(shape.common, counts.rows.first ?? []).compactMap { column, count -> (String, Int)? in
            let cells = integer(count)
            return cells > 0 ? (column, cells) : nil
        }
        for (column, cells) in changedColumns { part.cells[column] = cells }
        guard !changedColumns.isEmpty, limit > 0 else { return part }
        let flags = changedColumns.enumerated().map { position, entry in "(\(position), \(shape.differs(entry.0)))" }
            .joined(separator: ", ")
        func value(_ alias: String) -> String {
            "case r.position "
                + changedColumns.enumerated().map { position, entry in
                    "when \(position) then left(\(alias).\(SQL.identifier(entry.0))::text, \(sampleValueLength))"
                }.joined(separator: " ") + " end"
        }
        /// One index lookup per kept row (`offset 0` keeps the planner from hashing a whole mart
        /// for a few rows).
        func lookUpBoth(_ alias: String) -> String {
            """
            cross join lateral (select * from \(base) b where \(key.map { "\(keyValue("b", $0)) = \(alias).\(SQL.identifier($0))" }.joined(separator: " and ")) offset 0) b
            cross join lateral (select * from \(candidate) c where \(key.map { "\(keyValue("c", $0)) = \(alias).\(SQL.identifier($0))" }.joined(separator: " and ")) offset 0) c
            """
        }
        let samples = try connection.execute(
            """
            with d as (select * from \(changes) where change = 'changed' order by \(keyList) limit \(max(1, sampleScanLimit))),
            ranked as materialized (
              select x.position, \(dKeys), row_number() over (partition by x.position order by \(dKeys)) as rank
              from d
              \(joinBoth("d"))
              cross join lateral (values \(flags)) x(position, differs)
              where x.differs
            )
            select r.position, \(keyText.replacingOccurrences(of: "d.", with: "r.")), \(value("b")), \(value("c"))
            from (select * from ranked where rank <= \(limit)) r
            \(lookUpBoth("r"))
            order by r.position, r.rank
            """, name: "diff: \(name) samples")
        for row in samples.rows {
            guard let position = Int(row[0] ?? ""), position < changedColumns.count else { continue }
            part.samples[changedColumns[position].0, default: []].append(
                CellSample(key: row[1] ?? "", base: row[2], candidate: row[3]))
        }
        return part
    }

    // MARK: - Metrics

    private func number(_ text: String??) -> Double? { (text ?? nil).flatMap(Double.init) }

    /// One scan of a schema's attribution mart: the totals, and per tier and per channel.
    struct AttributionFigures: Sendable {
        var sessions: Double?
        var facebookSessions: Double?
        var matched: Double?
        var conversions: Double?
        var revenue: Double?
        var refunds: Double?
        var matchedPerTier: [String: Double] = [:]
        var sessionsPerChannel: [String: Double] = [:]

        var matchRate: Double? {
            guard let matched, let facebookSessions, facebookSessions > 0 else { return nil }
            return matched / facebookSessions
        }

        func tierRate(_ tier: String) -> Double? {
            guard let facebookSessions, facebookSessions > 0 else { return nil }
            return (matchedPerTier[tier] ?? 0) / facebookSessions
        }
    }

    func attributionFigures(_ schema: String, on connection: Connection) throws -> AttributionFigures {
        let result = try connection.execute(
            """
            select grouping(facebook_match_tier), grouping(attribution_channel), facebook_match_tier, attribution_channel,
                   count(*), count(*) filter (where is_facebook_traffic),
                   count(*) filter (where is_facebook_traffic and facebook_match_tier is not null),
                   count(*) filter (where converted), coalesce(sum(revenue_usd), 0), coalesce(sum(refunded_usd), 0)
            from \(SQL.qualified(schema: schema, name: "mart_marketing_attribution"))
            group by grouping sets ((), (facebook_match_tier), (attribution_channel))
            """, name: "diff: attribution figures")
        var figures = AttributionFigures()
        for row in result.rows {
            switch (row[0], row[1]) {
            case ("1", "1"):
                figures.sessions = number(row[4])
                figures.facebookSessions = number(row[5])
                figures.matched = number(row[6])
                figures.conversions = number(row[7])
                figures.revenue = number(row[8])
                figures.refunds = number(row[9])
            case ("0", "1"):
                if let tier = row[2] { figures.matchedPerTier[tier] = number(row[6]) ?? 0 }
            case ("1", "0"):
                figures.sessionsPerChannel[row[3] ?? "NULL"] = number(row[4]) ?? 0
            default:
                break
            }
        }
        return figures
    }

    /// Match rate overall and per tier, sessions per channel, conversions, revenue, refunds.
    func attributionMetrics() throws -> [MetricChange] {
        // The two scans side by side when there is a second connection.
        let schemas = [baseSchema, candidateSchema]
        let connections = extraConnections.isEmpty ? [connection, connection] : [connection, extraConnections[0]]
        let outcomes = FigureOutcomes()
        if extraConnections.isEmpty {
            for index in 0..<2 { outcomes.set(index, Result { try attributionFigures(schemas[index], on: connections[index]) }) }
        } else {
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                outcomes.set(index, Result { try attributionFigures(schemas[index], on: connections[index]) })
            }
        }
        let (base, candidate) = try outcomes.pair()
        var metrics = [
            MetricChange(section: "totals", name: "sessions", unit: .count, base: base.sessions, candidate: candidate.sessions),
            MetricChange(section: "totals", name: "conversions", unit: .count, base: base.conversions, candidate: candidate.conversions),
            MetricChange(section: "totals", name: "revenue", unit: .usd, base: base.revenue, candidate: candidate.revenue),
            MetricChange(section: "totals", name: "refunds", unit: .usd, base: base.refunds, candidate: candidate.refunds),
            MetricChange(section: "match rate", name: "overall", unit: .rate, base: base.matchRate, candidate: candidate.matchRate),
        ]
        for tier in Set(base.matchedPerTier.keys).union(candidate.matchedPerTier.keys).sorted() {
            metrics.append(
                MetricChange(
                    section: "match rate", name: "tier \(tier)", unit: .rate, base: base.tierRate(tier),
                    candidate: candidate.tierRate(tier)))
        }
        for channel in Set(base.sessionsPerChannel.keys).union(candidate.sessionsPerChannel.keys).sorted() {
            metrics.append(
                MetricChange(
                    section: "sessions per channel", name: channel, unit: .count, base: base.sessionsPerChannel[channel] ?? 0,
                    candidate: candidate.sessionsPerChannel[channel] ?? 0))
        }
        return metrics
    }

    /// Spend, revenue, conversions, ROAS and CAC over all of `mart_campaign_daily`.
    func campaignTotals() throws -> [MetricChange] {
        func totals(_ schema: String) throws -> [Double?] {
            let row =
                try connection.execute(
                    """
                    select coalesce(sum(spend), 0), coalesce(sum(revenue_usd), 0), coalesce(sum(conversions), 0)
                    from \(SQL.qualified(schema: schema, name: "mart_campaign_daily"))
                    """, name: "diff: campaign totals"
                ).rows.first ?? []
            return row.map { $0.flatMap(Double.init) }
        }
        let base = try totals(baseSchema)
        let candidate = try totals(candidateSchema)
        func at(_ row: [Double?], _ index: Int) -> Double? { index < row.count ? row[index] : nil }
        func roas(_ row: [Double?]) -> Double? {
            guard let spend = at(row, 0), spend > 0, let revenue = at(row, 1) else { return nil }
            return revenue / spend
        }
        func cac(_ row: [Double?]) -> Double? {
            guard let conversions = at(row, 2), conversions > 0, let spend = at(row, 0) else { return nil }
            return spend / conversions
        }
        return [
            MetricChange(section: "campaigns", name: "spend", unit: .usd, base: at(base, 0), candidate: at(candidate, 0)),
            MetricChange(section: "campaigns", name: "attributed revenue", unit: .usd, base: at(base, 1), candidate: at(candidate, 1)),
            MetricChange(section: "campaigns", name: "conversions", unit: .count, base: at(base, 2), candidate: at(candidate, 2)),
            MetricChange(section: "campaigns", name: "ROAS", unit: .ratio, base: roas(base), candidate: roas(candidate)),
            MetricChange(section: "campaigns", name: "CAC", unit: .usd, base: cac(base), candidate: cac(candidate)),
        ]
    }

    /// The campaigns whose totals moved, largest revenue move first, then spend, then conversions.
    func campaignMoves() throws -> ([CampaignMove], Int) {
        func perCampaign(_ schema: String) -> String {
            """
            select facebook_campaign_id as id, max(campaign_name) as name, coalesce(sum(spend), 0) as spend,
                   coalesce(sum(revenue_usd), 0) as revenue, coalesce(sum(conversions), 0) as conversions
            from \(SQL.qualified(schema: schema, name: "mart_campaign_daily")) group by 1
            """
        }
        let result = try connection.execute(
            """
            with b as (\(perCampaign(baseSchema))), c as (\(perCampaign(candidateSchema))),
            moved as (
              select coalesce(c.id, b.id) as id, coalesce(c.name, b.name) as name,
                     coalesce(b.spend, 0) as base_spend, coalesce(c.spend, 0) as candidate_spend,
                     coalesce(b.revenue, 0) as base_revenue, coalesce(c.revenue, 0) as candidate_revenue,
                     coalesce(b.conversions, 0) as base_conversions, coalesce(c.conversions, 0) as candidate_conversions
              from b full join c on b.id = c.id
              where (b.spend, b.revenue, b.conversions) is distinct from (c.spend, c.revenue, c.conversions)
            )
            select id, name, base_spend, candidate_spend, base_revenue, candidate_revenue, base_conversions,
                   candidate_conversions, count(*) over () as moved
            from moved
            order by abs(candidate_revenue - base_revenue) desc, abs(candidate_spend - base_spend) desc,
                     abs(candidate_conversions - base_conversions) desc, id collate "C"
            limit \(max(0, topMovers))
            """, name: "diff: campaign movers")
        let moves = result.rows.map { row in
            CampaignMove(
                campaignId: row[0] ?? "NULL", campaignName: row[1], baseSpend: number(row[2]) ?? 0, candidateSpend: number(row[3]) ?? 0,
                baseRevenue: number(row[4]) ?? 0, candidateRevenue: number(row[5]) ?? 0, baseConversions: number(row[6]) ?? 0,
                candidateConversions: number(row[7]) ?? 0)
        }
        return (moves, integer(result.rows.first?[8]))
    }
}
