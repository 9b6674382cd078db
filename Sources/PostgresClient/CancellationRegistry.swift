import Foundation

/// The connections running statements now, so Ctrl-C can cancel their server-side work.
///
/// Connections register while they run a long statement; `cancelAll()` (called from the
/// SIGINT handler) sends libpq cancel requests to each.
public final class CancellationRegistry: @unchecked Sendable {
    // Safety: `connections` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: Connection] = [:]

    /// The process-wide registry.
    public static let shared = CancellationRegistry()

    /// Registers `connection` for the duration of `body`.
    public func whileRunning<T>(_ connection: Connection, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        connections[ObjectIdentifier(connection)] = connection
        lock.unlock()
        defer {
            lock.lock()
            connections[ObjectIdentifier(connection)] = nil
            lock.unlock()
        }
        return try body()
    }

    /// Cancels the running statement of every registered connection.
    public func cancelAll() {
        lock.lock()
        let running = Array(connections.values)
        lock.unlock()
        for connection in running { connection.cancel() }
    }
}
