import Foundation
import PostgresClient
import ReckonCore

/// A `--select` that matches no check name or tag.
public struct CheckSelectionError: Error, CustomStringConvertible, Sendable {
    /// The selectors that matched nothing.
    public let unmatched: [String]
    /// Known names and tags, for the message.
    public let valid: [String]
    /// One sentence naming the selectors and the valid choices.
    public var description: String {
        "--select \(unmatched.joined(separator: ", ")) matches no check name or tag; valid: \(valid.joined(separator: ", "))"
    }
}

/// Runs check definitions as SQL on a connection pool, as a pipeline of passes.
///
/// - plan (`CheckPlan`): each kind's builder renders its SQL;
/// - fuse (`CheckPlan.batches`): checks on the same table become one scan (`ScanQuery`), so a
///   table is scanned once however many checks audit it; user queries (`sql` checks, `sql`
///   reconciliation terms) stay on their own. These batches are what `compile` returns;
/// - execute: the batches run side by side on the pool, each under `statement_timeout`; a
///   fused scan that fails (a missing column in one check) is re-run check by check, so only
///   the faulty check gets status `error`;
/// - judge: results are decoded by column name and each kind draws its verdict;
/// - sample: failed checks fetch samples of their failing rows, row-condition checks on one
///   table again in a single query.
public struct CheckEngine: Sendable {
    /// The pool the queries run on.
    public let pool: ConnectionPool
    /// Where the checks look.
    public let context: CheckContext

    /// Statements to run on each new pool connection used for checks. Check queries run in
    /// read-only transactions: a check's SQL (or a function it calls) cannot change data.
    public static let sessionSetup = ["set work_mem = '256MB'", "set jit = off", readOnly]

    /// Makes the session's transactions read-only; re-run before each check query, since a
    /// function called by an earlier check could have switched it off.
    static let readOnly = "set default_transaction_read_only = on"

    /// Creates an engine.
    public init(pool: ConnectionPool, context: CheckContext) {
        self.pool = pool
        self.context = context
    }

    /// The checks whose name or tag is one of `selectors` (all when empty), in definition order.
    public static func select(_ definitions: [CheckDefinition], selectors: [String]) throws -> [CheckDefinition] {
        guard !selectors.isEmpty else { return definitions }
        let unmatched = selectors.filter { selector in
            !definitions.contains { $0.name == selector || $0.tags.contains(selector) }
        }
        guard unmatched.isEmpty else {
            let valid = Set(definitions.map(\.name) + definitions.flatMap(\.tags)).sorted()
            throw CheckSelectionError(unmatched: unmatched, valid: valid)
        }
        return definitions.filter { definition in
            selectors.contains { definition.name == $0 || definition.tags.contains($0) }
        }
    }

    /// What the execute pass gathered, by check.
    struct Executed: Sendable {
        /// Scan outputs by check and part index.
        var scans: [CheckID: [Int: ScanOutput]] = [:]
        /// User query results by check and query index.
        var queries: [CheckID: [Int: QueryResult]] = [:]
        /// The first error of each check whose statement failed.
        var failures: [CheckID: String] = [:]
        /// Seconds spent on each check (a fused scan's time is shared by its checks).
        var seconds: [CheckID: Double] = [:]

        mutating func merge(_ other: Executed) {
            scans.merge(other.scans) { $0.merging($1) { first, _ in first } }
            queries.merge(other.queries) { $0.merging($1) { first, _ in first } }
            failures.merge(other.failures) { first, _ in first }
            seconds.merge(other.seconds, uniquingKeysWith: +)
        }
    }

    /// A check whose figures were judged, waiting for its sample of failing rows.
    struct Judged: Sendable {
        let check: PlannedCheck
        var judgement: Judgement
    }

    /// Which statement samples a check's failing rows: with fusion, one per table for every
    /// row-condition check on it; otherwise one per check.
    struct SampleBatchKey: Hashable, Sendable {
        let table: String
        let check: CheckID?
    }

