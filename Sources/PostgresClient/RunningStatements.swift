import Foundation

/// The statements this process is running right now, with their names and start times,
/// so a progress line can say what runs and for how long.
public final class RunningStatements: @unchecked Sendable {
    // Safety: `running` and `nextToken` are only touched while `lock` is held.
    private let lock = NSLock()
    private var running: [Int: (name: String, start: DispatchTime)] = [:]
    private var nextToken = 0

    /// The process-wide registry every `Connection` reports to.
    public static let shared = RunningStatements()

    /// A statement that started now; pass the token to `end`.
    public func begin(_ name: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextToken += 1
        running[nextToken] = (name, DispatchTime.now())
        return nextToken
    }

    /// The statement of `token` finished.
    public func end(_ token: Int) {
        lock.lock()
        running[token] = nil
        lock.unlock()
    }

    /// What runs, the longest-running first: each statement's token (unique in the process),
    /// name, and seconds since it started.
    public func snapshot() -> [(token: Int, name: String, seconds: Double)] {
        lock.lock()
        let entries = running
        lock.unlock()
        let now = DispatchTime.now().uptimeNanoseconds
        return entries.map { ($0.key, $0.value.name, Double(now - min(now, $0.value.start.uptimeNanoseconds)) / 1e9) }
            .sorted { ($0.seconds, $1.token) > ($1.seconds, $0.token) }
    }
}
