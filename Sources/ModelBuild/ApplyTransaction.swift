import Foundation
import PostgresClient

/// The transaction that applies an incremental build, opened on a connection of its own
/// while the delta is still being built (docs/incremental.md, "Applied while the rest is
/// built").
///
/// Statements are queued (`enqueue`) and run in order on a background queue inside one
/// transaction: the state record as soon as the delta build starts, the per-session marts'
/// rows once they are rebuilt, while the build goes on with the daily marts (and `reckon run`
/// with the checks). `commit(after:)` queues the daily marts' rows, then sends `commit` only
/// when nothing failed and the process was not interrupted. Until then nothing is visible:
/// other sessions see the published marts as they were, and `abandon()`, a failed statement,
/// a killed process or a closed connection roll the whole transaction back.
final class ApplyTransaction: @unchecked Sendable {
    // Safety: `failure` is only touched while `lock` is held; `open`, `setup` and
    // `connection` (but for `cancel`, which libpq allows from any thread) only on `queue`.
    private let connection: Connection
    private let queue = DispatchQueue(label: "reckon.incremental.apply")
    private let lock = NSLock()
    private var failure: (any Error)?
    private var open = false
    private let lockTimeoutMilliseconds: Int
    private var setup: [String]
    private let progress: @Sendable (BuildStep) -> Void

    /// Connects; the transaction begins with the first queued statements, after `setup`
    /// (statements run before it, each on its own: the state tables' `create … if not exists`).
    init(
        connectionString: String, lockTimeoutMilliseconds: Int, setup: [String] = [],
        progress: @escaping @Sendable (BuildStep) -> Void
    ) throws {
        connection = try Connection.connect(connectionString)
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.setup = setup
        self.progress = progress
    }

    /// The first failure, if a statement failed (the transaction is then rolled back).
    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Runs `statements` in the transaction after those queued before; returns at once.
    func enqueue(_ statements: [String]) {
        queue.async { [self] in
            guard error == nil else { return }
            do {
                if !open {
                    for statement in setup { try run(statement) }
                    setup = []
                    try connection.execute("begin", name: "apply")
                    open = true
                    try run("set local lock_timeout = \(lockTimeoutMilliseconds)")
                }
                for statement in statements { try run(statement) }
            } catch {
                lock.lock()
                if failure == nil { failure = error }
                lock.unlock()
                rollback()
            }
        }
    }

    /// Queues `statements`, then commits; waits, and throws the first failure (nothing is
    /// then applied). The last moment to stop: an interrupt before `commit` is sent rolls back.
    func commit(after statements: [String]) throws {
        enqueue(statements)
        try queue.sync { [self] in
            if let failure = error { throw failure }
            do {
                try CancellationRegistry.shared.checkInterrupted()
                try run("commit")
                open = false
            } catch {
                rollback()
                throw error
            }
        }
    }

    /// Rolls back what was applied, if anything, once the running statement ends (an
    /// interrupt cancels it: `CancellationRegistry`); what is queued after it does not run.
    func abandon() {
        lock.lock()
        if failure == nil { failure = InterruptedApply() }
        lock.unlock()
        queue.sync { rollback() }
    }

    private func rollback() {
        guard open else { return }
        _ = try? connection.execute("rollback", name: "apply rollback")
        open = false
    }

    /// One statement, cancelled by an interrupt, reported as `apply: <first words>`.
    private func run(_ statement: String) throws {
        try ModelBuilder.runTimed(statement, on: connection, name: "apply", progress: progress)
    }

    /// The transaction was abandoned before it committed.
    struct InterruptedApply: Error, CustomStringConvertible {
        var description: String { "the incremental apply was abandoned before it committed" }
    }
}
