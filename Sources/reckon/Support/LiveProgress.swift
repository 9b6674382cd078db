import Foundation
import PostgresClient

/// What runs during a long statement, on stderr: on a terminal one live line redrawn each
/// second ("running mart_marketing_attribution#3 for 12 s"); otherwise a plain line each
/// time a statement has run another 30 seconds. Other messages clear the live line first.
final class LiveProgress: @unchecked Sendable {
    // Safety: `timer`, `drawn` and `reported` are only touched while `lock` is held.
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var drawn = false
    private var reported: [Int: Int] = [:]
    private let isTerminal = isatty(STDERR_FILENO) == 1

    /// The one live line of the process.
    static let shared = LiveProgress()

    /// Statements shorter than this are not shown.
    static let minimumSeconds = 1.0
    /// Without a terminal, a plain line each time a statement has run this much longer.
    static let plainInterval = 30

    /// Starts redrawing; the line is cleared when the process exits.
    func start() {
        lock.lock()
        defer { lock.unlock() }
        guard timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [self] in tick() }
        timer.resume()
        self.timer = timer
        atexit { LiveProgress.shared.clear() }
    }

    /// Prints `message` as a line of its own.
    func line(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        clearLocked()
        write(message + "\n")
    }

    /// Removes the live line, if drawn.
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        clearLocked()
    }

    /// The live line for `running` (longest first), or nil when nothing runs long enough.
    static func text(_ running: [(token: Int, name: String, seconds: Double)], width: Int) -> String? {
        guard let first = running.first, first.seconds >= minimumSeconds else { return nil }
        var text = "  running \(first.name) for \(Int(first.seconds)) s"
        let others = running.dropFirst().filter { $0.seconds >= minimumSeconds }.count
        if others > 0 { text += " (and \(others) more)" }
        return String(text.prefix(max(20, width - 1)))
    }

    private func tick() {
        let running = RunningStatements.shared.snapshot()
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            let width = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 100
            if let text = Self.text(running, width: width) {
                write("\r\u{1B}[K" + text)
                drawn = true
            } else {
                clearLocked()
            }
            return
        }
        for statement in running {
            let mark = Int(statement.seconds) / Self.plainInterval
            guard mark > 0, reported[statement.token] != mark else { continue }
            reported[statement.token] = mark
            write("  still running \(statement.name) after \(mark * Self.plainInterval) s\n")
        }
    }

    private func clearLocked() {
        if drawn { write("\r\u{1B}[K") }
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
