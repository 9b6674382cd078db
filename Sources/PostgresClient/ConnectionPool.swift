import Foundation

/// A small pool of connections for work that runs side by side (checks, model steps).
///
/// Blocking libpq calls run on their own dispatch threads, not on Swift's cooperative
/// pool, so a slow query never starves other tasks.
public actor ConnectionPool {
    private let conninfo: String
    private let maximumConnections: Int
    private let setupStatements: [String]
    private var idle: [Connection] = []
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a pool that opens at most `maximumConnections` connections, running
    /// `setupStatements` (e.g. `set work_mem`) on each new one.
    public init(conninfo: String, maximumConnections: Int, setupStatements: [String] = []) {
        self.conninfo = conninfo
        self.maximumConnections = max(1, maximumConnections)
        self.setupStatements = setupStatements
    }

    /// Lends a connection to `body`, which runs on a dedicated thread and may block.
    ///
    /// A connection left broken or inside a transaction is closed instead of returned.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await Self.runBlocking { try body(connection) }
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs a blocking closure on a dispatch thread and awaits its result.
    public static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    private func acquire() async throws -> Connection {
        while true {
            if let connection = idle.popLast() { return connection }
            if openCount < maximumConnections {
                openCount += 1
                do {
                    let conninfo = self.conninfo
                    let setup = self.setupStatements
                    return try await Self.runBlocking {
                        let connection = try Connection.connect(conninfo)
                        for statement in setup { try connection.execute(statement, name: "pool setup") }
                        return connection
                    }
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: Connection) {
        if connection.isHealthy {
            idle.append(connection)
        } else {
            openCount -= 1
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
