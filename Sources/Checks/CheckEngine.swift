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

/// Runs check definitions as SQL on a connection pool.
///
/// Checks on the same table are fused: each contributes projections and aggregates to one
/// query per table (`ScanQuery`), so a table is scanned once however many checks audit it.
/// User queries (`sql` checks, `sql` reconciliation terms) run on their own. All of these
/// run side by side on the pool, each under `statement_timeout`. A fused query that fails
/// (a missing column in one check) is re-run check by check, so only the faulty check gets
/// status `error`. Failed checks then fetch samples of their failing rows — row-condition
/// checks on one table again in a single fused query.
public struct CheckEngine: Sendable {
    /// The pool the queries run on.
    public let pool: ConnectionPool
    /// Where the checks look.
    public let context: CheckContext

    /// Statements to run on each new pool connection used for checks.
    public static let sessionSetup = ["set work_mem = '256MB'", "set jit = off"]

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

    private struct Planned: Sendable {
        let definition: CheckDefinition
        let builder: CheckBuilder
        let parts: [ScanPart]
        let queries: [String]
        let failingSQL: String
        let timeout: Int
        let sampleLimit: Int
    }

    private struct PartReference: Sendable {
        let check: Int
        let part: Int
    }

    private enum JobOutcome: Sendable {
        case scan([PartReference], [ScanOutput], Double)
        case query(check: Int, index: Int, QueryResult, Double)
        case failed([Int], String, Double)
    }

