import Foundation
import PostgresClient

/// A private PostgreSQL cluster under a project folder (by default `.reckon/`), reached
/// only through a unix socket in that folder.
///
/// It uses the installed server binaries. As root the server runs as the `postgres` OS
/// user (PostgreSQL refuses root); as an ordinary user it runs as that user. It never
/// touches another cluster: its data directory, socket and lock file are its own.
public struct EmbeddedCluster: Sendable {
    /// The state `status` reports.
    public enum State: String, Sendable {
        case running
        case stopped
        case notInitialized = "not initialized"
    }

    /// The folder holding `data/`, the socket folder and the server log.
    public let root: URL
    /// The port number; only names the socket file, no TCP port is opened.
    public let port: Int
    /// The database reckon uses inside the cluster.
    public let databaseName = "reckon"
    private let binaries: ServerBinaries

    /// Describes the cluster under `root`; throws when no server binaries are installed.
    public init(root: URL, port: Int = 5432) throws {
        self.root = root.standardizedFileURL
        self.port = port
        self.binaries = try ServerBinaries.locate()
    }

    var dataDirectory: URL { root.appendingPathComponent("data") }
    var logFile: URL { root.appendingPathComponent("server.log") }

    /// The socket folder: `root/run`, or a short folder under /tmp when that path would
    /// exceed the unix socket path limit (107 bytes).
    public var socketDirectory: String {
        let preferred = root.appendingPathComponent("run").path
        if preferred.utf8.count + 20 < 100 { return preferred }
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in root.path.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "/tmp/reckon-\(String(hash, radix: 16).prefix(12))"
    }

    /// The libpq connection string of the cluster's `reckon` database.
    public var connectionString: String {
        "host=\(socketDirectory) port=\(port) user=postgres dbname=\(databaseName)"
    }

    /// Whether the cluster is running, stopped or not yet created.
    public func status() -> State {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        let result = try? runServerTool(binaries.pgCtl, ["status", "-D", dataDirectory.path])
        return result?.status == 0 ? .running : .stopped
    }

    /// Creates the cluster if needed, starts it unless it runs, and creates the database.
    ///
    /// A stale `postmaster.pid` left by a killed server is removed before starting.
    /// - Returns: whether this call started the server (false: it was already running).
    @discardableResult
    public func start() throws -> Bool {
        // The common case, a running cluster, costs one status call and no file work.
        if status() == .running {
            try ensureDatabase()
            return false
        }
        try prepareDirectories()
        if status() == .notInitialized { try initialize() }
        removeStalePidFile()
        let options = [
            "-k", socketDirectory, "-p", String(port), "-c", "listen_addresses=",
            "-c", "shared_buffers=512MB", "-c", "max_wal_size=8GB", "-c", "synchronous_commit=off",
            "-c", "wal_level=minimal", "-c", "max_wal_senders=0", "-c", "checkpoint_timeout=30min",
            "-c", "max_parallel_workers_per_gather=2", "-c", "effective_cache_size=8GB",
            "-c", "maintenance_work_mem=512MB",
            // The test suite runs its tests side by side, each with connections of its own.
            "-c", "max_connections=300",
        ].joined(separator: " ")
        let result = try runServerTool(
            binaries.pgCtl, ["start", "-w", "-t", "60", "-D", dataDirectory.path, "-l", logFile.path, "-o", options])
        guard result.status == 0 else {
            throw EmbeddedClusterError(
                message:
                    "the embedded PostgreSQL server did not start: \(result.output.trimmingCharacters(in: .whitespacesAndNewlines)); see \(logFile.path)"
            )
        }
        try ensureDatabase()
        return true
    }

    /// Stops the server (fast shutdown) if it runs.
    public func stop() throws {
        guard status() == .running else { return }
        let result = try runServerTool(binaries.pgCtl, ["stop", "-w", "-m", "fast", "-D", dataDirectory.path])
        guard result.status == 0 else {
            throw EmbeddedClusterError(message: "pg_ctl stop failed: \(result.output)")
        }
    }