    /// Runs `definitions` and returns one result per definition, in order.
    ///
    /// The passes: plan (builders, SQL), fuse (`CheckPlan.batches`: the statements `reckon
    /// compile` writes), execute, judge, sample.
    public func run(_ definitions: [CheckDefinition]) async -> [CheckResult] {
        let plan = CheckPlan(definitions, context: context)
        let batches = plan.batches(fuse: context.fuse)
        var executed = await execute(batches, plan: plan)
        var judged = judge(plan, executed)
        await sample(&judged, seconds: &executed.seconds)

        var results: [CheckID: CheckResult] = [:]
        for (id, message) in plan.errors {
            results[id] = errorResult(definitions[id.index], sql: "", message: message, seconds: 0)
        }
        for check in plan.checks where results[check.id] == nil {
            let seconds = executed.seconds[check.id] ?? 0
            if let failure = executed.failures[check.id] {
                results[check.id] = errorResult(check.definition, sql: check.failingSQL, message: failure, seconds: seconds)
            } else if let judgement = judged[check.id]?.judgement {
                results[check.id] = result(check, judgement, seconds: seconds)
            }
        }
        return definitions.indices.map { index in
            results[CheckID(index: index)]
                ?? errorResult(definitions[index], sql: "", message: "internal error: not run", seconds: 0)
        }
    }

    /// The execute pass: every batch side by side on the pool.
    func execute(_ batches: [CheckBatch], plan: CheckPlan) async -> Executed {
        await withTaskGroup(of: Executed.self) { group in
            for batch in batches {
                group.addTask {
                    switch batch.kind {
                    case .scan(let table, let members):
                        return await self.runScan(batch.sql, table: table, members: members, plan: plan, timeout: batch.timeout)
                    case .query(let check, let index):
                        var outcome = Executed()
                        do {
                            let (result, elapsed) = try await self.execute(
                                batch.sql, name: "check \(batch.label)", timeout: batch.timeout)
                            outcome.queries[check] = [index: result]
                            outcome.seconds[check] = elapsed
                        } catch {
                            outcome.failures[check] = self.describe(error, timeout: batch.timeout)
                        }
                        return outcome
                    }
                }
            }
            var executed = Executed()
            for await outcome in group { executed.merge(outcome) }
            return executed
        }
    }

    /// The judge pass: each check's builder draws its verdict from its outputs.
    func judge(_ plan: CheckPlan, _ executed: Executed) -> [CheckID: Judged] {
        var judged: [CheckID: Judged] = [:]
        for check in plan.checks where executed.failures[check.id] == nil {
            let scans = check.parts.indices.compactMap { executed.scans[check.id]?[$0] }
            let queries = check.queries.indices.compactMap { executed.queries[check.id]?[$0] }
            guard scans.count == check.parts.count, queries.count == check.queries.count else { continue }
            judged[check.id] = Judged(check: check, judgement: check.builder.judge(CheckOutputs(scans: scans, queries: queries)))
        }
        return judged
    }

