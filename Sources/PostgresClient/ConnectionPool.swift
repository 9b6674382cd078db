import Foundation

/// A small pool of connections for work that runs side by side (checks, model steps).
///
/// Each connection has its own serial dispatch queue, and every blocking libpq call on it
/// runs there: a fixed number of threads for a fixed number of connections, never Swift's
/// cooperative pool (a slow query starves no other task) and never a thread per statement.
public actor ConnectionPool {
    /// A connection and the queue its blocking calls run on.
    private struct Lease: Sendable {
        let connection: Connection
        let queue: DispatchQueue
    }

    private let conninfo: String
    private let maximumConnections: Int
    private let setupStatements: [String]
    private var idle: [Lease] = []
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a pool that opens at most `maximumConnections` connections, running
    /// `setupStatements` (e.g. `set work_mem`) on each new one.
    public init(conninfo: String, maximumConnections: Int, setupStatements: [String] = []) {
        self.conninfo = conninfo
        self.maximumConnections = max(1, maximumConnections)
        self.setupStatements = setupStatements
    }

    /// Lends a connection to `body`, which runs on the connection's own queue and may block.
    ///
    /// A connection left broken or inside a transaction is closed instead of returned.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let lease = try await acquire()
        do {
            let value = try await Self.run(on: lease.queue) { try body(lease.connection) }
            release(lease)
            return value
        } catch {
            release(lease)
            throw error
        }
    }

    /// Runs a blocking closure on a dispatch thread and awaits its result.
    public static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: DispatchQueue(label: "reckon.blocking"), body)
    }

    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws
        -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func acquire() async throws -> Lease {
        while true {
            if let lease = idle.popLast() { return lease }
            if openCount < maximumConnections {
                openCount += 1
                do {
                    let conninfo = self.conninfo
                    let setup = self.setupStatements
                    let queue = DispatchQueue(label: "reckon.connection.\(openCount)")
                    let connection = try await Self.run(on: queue) {
                        let connection = try Connection.connect(conninfo)
                        for statement in setup { try connection.execute(statement, name: "pool setup") }
                        return connection
                    }
                    return Lease(connection: connection, queue: queue)
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ lease: Lease) {
        if lease.connection.isHealthy {
            idle.append(lease)
        } else {
            openCount -= 1
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
