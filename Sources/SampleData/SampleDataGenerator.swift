import Dispatch
import Foundation
import PostgresClient

/// One raw table of the source contract that the generator fills.
public enum SampleTable: String, CaseIterable, Sendable {
    case facebookCampaigns = "facebook_campaigns"
    case facebookAdSets = "facebook_adsets"
    case facebookAds = "facebook_ads"
    case facebookAdStatistics = "facebook_ad_statistics"
    case funnelfoxFunnels = "funnelfox_funnels"
    case funnelfoxSessions = "funnelfox_sessions"
    case funnelfoxSubscriptions = "funnelfox_subscriptions"
    case amplitudeEvents = "amplitude_events"
    case stripeSubscriptions = "stripe_subscriptions"
    case stripePayments = "stripe_payments"
    case stripeRefunds = "stripe_refunds"
    case stripeBalanceTransactions = "stripe_balance_transactions"

    /// The logical table name (as in `docs/sources.md` and `RawSchema.tables`).
    public var name: String { rawValue }
}

/// How one table was loaded: what the CLI prints as rows per second.
public struct TableLoad: Sendable, Equatable {
    /// The logical table name.
    public let table: String
    /// Rows copied into the table.
    public let rows: Int
    /// Wall-clock seconds for the table: create, copy, primary key and `analyze`.
    public let seconds: Double

    /// Creates a load figure.
    public init(table: String, rows: Int, seconds: Double) {
        self.table = table
        self.rows = rows
        self.seconds = seconds
    }
}

/// A failure of the sample-data generator that is not a PostgreSQL error.
public struct SampleDataError: Error, CustomStringConvertible {
    /// One sentence saying what is wrong.
    public let description: String
}

/// Fills the raw tables of the source contract with realistic, deterministic sample data.
///
/// The same `seed` and `sessions` always give byte-identical tables. Every value derives
/// from the seed and the index of its object (session, ad, charge), never from the clock or
/// the system random generator, so tables are generated independently: `amplitude_events`
/// (about 15 rows per session, most of the volume) streams on its own connection and thread
/// while the other tables load on a second one. Rows are streamed with `COPY FROM STDIN`;
/// no table is ever held in memory.
///
/// The data covers the 90 days ending 2026-10-31 (UTC) and contains every irregularity the
/// mart is specified to handle (see `docs/mart.md`): malformed and macro-laden landing URLs,
/// duplicate and late-created campaigns, deleted ads, duplicated and orphaned events,
/// sandbox and session-less subscriptions, failed, pending and refunded charges, and
/// several currencies, among them zero-decimal JPY.
public struct SampleDataGenerator: Sendable {
    /// Number of FunnelFox sessions; every other table scales with it (events ≈ 14 per session).
    public var sessions: Int
    /// Seed of all generated values.
    public var seed: UInt64
    /// The schema that receives the raw tables (unquoted name; it is created if missing).
    public var rawSchema: String

    /// Connections that stream `amplitude_events` side by side (one PostgreSQL backend
    /// parses only about 150,000 event rows a second, so one alone would dominate the run).
    public var eventStreams: Int

    /// Creates a generator.
    public init(sessions: Int, seed: UInt64, rawSchema: String = "raw", eventStreams: Int = 2) {
        self.sessions = sessions
        self.seed = seed
        self.rawSchema = rawSchema
        self.eventStreams = eventStreams
    }

    /// Writes the rows of one table into `sink`, in load order, without touching a database.
    ///
    /// Used by `generate` with a COPY writer, and by tests with a checksum or a collector.
    public func writeRows<Sink: RowSink>(of table: SampleTable, into sink: inout Sink) throws {
        try SampleWorld(seed: seed, sessionCount: sessions).write(table, into: &sink)
    }