    /// Runs `definitions` and returns one result per definition, in order.
    public func run(_ definitions: [CheckDefinition]) async -> [CheckResult] {
        var results: [CheckResult?] = Array(repeating: nil, count: definitions.count)
        var planned: [Int: Planned] = [:]
        for (index, definition) in definitions.enumerated() {
            let builder = Checks.builder(for: definition, context: context)
            let sampleLimit = definition.sampleRows ?? context.configuration.checkSampleRows
            do {
                planned[index] = Planned(
                    definition: definition, builder: builder, parts: try builder.scanParts(prefix: "c\(index)"),
                    queries: try builder.queries(sampleLimit: sampleLimit), failingSQL: try builder.failingRowsSQL(),
                    timeout: definition.timeoutSeconds ?? context.configuration.checkTimeoutSeconds, sampleLimit: sampleLimit)
            } catch {
                results[index] = errorResult(definition, sql: "", message: "\(error)", seconds: 0)
            }
        }

        // Phase 1: fused scans and user queries, side by side.
        var scanJobs: [(table: String, parts: [PartReference])] = []
        var jobIndex: [String: Int] = [:]
        for index in planned.keys.sorted() {
            guard let plan = planned[index] else { continue }
            for (partIndex, part) in plan.parts.enumerated() {
                let reference = PartReference(check: index, part: partIndex)
                if context.fuse, let job = jobIndex[part.table] {
                    scanJobs[job].parts.append(reference)
                } else {
                    jobIndex[part.table] = scanJobs.count
                    scanJobs.append((part.table, [reference]))
                }
            }
        }
        var scanOutputs: [Int: [Int: ScanOutput]] = [:]
        var queryOutputs: [Int: [Int: QueryResult]] = [:]
        var failures: [Int: String] = [:]
        var seconds: [Int: Double] = [:]
        let plans = planned
        await withTaskGroup(of: [JobOutcome].self) { group in
            for job in scanJobs {
                group.addTask { await self.runScan(table: job.table, references: job.parts, plans: plans, allowFallback: true) }
            }
            for (index, plan) in plans {
                for (queryIndex, sql) in plan.queries.enumerated() {
                    group.addTask {
                        do {
                            let (result, elapsed) = try await self.execute(
                                sql, name: "check \(plan.definition.name)", timeout: plan.timeout)
                            return [.query(check: index, index: queryIndex, result, elapsed)]
                        } catch {
                            return [.failed([index], self.describe(error, timeout: plan.timeout), 0)]
                        }
                    }
                }
            }
            for await outcomes in group {
                for outcome in outcomes {
                    switch outcome {
                    case .scan(let references, let outputs, let elapsed):
                        let share = elapsed / Double(Set(references.map(\.check)).count)
                        for check in Set(references.map(\.check)) { seconds[check, default: 0] += share }
                        for (reference, output) in zip(references, outputs) {
                            scanOutputs[reference.check, default: [:]][reference.part] = output
                        }
                    case .query(let check, let queryIndex, let result, let elapsed):
                        seconds[check, default: 0] += elapsed
                        queryOutputs[check, default: [:]][queryIndex] = result
                    case .failed(let checks, let message, let elapsed):
                        for check in checks {
                            if failures[check] == nil { failures[check] = message }
                            seconds[check, default: 0] += elapsed / Double(checks.count)
                        }
                    }
                }
            }
        }

        // Judge.
        var judgements: [Int: Judgement] = [:]
        for (index, plan) in planned {
            if let failure = failures[index] {
                results[index] = errorResult(plan.definition, sql: plan.failingSQL, message: failure, seconds: seconds[index] ?? 0)
                continue
            }
            let outputs = CheckOutputs(
                scans: plan.parts.indices.compactMap { scanOutputs[index]?[$0] },
                queries: plan.queries.indices.compactMap { queryOutputs[index]?[$0] })
            guard outputs.scans.count == plan.parts.count, outputs.queries.count == plan.queries.count else {
                results[index] = errorResult(
                    plan.definition, sql: plan.failingSQL, message: "internal error: missing query results", seconds: 0)
                continue
            }
            judgements[index] = plan.builder.judge(outputs)
        }

        // Phase 2: samples of failing rows for failed checks.
        var rowRequests: [String: [(check: Int, condition: String)]] = [:]
        var queryRequests: [(check: Int, sql: String)] = []
        var sampleErrors: [Int: String] = [:]
        for (index, judgement) in judgements where judgement.status != .pass && judgement.sampleRows.isEmpty {
            guard let plan = planned[index], plan.sampleLimit > 0 else { continue }
            do {
                switch try plan.builder.sampleRequest(limit: plan.sampleLimit) {
                case .rows(let table, let condition)?:
                    rowRequests[context.fuse ? table : table + "#\(index)", default: []].append((index, condition))
                case .query(let sql)?: queryRequests.append((index, sql))
                case nil: break
                }
            } catch {
                sampleErrors[index] = "\(error)"
            }
        }
        var samples: [Int: (columns: [String], rows: [[String?]])] = [:]
        await withTaskGroup(of: [(Int, Result<([String], [[String?]]), Error>, Double)].self) { group in
            for (key, requests) in rowRequests {
                let table = String(key.split(separator: "#").first ?? Substring(key))
                group.addTask { await self.sampleRows(table: table, requests: requests, plans: plans) }
            }
            for request in queryRequests {
                guard let plan = plans[request.check] else { continue }
                group.addTask {
                    do {
                        let (result, elapsed) = try await self.execute(
                            "-- reckon sample: \(plan.definition.name)\n" + request.sql, name: "sample \(plan.definition.name)",
                            timeout: plan.timeout)
                        return [(request.check, .success((result.columnNames, result.rows)), elapsed)]
                    } catch {
                        return [(request.check, .failure(error), 0)]
                    }
                }
            }
            for await batch in group {
                for (check, outcome, elapsed) in batch {
                    seconds[check, default: 0] += elapsed
                    switch outcome {
                    case .success(let sample): samples[check] = sample
                    case .failure(let error): sampleErrors[check] = describe(error, timeout: planned[check]?.timeout ?? 0)
                    }
                }
            }
        }

        for (index, var judgement) in judgements {
            guard let plan = planned[index] else { continue }
            if let sample = samples[index] {
                judgement.sampleColumns = sample.columns
                judgement.sampleRows = sample.rows
            }
            if let sampleError = sampleErrors[index] { judgement.message += " (failing rows could not be sampled: \(sampleError))" }
            let definition = plan.definition
            results[index] = CheckResult(
                name: definition.name, kind: definition.kind.rawValue, file: definition.file, line: definition.line,
                severity: definition.severity, status: judgement.status, description: definition.description,
                tags: definition.tags, owner: definition.owner, table: definition.table.map(context.label),
                observed: judgement.observed, expected: judgement.expected, message: judgement.message,
                metrics: judgement.metrics, groups: judgement.groups, sampleColumns: judgement.sampleColumns,
                sampleRows: judgement.sampleRows, sql: plan.failingSQL, durationSeconds: seconds[index] ?? 0)
            results[index]?.shownSampleColumns = definition.sampleColumns
        }
        return results.enumerated().map { index, result in
            result ?? errorResult(definitions[index], sql: "", message: "internal error: not run", seconds: 0)
        }
    }