    /// The sample pass: failed checks fetch up to `sample_rows` failing rows, row-condition
    /// checks on one table in one statement.
    func sample(_ judged: inout [CheckID: Judged], seconds: inout [CheckID: Double]) async {
        var rowRequests: [SampleBatchKey: [(check: PlannedCheck, condition: String)]] = [:]
        var queryRequests: [(check: PlannedCheck, sql: String)] = []
        for (id, entry) in judged where entry.judgement.status != .pass && entry.judgement.sampleRows.isEmpty {
            guard entry.check.sampleLimit > 0 else { continue }
            do {
                switch try entry.check.builder.sampleRequest(limit: entry.check.sampleLimit) {
                case .rows(let table, let condition)?:
                    rowRequests[SampleBatchKey(table: table, check: context.fuse ? nil : id), default: []].append(
                        (entry.check, condition))
                case .query(let sql)?: queryRequests.append((entry.check, sql))
                case nil: break
                }
            } catch {
                judged[id]?.judgement.message += " (failing rows could not be sampled: \(error))"
            }
        }
        typealias Sampled = (check: CheckID, outcome: Result<([String], [[String?]]), Error>, seconds: Double)
        let outcomes = await withTaskGroup(of: [Sampled].self) { group in
            for (key, requests) in rowRequests {
                group.addTask { await self.sampleRows(table: key.table, requests: requests) }
            }
            for request in queryRequests {
                group.addTask {
                    let name = request.check.definition.name
                    do {
                        let (result, elapsed) = try await self.execute(
                            "-- reckon sample: \(name)\n" + request.sql, name: "sample \(name)", timeout: request.check.timeout)
                        return [(request.check.id, .success((result.columnNames, result.rows)), elapsed)]
                    } catch {
                        return [(request.check.id, .failure(error), 0)]
                    }
                }
            }
            var all: [Sampled] = []
            for await batch in group { all += batch }
            return all
        }
        for (id, outcome, elapsed) in outcomes {
            seconds[id, default: 0] += elapsed
            switch outcome {
            case .success(let (columns, rows)):
                judged[id]?.judgement.sampleColumns = columns
                judged[id]?.judgement.sampleRows = rows
            case .failure(let error):
                let description = describe(error, timeout: judged[id]?.check.timeout ?? 0)
                judged[id]?.judgement.message += " (failing rows could not be sampled: \(description))"
            }
        }
    }

    /// The result of a judged check.
    func result(_ check: PlannedCheck, _ judgement: Judgement, seconds: Double) -> CheckResult {
        let definition = check.definition
        var result = CheckResult(
            name: definition.name, kind: definition.kind.rawValue, file: definition.file, line: definition.line,
            severity: definition.severity, status: judgement.status, description: definition.description,
            tags: definition.tags, owner: definition.owner, table: definition.table.map(context.label),
            observed: judgement.observed, expected: judgement.expected, message: judgement.message,
            metrics: judgement.metrics, groups: judgement.groups, sampleColumns: judgement.sampleColumns,
            sampleRows: judgement.sampleRows, sql: check.failingSQL, durationSeconds: seconds,
            errorMessage: judgement.status == .error ? judgement.message : nil)
        result.shownSampleColumns = definition.sampleColumns
        return result
    }

    /// Runs one fused scan; when it fails for a reason other than a time-out and serves
    /// several checks, re-runs it check by check so only the faulty check errors.
    func runScan(_ sql: String, table: String, members: [ScanMember], plan: CheckPlan, timeout: Int) async -> Executed {
        let checks = plan.servedChecks(members.map(\.check))
        let label = members.first?.part.tableLabel ?? table
        var outcome = Executed()
        do {
            let (result, elapsed) = try await execute(sql, name: "checks on \(label)", timeout: timeout)
            for (member, output) in zip(members, try ScanQuery.outputs(result, members: members)) {
                outcome.scans[member.check, default: [:]][member.partIndex] = output
            }
            for check in checks { outcome.seconds[check.id] = elapsed / Double(checks.count) }
            return outcome
        } catch {
            let isTimeout = (error as? PostgresError)?.kind == .cancelled
            guard checks.count > 1, !isTimeout else {
                for check in checks { outcome.failures[check.id] = describe(error, timeout: timeout) }
                return outcome
            }
            for check in checks {
                let own = members.filter { $0.check == check.id }
                let header = "reckon check scan of \(label): \(check.definition.name) (re-run alone)"
                outcome.merge(
                    await runScan(
                        ScanQuery.sql(table: table, members: own, header: header), table: table, members: own, plan: plan,
                        timeout: check.timeout))
            }
            return outcome
        }
    }

