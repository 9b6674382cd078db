import ArgumentParser
import EmbeddedPostgres
import Foundation
import PostgresClient
import ReckonCore

/// Options every database command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Path of the configuration file (default: reckon.yml if present).")
    var configPath: String?

    @Option(name: .customLong("database-url"), help: "libpq connection string or URI; overrides reckon.yml and DATABASE_URL.")
    var databaseURL: String?

    /// The configuration file merged with the environment and command-line overrides.
    func loadConfiguration() throws -> Configuration {
        var configuration = try Configuration.load(path: configPath, environment: ProcessInfo.processInfo.environment)
        if let databaseURL { configuration.connection = databaseURL }
        return configuration
    }
}

/// Where reckon's private cluster lives: `$RECKON_HOME` or `./.reckon`.
func embeddedCluster() throws -> EmbeddedCluster {
    let home = ProcessInfo.processInfo.environment["RECKON_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".reckon"
    let url = URL(fileURLWithPath: home, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    return try EmbeddedCluster(root: url.absoluteURL)
}

/// The connection string to use: the configured one, else `PG*` variables when `PGHOST`
/// or `PGDATABASE` is set, else the embedded cluster (started when needed).
func resolveConnectionString(_ configuration: Configuration, log: (String) -> Void = { Output.info($0) }) throws -> String {
    if let connection = configuration.connection { return connection }
    let environment = ProcessInfo.processInfo.environment
    if environment["PGHOST"] != nil || environment["PGDATABASE"] != nil { return "" }
    let cluster = try embeddedCluster()
    if try cluster.start() { log("started the embedded PostgreSQL cluster in \(cluster.root.path)") }
    return cluster.connectionString
}

/// Terminal output helpers: progress on stderr, colour only on a terminal without NO_COLOR.
enum Output {
    /// Whether output to `descriptor` may be coloured: a terminal, and NO_COLOR unset.
    static func useColor(on descriptor: Int32) -> Bool {
        isatty(descriptor) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    static func info(_ message: String) {
        LiveProgress.shared.line(message)
    }

    /// `text` in the ANSI colour `code` when `descriptor` (default stderr) may be coloured.
    static func colored(_ text: String, _ code: String, on descriptor: Int32 = STDERR_FILENO) -> String {
        useColor(on: descriptor) ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
