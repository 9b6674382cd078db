import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// The README's command table, each promise through the real executable: `check` (with
/// `--select`, `--no-fuse`, the report files read back), `compile --output`, `report`,
/// `doctor`, `db url`, `help`, `build --target-schema --jobs`, and the `checks:` settings.
@Suite struct CommandTests {
    let cli = CLITests()

    /// One database with generated data and published marts, shared by the read-only tests.
    static let built: Result<String, Error> = Result {
        let url = try TestDatabase.create(prefix: "cmd")
        _ = try SampleDataGenerator(sessions: 1_500, seed: 21).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let outcome = try CLITests().reckon(["build"], environment: ["DATABASE_URL": url])
        guard outcome.status == 0 else { throw CommandTestError.failed("build: \(outcome.standardError)") }
        return url
    }

    enum CommandTestError: Error { case failed(String) }

    /// A scratch folder, removed by the caller.
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "reckon-cmd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/checks", withIntermediateDirectories: true)
        return path
    }

    func json(_ path: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
        return try #require(object as? [String: Any])
    }

    func checks(_ result: [String: Any]) -> [[String: Any]] { result["checks"] as? [[String: Any]] ?? [] }

    static let shippedNames: [String] = {
        let directory = TestDatabase.repositoryRoot.appendingPathComponent("checks").path
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yml") }
        return files.flatMap { file -> [String] in
            let text = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
            return text.matches(of: /(?m)^  - name: ([a-z_0-9]+)$/).map { String($0.1) }
        }.sorted()
    }()

    @Test func checkRunsEveryShippedCheckAndWritesReportsThatReadBack() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(Self.shippedNames.count == 20)
        let outcome = try cli.reckon(
            ["check", "--json", out + "/r.json", "--html", out + "/r.html", "--junit", out + "/r.xml"],
            environment: ["DATABASE_URL": url, "SOURCE_DATE_EPOCH": "1700000000"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("20 checks on analytics: 19 passed, 1 warned, 0 failed, 0 errored"))
        let result = try json(out + "/r.json")
        #expect(result["command"] as? String == "check")
        #expect(result["checkedSchema"] as? String == "analytics")
        let names = checks(result).compactMap { $0["name"] as? String }
        #expect(names.sorted() == Self.shippedNames)
        let statuses = Dictionary(uniqueKeysWithValues: checks(result).map { ($0["name"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(statuses["spend_on_unknown_ads"] == "warn")
        #expect(statuses.filter { $0.key != "spend_on_unknown_ads" }.values.allSatisfy { $0 == "pass" })
        let html = try String(contentsOfFile: out + "/r.html", encoding: .utf8)
        let junit = try String(contentsOfFile: out + "/r.xml", encoding: .utf8)
        for name in Self.shippedNames {
            #expect(html.contains(name), "the HTML report lacks \(name)")
            #expect(junit.contains(name), "the JUnit report lacks \(name)")
        }
        #expect(junit.hasPrefix("<?xml"))

        // `reckon report` renders the saved result into the same files, byte for byte.
        let again = try cli.reckon(
            ["report", out + "/r.json", "--html", out + "/again.html", "--junit", out + "/again.xml"],
            environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/again.html")) == Data(contentsOf: URL(fileURLWithPath: out + "/r.html")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/again.xml")) == Data(contentsOf: URL(fileURLWithPath: out + "/r.xml")))
    }

    @Test func selectNarrowsTheChecksByNameAndByTag() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let byName = try cli.reckon(
            ["check", "--select", "session_id_unique", "--json", out + "/a.json"], environment: ["DATABASE_URL": url])
        #expect(byName.status == 0, "\(byName.standardError)")
        #expect(checks(try json(out + "/a.json")).compactMap { $0["name"] as? String } == ["session_id_unique"])
        let byTag = try cli.reckon(
            ["check", "--select", "grain", "revenue_reconciliation", "--json", out + "/b.json"], environment: ["DATABASE_URL": url])
        #expect(byTag.status == 0, "\(byTag.standardError)")
        #expect(
            checks(try json(out + "/b.json")).compactMap { $0["name"] as? String }.sorted() == [
                "campaign_day_unique", "one_row_per_funnelfox_session", "revenue_reconciliation", "session_id_not_null",
                "session_id_unique",
            ])
        let unknown = try cli.reckon(["check", "--select", "no_such_check"], environment: ["DATABASE_URL": url])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no_such_check"))
    }

    func scans(_ connection: Connection, _ table: String) throws -> Int {
        try TableStatistics.sequentialScans(connection, schema: "analytics", table: table)
    }

    @Test func noFuseGivesTheSameVerdictsWithOneQueryPerCheck() throws {
        // A database of its own: the scan counts must not see other tests' checks.
        let url = try TestDatabase.create(prefix: "fuse")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 800, seed: 22).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        #expect(try cli.reckon(["build"], environment: ["DATABASE_URL": url]).status == 0)
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let connection = try Connection.connect(url)
        let mart = "mart_marketing_attribution"
        let before = try scans(connection, mart)
        #expect(try cli.reckon(["check", "--json", out + "/fused.json"], environment: ["DATABASE_URL": url]).status == 0)
        let fused = try scans(connection, mart) - before
        #expect(try cli.reckon(["check", "--no-fuse", "--json", out + "/single.json"], environment: ["DATABASE_URL": url]).status == 0)
        let single = try scans(connection, mart) - before - fused
        #expect(fused == 1, "the fused checks scanned the mart \(fused) times")
        #expect(single > 5, "--no-fuse scanned the mart only \(single) times")
        func verdicts(_ path: String) throws -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: checks(try json(path)).map {
                    ($0["name"] as? String ?? "", "\($0["status"] ?? "") \($0["observed"] ?? "")")
                })
        }
        #expect(try verdicts(out + "/fused.json") == verdicts(out + "/single.json"))
    }

    @Test func compiledModelsRunByPsqlBuildTheSameMarts() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try cli.reckon(
            ["compile", "--output", out + "/sql", "--target-schema", "psql_copy"], environment: ["DATABASE_URL": url])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/sql").filter { $0.hasSuffix(".sql") }.sorted()
        let models = try FileManager.default.contentsOfDirectory(
            atPath: TestDatabase.repositoryRoot.appendingPathComponent("models").path
        ).filter { $0.first?.isNumber == true }
        #expect(files.count >= models.count + 1)
        for file in files {
            let text = try String(contentsOfFile: out + "/sql/" + file, encoding: .utf8)
            #expect(!text.contains("{{"), "\(file) still holds a placeholder")
            let psql = try Tools.psql([url, "-v", "ON_ERROR_STOP=1", "-q", "-f", out + "/sql/" + file])
            #expect(psql.status == 0, "\(file): \(psql.stderr)")
        }
        let connection = try Connection.connect(url)
        for (mart, order) in [("mart_marketing_attribution", "session_id"), ("mart_campaign_daily", "date, facebook_campaign_id")] {
            let hashes = try ["analytics", "psql_copy__staging"].map { schema in
                try connection.execute(
                    "select md5(string_agg(t::text, '|' order by \(order))) from \(schema).\(mart) t", name: "hash"
                ).rows[0][0]
            }
            #expect(hashes[0] != nil && hashes[0] == hashes[1], "\(mart) built by psql differs")
        }
        try connection.execute("drop schema psql_copy__staging cascade", name: "clean up")
    }

    @Test func doctorListsEveryMissingTableAndColumn() throws {
        let url = try TestDatabase.create(prefix: "doctor")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 100, seed: 2).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let healthy = try cli.reckon(["doctor"], environment: ["DATABASE_URL": url])
        #expect(healthy.status == 0, "\(healthy.standardError)")
        try Connection.connect(url).executeScript(
            "drop table raw.stripe_refunds; alter table raw.facebook_ads drop column ad_name; alter table raw.funnelfox_sessions drop column origin;",
            name: "break sources")
        let broken = try cli.reckon(["doctor"], environment: ["DATABASE_URL": url])
        #expect(broken.status == 3)
        let text = broken.standardOutput + broken.standardError
        #expect(text.contains("stripe_refunds"))
        #expect(text.contains("raw.facebook_ads") && text.contains("ad_name"))
        #expect(text.contains("raw.funnelfox_sessions") && text.contains("origin"))
    }

    @Test func buildHonoursTargetSchemaAndJobs() throws {
        let url = try TestDatabase.create(prefix: "target")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 600, seed: 23).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let one = try cli.reckon(["build", "--target-schema", "candidate_one", "--jobs", "1"], environment: ["DATABASE_URL": url])
        #expect(one.status == 0, "\(one.standardError)")
        let three = try cli.reckon(["build", "--target-schema", "candidate_three", "--jobs", "3"], environment: ["DATABASE_URL": url])
        #expect(three.status == 0, "\(three.standardError)")
        let connection = try Connection.connect(url)
        let schemas = try connection.execute(
            "select string_agg(table_schema, ',' order by table_schema) from information_schema.tables where table_name = 'mart_marketing_attribution'",
            name: "where")
        #expect(schemas.rows[0][0] == "candidate_one,candidate_three")
        let hashes = try ["candidate_one", "candidate_three"].map { schema in
            try connection.execute(
                "select md5(string_agg(t::text, '|' order by session_id)) from \(schema).mart_marketing_attribution t", name: "hash"
            ).rows[0][0]
        }
        #expect(hashes[0] != nil && hashes[0] == hashes[1])
    }

    /// A copy of the shipped models plus one extra model file holding `sql`.
    func modelsWith(_ sql: String, in out: String) throws -> String {
        let models = out + "/models"
        try FileManager.default.copyItem(atPath: TestDatabase.repositoryRoot.appendingPathComponent("models").path, toPath: models)
        try sql.write(toFile: models + "/99_extra.sql", atomically: true, encoding: .utf8)
        return models
    }

    @Test func buildExitCodesForABadTemplateAnSQLErrorAndAMissingSource() throws {
        let url = try TestDatabase.create(prefix: "codes")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 200, seed: 24).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }

        let badTemplate = try modelsWith("create table {{ this }} as select 1 as x from {{ nonsense('y') }};\n", in: out + "/a")
        let template = try cli.reckon(["build"], environment: ["DATABASE_URL": url, "RECKON_MODELS_DIR": badTemplate])
        #expect(template.status == 2, "\(template.standardError)")
        #expect(template.standardError.contains("99_extra.sql:1"), "\(template.standardError)")

        let badSQL = try modelsWith(
            "create table {{ this }} as select no_such_column from {{ ref('mart_marketing_attribution') }};\n", in: out + "/b")
        let sqlError = try cli.reckon(["build"], environment: ["DATABASE_URL": url, "RECKON_MODELS_DIR": badSQL])
        #expect(sqlError.status == 3, "\(sqlError.standardError)")
        #expect(sqlError.standardError.contains("99_extra.sql") && sqlError.standardError.contains("no_such_column"))

        try Connection.connect(url).execute("drop table raw.stripe_refunds", name: "lose a source")
        let missing = try cli.reckon(["build"], environment: ["DATABASE_URL": url])
        #expect(missing.status == 3, "\(missing.standardError)")
        #expect(missing.standardError.contains("stripe_refunds"))
        let published = try Connection.connect(url).execute(
            "select count(*) from information_schema.tables where table_schema like 'analytics%'", name: "nothing published")
        #expect(published.rows[0][0] == "0")
    }

    @Test func helpDocumentsEveryCommandAndItsOptions() throws {
        let expectations: [String: [String]] = [
            "db": ["start", "stop", "status", "url"], "generate": ["--sessions", "--seed"], "doctor": ["--database-url"],
            "compile": ["--output", "--target-schema"], "build": ["--target-schema", "--jobs"],
            "check": ["--select", "--no-fuse", "--json", "--junit", "--html"], "run": ["--select", "--json", "--jobs"],
            "report": ["--html", "--junit"],
        ]
        for (command, options) in expectations {
            let outcome = try cli.reckon(["help", command])
            #expect(outcome.status == 0, "reckon help \(command): \(outcome.standardError)")
            for option in options { #expect(outcome.standardOutput.contains(option), "reckon help \(command) lacks \(option)") }
        }
    }

    @Test func dbStartUrlStatusStop() throws {
        let home = NSTemporaryDirectory() + "reckon-db-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["RECKON_HOME": home]
        #expect(try cli.reckon(["db", "start"], environment: environment).status == 0)
        defer { _ = try? cli.reckon(["db", "stop"], environment: environment) }
        let url = try cli.reckon(["db", "url"], environment: environment)
        #expect(url.status == 0)
        let conninfo = url.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(conninfo.contains(home))
        #expect(try Connection.connect(conninfo).execute("select current_database()", name: "db").rows[0][0] == "reckon")
        let status = try cli.reckon(["db", "status"], environment: environment)
        #expect(status.status == 0 && status.standardOutput.contains("running"))
        #expect(try cli.reckon(["db", "stop"], environment: environment).status == 0)
        #expect(try cli.reckon(["db", "status"], environment: environment).standardOutput.contains("stopped"))
    }

    /// A checks folder with one check that fails on every row of the mart.
    func everyRowFails(_ out: String) throws {
        try """
        checks:
          - name: every_row_fails
            kind: expression
            table: mart_marketing_attribution
            expression: session_id is null
        """.write(toFile: out + "/checks/all.yml", atomically: true, encoding: .utf8)
    }

    @Test func sampleRowsDefaultToTenAndFollowTheSetting() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try everyRowFails(out)
        let environment = ["DATABASE_URL": url, "RECKON_CHECKS_DIR": out + "/checks"]
        let byDefault = try cli.reckon(["check", "--json", out + "/default.json"], environment: environment, directory: out)
        #expect(byDefault.status == 1)
        try "checks:\n  sample_rows: 3\n".write(toFile: out + "/reckon.yml", atomically: true, encoding: .utf8)
        let capped = try cli.reckon(["check", "--json", out + "/capped.json"], environment: environment, directory: out)
        #expect(capped.status == 1)
        func samples(_ path: String) throws -> Int { (checks(try json(path)).first?["sampleRows"] as? [Any])?.count ?? -1 }
        #expect(try samples(out + "/default.json") == 10)
        #expect(try samples(out + "/capped.json") == 3)
    }

    @Test func theGlobalTimeoutErrorsACheckAndAnErroredErrorCheckExitsOne() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try "checks:\n  - name: slow\n    kind: sql\n    sql: select 1 where pg_sleep(5) is null\n".write(
            toFile: out + "/checks/slow.yml", atomically: true, encoding: .utf8)
        try "checks:\n  timeout_seconds: 1\n".write(toFile: out + "/reckon.yml", atomically: true, encoding: .utf8)
        let started = Date()
        let outcome = try cli.reckon(
            ["check", "--json", out + "/r.json"], environment: ["DATABASE_URL": url, "RECKON_CHECKS_DIR": out + "/checks"], directory: out)
        #expect(outcome.status == 1)
        #expect(Date().timeIntervalSince(started) < 4.5)
        let check = try #require(checks(try json(out + "/r.json")).first)
        #expect(check["status"] as? String == "error")
        #expect("\(check["errorMessage"] ?? "")".contains("timeout") || "\(check["errorMessage"] ?? "")".contains("time-out"))
    }

    @Test func concurrencyRunsChecksSideBySideWithinTheSetting() throws {
        let url = try Self.built.get()
        let out = try folder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Five checks that each wait on an advisory lock the test holds.
        let yaml = (1...5).map {
            "  - name: waits_\($0)\n    kind: sql\n    sql: select 1 where pg_advisory_xact_lock_shared(9090) is null\n"
        }
        try ("checks:\n" + yaml.joined()).write(toFile: out + "/checks/waits.yml", atomically: true, encoding: .utf8)
        try "checks:\n  concurrency: 3\n".write(toFile: out + "/reckon.yml", atomically: true, encoding: .utf8)
        let holder = try Connection.connect(url)
        try holder.execute("select pg_advisory_lock(9090)", name: "hold")
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = ["check"]
        process.currentDirectoryURL = URL(fileURLWithPath: out)
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DATABASE_URL": url, "RECKON_CHECKS_DIR": out + "/checks", "NO_COLOR": "1"]
        ) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let waitingSQL = "select count(*) from pg_locks where locktype = 'advisory' and objid = 9090 and not granted"
        let deadline = Date().addingTimeInterval(60)
        var waiting = 0
        while Date() < deadline, process.isRunning {
            waiting = try holder.execute(waitingSQL, name: "waiting").scalar(as: Int.self) ?? 0
            if waiting >= 3 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(waiting == 3, "\(waiting) checks ran side by side, expected exactly 3")
        try holder.execute("select pg_advisory_unlock(9090)", name: "release")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

/// External programs the command tests drive.
enum Tools {
    struct Output {
        var status: Int32
        var stderr: String
    }

    /// Runs psql with `arguments` (stdout discarded, stderr kept).
    static func psql(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = arguments
        let errors = NSTemporaryDirectory() + "reckon-psql-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errors) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stderr: (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }
}