    /// Samples failing rows of several row-condition checks on one table in one query.
    func sampleRows(table: String, requests: [(check: PlannedCheck, condition: String)]) async
        -> [(check: CheckID, outcome: Result<([String], [[String?]]), Error>, seconds: Double)]
    {
        let limit = requests.map(\.check.sampleLimit).max() ?? 10
        let timeout = requests.map(\.check.timeout).max() ?? context.configuration.checkTimeoutSeconds
        // Each condition is evaluated in the scan of the table (a subquery in it, e.g. a
        // relationship's `not in`, stays where Citus accepts it) and only its result is
        // unpivoted by the VALUES list.
        let flags = requests.enumerated().map { "(\($0.element.condition))::boolean as \"__reckon_f\($0.offset)\"" }
            .joined(separator: ", ")
        let values = requests.indices.map { "(\($0), f.\"__reckon_f\($0)\")" }.joined(separator: ", ")
        let sql = """
            -- reckon samples of failing rows
            select * from (
              select x.k as "__reckon_check", row_number() over (partition by x.k) as "__reckon_row", f.*
              from (select \(flags), t.* from \(table) as t) as f cross join lateral (values \(values)) as x(k, failing)
              where x.failing
            ) as s where "__reckon_row" <= \(limit) order by 1, 2
            """
        do {
            let (result, elapsed) = try await execute(sql, name: "samples", timeout: timeout)
            let checkIndex = result.columnIndex("__reckon_check") ?? 0
            let own = result.columnNames.indices.filter { index in
                let name = result.columnNames[index]
                return !["__reckon_check", "__reckon_row"].contains(name) && name.wholeMatch(of: /__reckon_f[0-9]+/) == nil
            }
            let columns = own.map { result.columnNames[$0] }
            return requests.enumerated().map { offset, request in
                let rows = result.rows.filter { $0[checkIndex] == String(offset) }.map { row in own.map { row[$0] } }
                return (
                    request.check.id, .success((columns, Array(rows.prefix(request.check.sampleLimit)))),
                    elapsed / Double(requests.count)
                )
            }
        } catch {
            if requests.count > 1 {
                var outcomes: [(check: CheckID, outcome: Result<([String], [[String?]]), Error>, seconds: Double)] = []
                for request in requests { outcomes += await sampleRows(table: table, requests: [request]) }
                return outcomes
            }
            return requests.map { ($0.check.id, .failure(error), 0) }
        }
    }

    /// Runs one statement under a time-out on a pool connection; returns rows and seconds.
    func execute(_ sql: String, name: String, timeout: Int) async throws -> (QueryResult, Double) {
        try await pool.withConnection { connection in
            try connection.execute(Self.readOnly, name: "check read-only")
            // Clamped: PostgreSQL takes at most 2147483647 ms, and a huge value must not overflow.
            let milliseconds = min(max(1, timeout), 2_147_483) * 1000
            try connection.execute("set statement_timeout = \(milliseconds)", name: "check time-out")
            let start = DispatchTime.now()
            let result = try CancellationRegistry.shared.whileRunning(connection) {
                try connection.execute(sql, name: name)
            }
            return (result, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
    }

    func describe(_ error: Error, timeout: Int) -> String {
        if let error = error as? PostgresError {
            if error.kind == .cancelled { return "timed out after \(timeout) s (statement_timeout) or cancelled" }
            var text = error.message
            if let sqlState = error.sqlState { text = "[\(sqlState)] " + text }
            if let hint = error.hint { text += " (hint: \(hint))" }
            return text
        }
        return "\(error)"
    }

    func errorResult(_ definition: CheckDefinition, sql: String, message: String, seconds: Double) -> CheckResult {
        CheckResult(
            name: definition.name, kind: definition.kind.rawValue, file: definition.file, line: definition.line,
            severity: definition.severity, status: .error, description: definition.description, tags: definition.tags,
            owner: definition.owner, table: definition.table.map(context.label), observed: "not judged", expected: "",
            message: "\(definition.name): its SQL failed: \(message)", sql: sql, durationSeconds: seconds,
            errorMessage: message)
    }
}
