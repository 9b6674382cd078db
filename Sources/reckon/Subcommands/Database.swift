import ArgumentParser
import EmbeddedPostgres
import Foundation

/// `reckon db start|stop|status|url`: the embedded PostgreSQL cluster.
struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL cluster under .reckon/ (or $RECKON_HOME).",
        discussion: """
            The cluster uses the installed server binaries and listens on a unix socket only. \
            As root the server runs as the postgres OS user.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case start, stop, status, url
    }

    @Argument(help: "start, stop, status or url.")
    var action: Action

    func run() async throws {
        await runReporting {
            let cluster = try embeddedCluster()
            switch action {
            case .start:
                let started = try cluster.start()
                print(started ? "started: \(cluster.connectionString)" : "already running: \(cluster.connectionString)")
            case .stop:
                try cluster.stop()
                print("stopped")
            case .status:
                let state = cluster.status()
                print(state.rawValue)
                // As `pg_ctl status`: 3 when the server is not running.
                return state == .running ? ReckonExitCode.success : ReckonExitCode.database
            case .url:
                print(cluster.connectionString)
            }
            return 0
        }
    }
}
