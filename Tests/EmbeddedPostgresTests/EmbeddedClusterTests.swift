import EmbeddedPostgres
import Foundation
import PostgresClient
import Testing

@Suite(.serialized) struct EmbeddedClusterTests {
    @Test func startsReusesSurvivesStalePidAndStops() throws {
        let root = URL(fileURLWithPath: "/tmp/reckon-embedded-test-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let cluster = try EmbeddedCluster(root: root, port: 5433)
        #expect(cluster.status() == .notInitialized)
        #expect(try cluster.start() == true)
        #expect(cluster.status() == .running)
        // A second start reuses the running server.
        #expect(try cluster.start() == false)
        let connection = try Connection.connect(cluster.connectionString)
        #expect(try connection.execute("select current_database()", name: "db").rows[0][0] == "reckon")
        #expect(try connection.execute("show listen_addresses", name: "tcp").rows[0][0] == "")
        #expect(
            try connection.execute("select pg_encoding_to_char(encoding) from pg_database where datname = 'reckon'", name: "enc").rows[0][0]
                == "UTF8")
        try cluster.stop()
        #expect(cluster.status() == .stopped)

        // A stale pid file from a killed server does not stop the next start.
        let pidFile = root.appendingPathComponent("data/postmaster.pid")
        try "999999\n\(root.path)/data\n0\n5433\n".write(to: pidFile, atomically: true, encoding: .utf8)
        if geteuid() == 0 { _ = chown(pidFile.path, 0, 0) }
        #expect(try cluster.start() == true)
        #expect(cluster.status() == .running)
        try cluster.stop()
        #expect(cluster.status() == .stopped)
    }

    /// Two clusters on the same port run side by side: each listens on its own socket
    /// directory, and a connection through one reaches that cluster's data only.
    @Test func clustersDoNotShareSockets() throws {
        let tag = UUID().uuidString.prefix(8)
        let roots = ["a", "b"].map { URL(fileURLWithPath: "/tmp/reckon-sockets-\(tag)-\($0)") }
        defer { for root in roots { try? FileManager.default.removeItem(at: root) } }
        let clusters = try roots.map { try EmbeddedCluster(root: $0, port: 5434) }
        #expect(clusters[0].socketDirectory != clusters[1].socketDirectory)
        defer { for cluster in clusters { try? cluster.stop() } }
        for cluster in clusters { #expect(try cluster.start() == true) }
        for cluster in clusters { #expect(cluster.status() == .running) }
        // Mark each cluster's database, then read the marks back through each socket.
        for (index, cluster) in clusters.enumerated() {
            try Connection.connect(cluster.connectionString).execute(
                "create table mark as select \(index) as cluster", name: "mark")
        }
        for (index, cluster) in clusters.enumerated() {
            let connection = try Connection.connect(cluster.connectionString)
            #expect(try connection.execute("select cluster from mark", name: "read mark").rows == [["\(index)"]])
            #expect(try connection.execute("show data_directory", name: "data").rows[0][0]?.hasPrefix(roots[index].path) == true)
        }
        let deep = try EmbeddedCluster(root: URL(fileURLWithPath: "/tmp/" + String(repeating: "deep/", count: 30)), port: 5432)
        #expect(deep.socketDirectory.utf8.count < 100)
    }
}
