import Foundation

/// The connections running statements now, so an interrupt can cancel their server-side work,
/// and whether the process has been interrupted.
///
/// Connections register while they run a statement; `interrupt(signal:)` (called from the
/// SIGINT/SIGTERM handler) records the signal and sends libpq cancel requests to each. From
/// then on `whileRunning` refuses to start new work, so nothing is run — and nothing is
/// published — after an interrupt; commands also ask `checkInterrupted()` before any step
/// that changes what readers see.
public final class CancellationRegistry: @unchecked Sendable {
    // Safety: `connections` and `signal` are only read or written while `lock` is held.
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var signal: Int32?

    /// The process-wide registry.
    public static let shared = CancellationRegistry()

    /// Creates an empty registry (the process uses `shared`; tests may make their own).
    public init() {}

    /// Registers `connection` for the duration of `body`.
    ///
    /// Throws `InterruptedError` without running `body` once the process was interrupted.
    public func whileRunning<T>(_ connection: Connection, _ body: () throws -> T) throws -> T {
        lock.lock()
        if let signal {
            lock.unlock()
            throw InterruptedError(signal: signal)
        }
        connections[ObjectIdentifier(connection)] = connection
        lock.unlock()
        defer {
            lock.lock()
            connections[ObjectIdentifier(connection)] = nil
            lock.unlock()
        }
        return try body()
    }

    /// Records that the process received `signal` and cancels the running statement of
    /// every registered connection. Later calls keep the first signal.
    public func interrupt(signal: Int32) {
        lock.lock()
        if self.signal == nil { self.signal = signal }
        let running = Array(connections.values)
        lock.unlock()
        for connection in running { connection.cancel() }
    }

    /// The signal that interrupted the process, if any.
    public var interruptSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return signal
    }

    /// Throws `InterruptedError` when the process was interrupted.
    public func checkInterrupted() throws {
        if let signal = interruptSignal { throw InterruptedError(signal: signal) }
    }

    /// Cancels the running statement of every registered connection.
    public func cancelAll() {
        lock.lock()
        let running = Array(connections.values)
        lock.unlock()
        for connection in running { connection.cancel() }
    }
}

/// The process was interrupted (SIGINT or SIGTERM): the command stops without publishing.
public struct InterruptedError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The signal received.
    public let signal: Int32

    /// Creates the error for `signal`.
    public init(signal: Int32) { self.signal = signal }

    /// The signal's usual name.
    public var signalName: String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    /// One sentence naming the signal.
    public var description: String { "interrupted by \(signalName): running statements were cancelled" }
}
