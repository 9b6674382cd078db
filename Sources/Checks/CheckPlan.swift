import Foundation
import PostgresClient
import ReckonCore

/// One check of a run, by its position in the definitions given to the engine.
public struct CheckID: Hashable, Comparable, Sendable {
    /// The position in the definitions.
    public let index: Int

    /// Orders checks as they were defined.
    public static func < (left: CheckID, right: CheckID) -> Bool { left.index < right.index }
}

/// A check after the plan pass: its builder and everything its queries need.
struct PlannedCheck: Sendable {
    let id: CheckID
    let definition: CheckDefinition
    let builder: CheckBuilder
    /// What it needs from each table's scan.
    let parts: [ScanPart]
    /// The queries it runs on its own (user SQL), as run.
    let queries: [String]
    /// The pasteable SQL listing all its failing rows.
    let failingSQL: String
    let timeout: Int
    let sampleLimit: Int
}

/// The first pass: each definition becomes a `PlannedCheck`, or an error when its SQL cannot
/// be built (an unknown placeholder).
struct CheckPlan: Sendable {
    /// The checks that could be planned, in definition order.
    let checks: [PlannedCheck]
    /// Why the others could not.
    let errors: [CheckID: String]

    init(_ definitions: [CheckDefinition], context: CheckContext) {
        var checks: [PlannedCheck] = []
        var errors: [CheckID: String] = [:]
        for (index, definition) in definitions.enumerated() {
            let id = CheckID(index: index)
            let builder = Checks.builder(for: definition, context: context)
            let sampleLimit = definition.sampleRows ?? context.configuration.checkSampleRows
            do {
                checks.append(
                    PlannedCheck(
                        id: id, definition: definition, builder: builder, parts: try builder.scanParts(prefix: "c\(index)"),
                        queries: try builder.queries(sampleLimit: sampleLimit), failingSQL: try builder.failingRowsSQL(),
                        timeout: definition.timeoutSeconds ?? context.configuration.checkTimeoutSeconds,
                        sampleLimit: sampleLimit))
            } catch {
                errors[id] = "\(error)"
            }
        }
        self.checks = checks
        self.errors = errors
    }

    /// The planned check `id`.
    subscript(_ id: CheckID) -> PlannedCheck? { checks.first { $0.id == id } }

    /// The second pass: the statements to run. With `fuse`, every part on one table goes into
    /// one scan; without, each check scans each table on its own. User queries run alone.
    func batches(fuse: Bool) -> [CheckBatch] {
        var scans: [(table: String, label: String, members: [ScanMember])] = []
        var scanIndex: [String: Int] = [:]
        for check in checks {
            for (partIndex, part) in check.parts.enumerated() {
                let member = ScanMember(
                    check: check.id, partIndex: partIndex, part: part,
                    columns: PartColumns(part: part, check: check.definition.name, index: check.id.index))
                let key = fuse ? part.table : "\(part.table) \(check.id.index)"
                if let index = scanIndex[key] {
                    scans[index].members.append(member)
                } else {
                    scanIndex[key] = scans.count
                    scans.append((part.table, part.tableLabel, [member]))
                }
            }
        }
        var batches = scans.map { scan in
            let served = servedChecks(scan.members.map(\.check))
            let header = "reckon check scan of \(scan.label): " + served.map(\.definition.name).joined(separator: ", ")
            return CheckBatch(
                kind: .scan(table: scan.table, members: scan.members), label: scan.label, checks: served.map(\.id),
                sql: ScanQuery.sql(table: scan.table, members: scan.members, header: header),
                timeout: served.map(\.timeout).max() ?? 0)
        }
        for check in checks {
            for (queryIndex, sql) in check.queries.enumerated() {
                batches.append(
                    CheckBatch(
                        kind: .query(check: check.id, index: queryIndex), label: check.definition.name, checks: [check.id],
                        sql: sql, timeout: check.timeout))
            }
        }
        return batches
    }

    /// The distinct checks of `ids`, in definition order.
    func servedChecks(_ ids: [CheckID]) -> [PlannedCheck] {
        Set(ids).sorted().compactMap { self[$0] }
    }
}

/// One statement the engine runs: a fused scan of a table, or one user query of a check.
struct CheckBatch: Sendable {
    enum Kind: Sendable {
        /// A scan of `table` computing the aggregates of `members`.
        case scan(table: String, members: [ScanMember])
        /// Query number `index` of a check (`CheckPlan.queries`).
        case query(check: CheckID, index: Int)
    }

    let kind: Kind
    /// The table or check it is about, for progress and file names.
    let label: String
    /// The checks it serves, in definition order.
    let checks: [CheckID]
    /// The SQL, exactly as it runs.
    let sql: String
    /// Its `statement_timeout` in seconds: the longest of its checks'.
    let timeout: Int
}

/// A statement of a check run as `reckon compile` writes it: the same SQL `reckon check` runs.
public struct CompiledCheckQuery: Sendable, Equatable {
    /// A file name: `NN_scan_<table>.sql` or `NN_query_<check>.sql`.
    public let fileName: String
    /// The checks it serves, with where they are defined.
    public let checks: [String]
    /// The SQL the engine runs.
    public let sql: String

    /// The file's text: a comment listing the checks it serves, then the SQL.
    public var text: String {
        let lines =
            ["-- Written by reckon compile: the statement reckon check runs for these checks:"]
            + checks.map { "--   \($0)" }
        return lines.joined(separator: "\n") + "\n" + sql + ";\n"
    }
}

extension CheckEngine {
    /// The statements `run` would execute for `definitions` in `context`, without running them;
    /// checks whose SQL cannot be built are left out (the run reports them as errors).
    public static func compile(_ definitions: [CheckDefinition], context: CheckContext) -> [CompiledCheckQuery] {
        let plan = CheckPlan(definitions, context: context)
        return plan.batches(fuse: context.fuse).enumerated().map { number, batch in
            let served = plan.servedChecks(batch.checks).map {
                "\($0.definition.name) (\($0.definition.kind.rawValue), \($0.definition.file):\($0.definition.line))"
            }
            let kind: String
            switch batch.kind {
            case .scan: kind = "scan"
            case .query: kind = "query"
            }
            let safe = String(batch.label.map { $0.isLetter || $0.isNumber || "_-.".contains($0) ? $0 : "_" })
            return CompiledCheckQuery(
                fileName: String(format: "%02d_%@_%@.sql", number + 1, kind, safe), checks: served, sql: batch.sql)
        }
    }
}