    /// Runs one fused scan; when it fails for a reason other than a time-out and serves
    /// several checks, re-runs it check by check so only the faulty check errors.
    private func runScan(table: String, references: [PartReference], plans: [Int: Planned], allowFallback: Bool) async
        -> [JobOutcome]
    {
        let parts = references.compactMap { plans[$0.check]?.parts[$0.part] }
        let checks = Array(Set(references.map(\.check))).sorted()
        let names = checks.compactMap { plans[$0]?.definition.name }
        let timeout = checks.compactMap { plans[$0]?.timeout }.max() ?? context.configuration.checkTimeoutSeconds
        let label = parts.first?.tableLabel ?? table
        let sql = ScanQuery.sql(table: table, parts: parts, name: "\(label): \(names.joined(separator: ", "))")
        do {
            let (result, elapsed) = try await execute(sql, name: "checks on \(label)", timeout: timeout)
            return [.scan(references, try ScanQuery.outputs(result, parts: parts), elapsed)]
        } catch {
            let isTimeout = (error as? PostgresError)?.kind == .cancelled
            guard allowFallback, checks.count > 1, !isTimeout else {
                return [.failed(checks, describe(error, timeout: timeout), 0)]
            }
            var outcomes: [JobOutcome] = []
            for check in checks {
                outcomes += await runScan(
                    table: table, references: references.filter { $0.check == check }, plans: plans, allowFallback: false)
            }
            return outcomes
        }
    }

    /// Samples failing rows of several row-condition checks on one table in one query.
    private func sampleRows(table: String, requests: [(check: Int, condition: String)], plans: [Int: Planned]) async
        -> [(Int, Result<([String], [[String?]]), Error>, Double)]
    {
        let limit = requests.compactMap { plans[$0.check]?.sampleLimit }.max() ?? 10
        let timeout = requests.compactMap { plans[$0.check]?.timeout }.max() ?? context.configuration.checkTimeoutSeconds
        let values = requests.enumerated().map { "(\($0.offset), (\($0.element.condition))::boolean)" }.joined(separator: ", ")
        let sql = """
            -- reckon samples of failing rows
            select * from (
              select x.k as "__reckon_check", row_number() over (partition by x.k) as "__reckon_row", t.*
              from \(table) as t cross join lateral (values \(values)) as x(k, failing)
              where x.failing
            ) as s where "__reckon_row" <= \(limit) order by 1, 2
            """
        do {
            let (result, elapsed) = try await execute(sql, name: "samples", timeout: timeout)
            let columns = Array(result.columnNames.dropFirst(2))
            return requests.enumerated().map { offset, request in
                let own = result.rows.filter { $0[0] == String(offset) }.map { Array($0.dropFirst(2)) }
                let ownLimit = plans[request.check]?.sampleLimit ?? limit
                return (request.check, .success((columns, Array(own.prefix(ownLimit)))), elapsed / Double(requests.count))
            }
        } catch {
            if requests.count > 1 {
                var outcomes: [(Int, Result<([String], [[String?]]), Error>, Double)] = []
                for request in requests {
                    outcomes += await sampleRows(table: table, requests: [request], plans: plans)
                }
                return outcomes
            }
            return requests.map { ($0.check, .failure(error), 0) }
        }
    }

    /// Runs one statement under a time-out on a pool connection; returns rows and seconds.
    func execute(_ sql: String, name: String, timeout: Int) async throws -> (QueryResult, Double) {
        try await pool.withConnection { connection in
            try connection.execute("set statement_timeout = \(max(1, timeout) * 1000)", name: "check time-out")
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
