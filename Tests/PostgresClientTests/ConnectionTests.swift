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
        let url = try TestDatabase.create()
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        let observer = try Connection.connect(url)
        let start = Date()
        // Cancel once the server shows the statement running (a condition, not a delay).
        let canceller = Thread {
            while Date().timeIntervalSince(start) < 60 {
                let running = try? observer.execute(
                    "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'", name: "running"
                ).scalar(as: Int.self)
                if running == 1 { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
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
        #expect(Date().timeIntervalSince(start) < 25)
        #expect(
            try observer.execute(
                "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'", name: "gone"
            )
            .scalar(as: Int.self) == 0)
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
        ("postgresql://u:secret@h:5432/db", "user=u dbname=db host=h port=5432"),
        ("host=h password=secret user=u", "user=u host=h"),
        ("host=h password = secret user=u", "user=u host=h"),
        ("host=h password='se cret' user=u", "user=u host=h"),
        ("postgresql://u:se?cret@/db?host=/tmp", "user=u dbname=db host=/tmp"),
        ("postgres://h/db?password=secret&sslmode=require", "dbname=db host=h sslmode=require"),
        ("host=/tmp port=5432", "host=/tmp port=5432"),
        ("host='/my dir' port=5432", "host='/my dir' port=5432"),
    ])
    func masksPasswords(input: String, expected: String) {
        // Rebuilt from libpq's own parse, without the password; the order is libpq's.
        let masked = ConnectionString.masked(input)
        #expect(Set(masked.split(separator: " ")) == Set(expected.split(separator: " ")))
        #expect(!masked.contains("cret"))
    }

    @Test(arguments: [
        ("postgresql://u:secret@[::1/db", "IPv6"),
        ("host=h password=secret bogus=1", "bogus"),
        ("host='h password=secret", "unterminated"),
    ])
    func malformedConnectionStringsSayWhatIsWrongWithoutThePassword(input: String, reason: String) {
        #expect(throws: ConnectionStringError.self) { try ConnectionString.parse(input) }
        do {
            _ = try Connection.connect(input)
            Issue.record("expected an error")
        } catch {
            #expect(error is ConnectionStringError)
            #expect("\(error)".contains(reason))
            #expect(!"\(error)".contains("secret"))
        }
    }

    @Test(arguments: [
        ("error near \"postgresql://u:pa?ss/w@h/db\"", "error near \"postgresql://u:****@h/db\""),
        ("password = 'a b' next", "password=**** next"),
        ("x PASSWORD=abc&y=1", "x PASSWORD=****&y=1"),
        ("password authentication failed", "password authentication failed"),
    ])
    func redactsSecretsInFreeText(input: String, expected: String) {
        #expect(ConnectionString.redacted(input) == expected)
    }

    /// Four tasks on a pool of two: exactly two statements run at once (they block on an
    /// advisory lock the test holds, seen on the server), the pool opens no third connection,
    /// and all four finish once the lock is released.
    @Test func poolRunsWorkConcurrentlyWithinItsLimit() async throws {
        let url = try TestDatabase.create()
        defer { TestDatabase.drop(url) }
        let holder = try Connection.connect(url)
        try holder.execute("select pg_advisory_lock(4242)", name: "hold")
        let pool = ConnectionPool(conninfo: url, maximumConnections: 2)
        let tasks = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try connection.execute("select pg_advisory_xact_lock_shared(4242)", name: "wait \(task)")
                            return task
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let others = "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        // Generous: in a full test run every cooperative thread may be busy for a while.
        let deadline = Date().addingTimeInterval(300)
        var waiting = 0
        while Date() < deadline {
            waiting =
                try holder.execute(
                    "select count(*) from pg_locks where locktype = 'advisory' and objid = 4242 and not granted and database = (select oid from pg_database where datname = current_database())",
                    name: "waiting"
                )
                .scalar(as: Int.self) ?? 0
            if waiting == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(waiting == 2)
        #expect(try holder.execute("select count(*) \(others)", name: "connections").scalar(as: Int.self) == 2)
        try holder.execute("select pg_advisory_unlock(4242)", name: "release")
        let finished = try await tasks.value
        #expect(finished.sorted() == [0, 1, 2, 3])
        #expect(try holder.execute("select count(*) \(others)", name: "connections").scalar(as: Int.self)! <= 2)
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
