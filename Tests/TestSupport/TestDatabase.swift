import EmbeddedPostgres
import Foundation
import PostgresClient

/// A real PostgreSQL for tests: `RECKON_TEST_DATABASE_URL` when set, else one embedded
/// cluster per machine (under /tmp), started once per test run. Each test gets a database
/// of its own, so tests run in parallel without seeing each other.
public enum TestDatabase {
    /// The cluster's maintenance connection string (database `postgres`).
    public static let adminConnectionString: String = {
        if let url = ProcessInfo.processInfo.environment["RECKON_TEST_DATABASE_URL"], !url.isEmpty { return url }
        do {
            let cluster = try EmbeddedCluster(root: URL(fileURLWithPath: "/tmp/reckon-test-cluster-\(getuid())"), port: 5432)
            try cluster.start()
            return "host=\(cluster.socketDirectory) port=\(cluster.port) user=postgres dbname=postgres"
        } catch {
            fatalError("cannot start the test PostgreSQL cluster: \(error)")
        }
    }()

    /// Creates a new, empty UTF-8 database and returns its connection string.
    public static func create(prefix: String = "test") throws -> String {
        let name = "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        let admin = try Connection.connect(adminConnectionString)
        try admin.execute("create database \(SQL.identifier(name)) template template0 encoding 'UTF8'", name: "create test database")
        return replacingDatabase(in: adminConnectionString, with: name)
    }

    /// Drops a database made by `create`.
    public static func drop(_ connectionString: String) {
        guard let name = connectionString.split(separator: " ").last(where: { $0.hasPrefix("dbname=") })?.dropFirst(7)
        else { return }
        _ = try? Connection.connect(adminConnectionString).execute(
            "drop database if exists \(SQL.identifier(String(name))) with (force)", name: "drop test database")
    }

    static func replacingDatabase(in conninfo: String, with name: String) -> String {
        var parts = conninfo.split(separator: " ").map(String.init).filter { !$0.hasPrefix("dbname=") }
        parts.append("dbname=\(name)")
        return parts.joined(separator: " ")
    }

    /// The repository root (for models/, checks/ and fixtures).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()
}

/// Table statistics read the way a test can trust them.
public enum TableStatistics {
    /// Sequential scans of `schema.table` so far. A backend flushes its statistics when it
    /// exits, so this first waits (a condition, not a time: at most 60 s) until every other
    /// backend of the database has left, then reads a fresh snapshot.
    public static func sequentialScans(_ connection: Connection, schema: String, table: String) throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        while try connection.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
            name: "other backends"
        ).scalar(as: Int.self) != 0 {
            if Date() > deadline { throw TableStatisticsError.backendsStayed }
            Thread.sleep(forTimeInterval: 0.02)
        }
        _ = try connection.execute("select pg_stat_clear_snapshot()", name: "fresh statistics")
        return try connection.execute(
            "select seq_scan from pg_stat_user_tables where schemaname = $1 and relname = $2", name: "scans", [schema, table]
        ).scalar(as: Int.self) ?? -1
    }
}

/// Other backends of the test's database did not leave within the wait.
public enum TableStatisticsError: Error { case backendsStayed }