    private func initialize() throws {
        let result = try runServerTool(
            binaries.initdb,
            ["-D", dataDirectory.path, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust", "--no-sync"])
        guard result.status == 0 else {
            throw EmbeddedClusterError(message: "initdb failed: \(result.output)")
        }
    }

    private func ensureDatabase() throws {
        let admin = try Connection.connect("host=\(socketDirectory) port=\(port) user=postgres dbname=postgres")
        let exists = try admin.execute(
            "select 1 from pg_database where datname = $1", name: "find database", [databaseName])
        if exists.rows.isEmpty {
            try admin.execute("create database \(SQL.identifier(databaseName))", name: "create database")
        }
    }

    private func removeStalePidFile() {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        guard let contents = try? String(contentsOf: pidFile, encoding: .utf8) else { return }
        let pid = contents.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        if let pid, pid > 0, kill(pid, 0) == 0 { return }
        try? FileManager.default.removeItem(at: pidFile)
    }

    private var runsAsRoot: Bool { geteuid() == 0 }

    private func prepareDirectories() throws {
        let manager = FileManager.default
        for directory in [root.path, dataDirectory.deletingLastPathComponent().path, socketDirectory] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try? manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: socketDirectory)
        guard runsAsRoot else { return }
        // Only the two folders reckon creates: everything inside them is created by the
        // server tools, which already run as postgres.
        for path in [root.path, socketDirectory] {
            let result = try run("/bin/chown", ["postgres:postgres", path])
            guard result.status == 0 else {
                throw EmbeddedClusterError(
                    message: "cannot hand \(path) to the postgres OS user: \(result.output) (is the postgresql package installed?)")
            }
        }
        let probe = try run("/usr/sbin/runuser", ["-u", "postgres", "--", "test", "-w", root.path])
        guard probe.status == 0 else {
            throw EmbeddedClusterError(
                message:
                    "the postgres OS user cannot write to \(root.path); make its parent folders traversable (chmod o+x) or set RECKON_HOME to another folder"
            )
        }
    }

    private func runServerTool(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        if runsAsRoot {
            return try run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
        }
        return try run(tool, arguments)
    }

    /// Marks every open descriptor above 2 close-on-exec, so no program reckon starts
    /// inherits one (glibc's `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift).
    static func closeInheritedDescriptorsOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in names.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Runs a program to completion with `posix_spawn` and `waitpid`, its output going to a
    /// temporary file (not a pipe: the server started by pg_ctl inherits the descriptor, and
    /// a pipe would then never reach end-of-file). Foundation's `Process` is avoided: its
    /// reaping depends on dispatch threads that a busy test run can starve.
    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "reckon-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out"
        defer { unlink(outputPath) }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        // Nothing else reaches the child (and the server it starts): a descriptor the caller
        // watches for end-of-file, such as the pipe a parent process uses to notice that
        // `reckon db start` exited, would otherwise stay open for the server's lifetime.
        Self.closeInheritedDescriptorsOnExec()
        // Start in "/": the postgres OS user may not be allowed into the caller's folder.
        let command = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh", executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &fileActions, nil, argv, environ)
        guard spawned == 0 else {
            throw EmbeddedClusterError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { throw EmbeddedClusterError(message: "waiting for \(executable) failed") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitStatus, output)
    }
}

/// A failure to create, start or stop the embedded cluster.
public struct EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in one sentence.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// The installed PostgreSQL server programs (`initdb`, `pg_ctl`).
struct ServerBinaries: Sendable {
    let initdb: String
    let pgCtl: String

    /// Finds the server binaries: `RECKON_PG_BINDIR`, then the newest
    /// `/usr/lib/postgresql/N/bin`, then `PATH`.
    static func locate() throws -> ServerBinaries {
        let manager = FileManager.default
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["RECKON_PG_BINDIR"] { candidates.append(configured) }
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            let sorted = versions.compactMap { Int($0) }.sorted(by: >)
            candidates += sorted.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates {
            let initdb = directory + "/initdb"
            let pgCtl = directory + "/pg_ctl"
            if manager.isExecutableFile(atPath: initdb), manager.isExecutableFile(atPath: pgCtl) {
                return ServerBinaries(initdb: initdb, pgCtl: pgCtl)
            }
        }
        throw EmbeddedClusterError(
            message:
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package 'postgresql' (apt-get install -y postgresql) or set RECKON_PG_BINDIR"
        )
    }
}
