import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct ConnectionTests {
    func withDatabase(_ body: (Connection) throws -> Void) throws {
        let url = try TestDatabase.create()
        defer { TestDatabase.drop(url) }
        try body(try Connection.connect(url))
    }

    @Test func decodesTypesAndNulls() throws {
        try withDatabase { connection in
            let result = try connection.execute(
                "select 42::int as i, 2.5::float8 as d, true as b, 'x'::text as t, null::text as n", name: "types")
            #expect(try result.value(0, "i", as: Int.self) == 42)
            #expect(try result.value(0, "d", as: Double.self) == 2.5)
            #expect(try result.value(0, "b", as: Bool.self) == true)
            #expect(try result.value(0, "t", as: String.self) == "x")
            #expect(try result.value(0, "n", as: String.self) == nil)
            #expect(throws: PostgresError.self) { try result.value(0, "t", as: Int.self) }
        }
    }

    @Test func bindsParametersIncludingUnicodeAndNull() throws {
        try withDatabase { connection in
            let text = "café 🎯 <script>'\"; drop table x; --"
            let result = try connection.execute("select $1::text as a, $2::text is null as b", name: "bind", [text, nil])
            #expect(result.rows[0][0] == text)
            #expect(result.rows[0][1] == "t")
        }
    }

    @Test func serverErrorsCarrySQLStateAndStatementName() throws {
        try withDatabase { connection in
            do {
                try connection.execute("select * from missing_table", name: "my step")
                Issue.record("expected an error")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42P01")
                #expect(error.kind == .server)
                #expect(error.statementName == "my step")
                #expect(error.description.contains("missing_table"))
                #expect(error.description.hasPrefix("my step: [42P01]"))
            }
        }
    }

    @Test func copiesOneHundredThousandRows() throws {
        try withDatabase { connection in
            try connection.execute("create table t (id bigint, name text, flag boolean)", name: "ddl")
            let copied = try connection.copyIn("copy t from stdin", name: "copy") { writer in
                for index in 0..<100_000 {
                    writer.field(index)
                    writer.field(index % 7 == 0 ? nil : "name\t\(index)\n\\é")
                    writer.field(index % 2 == 0)
                    try writer.endRow()
                }
            }
            #expect(copied == 100_000)
            let summary = try connection.execute(
                "select count(*), count(name), sum(id), max(name) filter (where id = 1) from t", name: "sum")
            #expect(summary.rows[0][0] == "100000")
            #expect(summary.rows[0][1] == String(100_000 - (100_000 + 6) / 7))
            #expect(summary.rows[0][2] == "4999950000")
            #expect(summary.rows[0][3] == "name\t1\n\\é")
        }
    }

    @Test func copyErrorsNameTheStatement() throws {
        try withDatabase { connection in
            try connection.execute("create table t (id int)", name: "ddl")
            #expect(throws: PostgresError.self) {
                try connection.copyIn("copy t from stdin", name: "bad copy") { writer in
                    writer.field("not a number")
                    try writer.endRow()
                }
            }
            // The connection stays usable after a failed COPY.
            #expect(try connection.execute("select 1", name: "after").rows[0][0] == "1")
        }
    }

    @Test func cancelStopsTheServerSideStatement() throws {
        try withDatabase { connection in
            let start = Date()
            let canceller = Thread {
                Thread.sleep(forTimeInterval: 0.5)
                connection.cancel()
            }
            canceller.start()
            do {
                try connection.execute("select pg_sleep(30)", name: "sleep")
                Issue.record("expected cancellation")
            } catch let error as PostgresError {
                #expect(error.kind == .cancelled)
                #expect(error.sqlState == "57014")
            }
            #expect(Date().timeIntervalSince(start) < 10)
        }
    }

    @Test func scriptsRunSeveralStatements() throws {
        try withDatabase { connection in
            let result = try connection.executeScript(
                "create table a (x int); insert into a values (1),(2); select count(*) from a;", name: "script")
            #expect(result.rows[0][0] == "2")
        }
    }

    @Test func unreachableDatabaseIsOneLineWithPasswordMasked() throws {
        do {
            _ = try Connection.connect("postgresql://someone:hunter2@127.0.0.1:1/nothing?connect_timeout=2")
            Issue.record("expected a connection error")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("127.0.0.1"))
            #expect(error.description.contains("port 1"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: [
        ("postgresql://u:secret@h:5432/db", "postgresql://u:****@h:5432/db"),
        ("host=h password=secret user=u", "host=h password=**** user=u"),
        ("host=h password='se cret' user=u", "host=h password=**** user=u"),
        ("postgres://h/db?password=secret&sslmode=require", "postgres://h/db?password=****&sslmode=require"),
        ("host=/tmp port=5432", "host=/tmp port=5432"),
    ])
    func masksPasswords(input: String, expected: String) {
        #expect(ConnectionString.masked(input) == expected)
    }

    @Test func poolRunsWorkConcurrentlyWithinItsLimit() async throws {
        let url = try TestDatabase.create()
        defer { TestDatabase.drop(url) }
        let pool = ConnectionPool(conninfo: url, maximumConnections: 2)
        // Each task reports the interval its statement ran in, by the server's clock.
        let intervals = try await withThrowingTaskGroup(of: (Double, Double).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let result = try connection.execute(
                            "select extract(epoch from clock_timestamp())::float8, pg_sleep(0.4), extract(epoch from clock_timestamp())::float8",
                            name: "sleep")
                        return (Double(result.rows[0][0]!)!, Double(result.rows[0][2]!)!)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let maximumOverlap = intervals.map { interval in
            intervals.filter { $0.0 <= interval.0 && interval.0 < $0.1 }.count
        }.max()
        #expect(maximumOverlap == 2)
    }

    @Test func poolKeepsAFixedSetOfConnectionsAllBusyAtOnce() async throws {
        let url = try TestDatabase.create()
        defer { TestDatabase.drop(url) }
        // More connections than the machine has cores: each has its own queue, so all run at once.
        let pool = ConnectionPool(conninfo: url, maximumConnections: 4)
        let runs = try await withThrowingTaskGroup(of: (pid: String, start: Double, end: Double).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let result = try connection.execute(
                            "select pg_backend_pid()::text, extract(epoch from clock_timestamp())::float8, pg_sleep(0.3), extract(epoch from clock_timestamp())::float8",
                            name: "sleep")
                        return (result.rows[0][0]!, Double(result.rows[0][1]!)!, Double(result.rows[0][3]!)!)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(runs.map(\.pid)).count == 4)
        let maximumOverlap = runs.map { run in runs.filter { $0.start <= run.start && run.start < $0.end }.count }.max()
        #expect(maximumOverlap == 4)
    }

    @Test func quotesIdentifiersAndLiterals() throws {
        try withDatabase { connection in
            let name = "we\"ird; drop"
            try connection.execute("create table \(SQL.identifier(name)) (v text)", name: "ddl")
            try connection.execute("insert into \(SQL.identifier(name)) values (\(SQL.literal("it's")))", name: "insert")
            #expect(try connection.execute("select v from \(SQL.identifier(name))", name: "read").rows[0][0] == "it's")
        }
    }
}