    /// Drops and re-creates the raw tables in `rawSchema` and fills every one of them.
    ///
    /// `amplitude_events` is streamed by `eventStreams` connections side by side (each its own
    /// range of sessions, on its own thread) while the remaining tables load one after the
    /// other on the connection that set up the schema. Those tables are created without
    /// their primary key, filled with `COPY … FREEZE` in the transaction that created them,
    /// then given their primary key and analysed. `progress` is called (from any of the
    /// threads) as each table finishes.
    /// - Parameter connect: opens a new connection; called once per event stream plus once,
    ///   all on the caller's thread.
    /// - Returns: one figure per table, in `RawSchema.tables` order.
    public func generate(
        connect: @Sendable () throws -> Connection, progress: @Sendable (TableLoad) -> Void
    ) throws -> [TableLoad] {
        guard sessions > 0, eventStreams > 0 else {
            throw SampleDataError(
                description: "Sessions and event streams must be positive, not \(sessions) and \(eventStreams).")
        }
        let world = SampleWorld(seed: seed, sessionCount: sessions)
        let statements = try RawTableStatements.all(schema: SQL.identifier(rawSchema))
        let events = try statements.forTable(.amplitudeEvents)
        let setup = try connect()
        try setup.execute(
            "create schema if not exists \(SQL.identifier(rawSchema))", name: "generate: create raw schema")
        for table in SampleTable.allCases.reversed() {
            try setup.execute(
                "drop table if exists \(try statements.forTable(table).qualifiedName)", name: "generate: drop \(table.name)")
        }
        try setup.execute(events.create, name: "generate: amplitude_events: create")

        let clock = ContinuousClock()
        let eventsStart = clock.now
        let streams = (0..<eventStreams).map { stream in
            (sessions * stream / eventStreams)..<(sessions * (stream + 1) / eventStreams)
        }
        // Connections are opened here, so the threads never call `connect` (which may not escape).
        let streamConnections = try streams.map { _ in try connect() }
        let outcomes = StreamOutcomes()
        let group = DispatchGroup()
        for (stream, (sessionRange, connection)) in zip(streams, streamConnections).enumerated() {
            group.enter()
            let thread = Thread {
                outcomes.record(
                    Result {
                        let rows = try CancellationRegistry.shared.whileRunning(connection) {
                            try connection.copyIn(
                                "copy \(events.qualifiedName) from stdin",
                                name: "generate: amplitude_events: copy stream \(stream + 1)"
                            ) { writer in
                                try world.writeEvents(ofSessions: sessionRange, into: &writer)
                            }
                        }
                        return (rows, clock.now)
                    })
                group.leave()
            }
            thread.name = "reckon generate: events \(stream + 1)"
            thread.start()
        }
        var loads: [TableLoad] = []
        var mainError: (any Error)?
        do {
            for table in SampleTable.allCases where table != .amplitudeEvents {
                let load = try world.load(table, statements: try statements.forTable(table), on: setup)
                progress(load)
                loads.append(load)
            }
        } catch {
            mainError = error
            for connection in streamConnections { connection.cancel() }
        }
        group.wait()
        if let mainError { throw mainError }
        let (eventRows, eventsCopied) = try outcomes.total(start: eventsStart)
        try setup.execute("analyze \(events.qualifiedName)", name: "generate: amplitude_events: analyze")
        let analyzeTime = clock.now - eventsCopied
        let eventsLoad = TableLoad(
            table: SampleTable.amplitudeEvents.name, rows: eventRows,
            seconds: (eventsCopied - eventsStart).seconds + analyzeTime.seconds)
        progress(eventsLoad)
        loads.append(eventsLoad)
        return SampleTable.allCases.compactMap { table in loads.first { $0.table == table.name } }
    }
}

/// Results of the event streams, handed from their threads to the caller's.
private final class StreamOutcomes: @unchecked Sendable {
    // Safety: `outcomes` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var outcomes: [Result<(rows: Int, end: ContinuousClock.Instant), any Error>] = []

    func record(_ result: Result<(rows: Int, end: ContinuousClock.Instant), any Error>) {
        lock.lock()
        defer { lock.unlock() }
        outcomes.append(result)
    }

    /// Rows over all streams and the moment the last one finished; rethrows a stream's error.
    func total(start: ContinuousClock.Instant) throws -> (rows: Int, end: ContinuousClock.Instant) {
        lock.lock()
        defer { lock.unlock() }
        var rows = 0
        var end = start
        for outcome in outcomes {
            let stream = try outcome.get()
            rows += stream.rows
            end = max(end, stream.end)
        }
        return (rows, end)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

extension SampleWorld {
    /// Writes one table's rows into `sink`.
    func write<Sink: RowSink>(_ table: SampleTable, into sink: inout Sink) throws {
        switch table {
        case .facebookCampaigns: try writeCampaigns(into: &sink)
        case .facebookAdSets: try writeAdSets(into: &sink)
        case .facebookAds: try writeAds(into: &sink)
        case .facebookAdStatistics: try writeAdStatistics(into: &sink)
        case .funnelfoxFunnels: try writeFunnels(into: &sink)
        case .funnelfoxSessions: try writeSessions(into: &sink)
        case .funnelfoxSubscriptions: try writeFunnelSubscriptions(into: &sink)
        case .amplitudeEvents: try writeEvents(ofSessions: 0..<sessionCount, into: &sink)
        case .stripeSubscriptions: try writeStripeSubscriptions(into: &sink)
        case .stripePayments: try writeStripePayments(into: &sink)
        case .stripeRefunds: try writeStripeRefunds(into: &sink)
        case .stripeBalanceTransactions: try writeBalanceTransactions(into: &sink)
        }
    }

    /// Creates, fills, indexes and analyses one table on `connection`.
    func load(_ table: SampleTable, statements: RawTableStatements, on connection: Connection) throws -> TableLoad {
        let clock = ContinuousClock()
        let start = clock.now
        let label = "generate: \(table.name)"
        try connection.execute("begin", name: label)
        try connection.execute(statements.create, name: "\(label): create")
        let rows = try CancellationRegistry.shared.whileRunning(connection) {
            try connection.copyIn(
                "copy \(statements.qualifiedName) from stdin with (freeze)", name: "\(label): copy"
            ) { writer in
                try write(table, into: &writer)
            }
        }
        try connection.execute("commit", name: label)
        if let primaryKey = statements.primaryKey {
            _ = try CancellationRegistry.shared.whileRunning(connection) {
                try connection.execute(primaryKey, name: "\(label): primary key")
            }
        }
        try connection.execute("analyze \(statements.qualifiedName)", name: "\(label): analyze")
        return TableLoad(table: table.name, rows: rows, seconds: (clock.now - start).seconds)
    }
}

/// `CopyWriter` is the production sink: its methods are `RowSink`'s.
extension CopyWriter: RowSink {
    /// Appends the tab-separated fields verbatim: in COPY text form a tab inside one raw
    /// field is exactly a field separator.
    public mutating func fieldsRaw(_ text: String) {
        fieldRaw(text)
    }
}
