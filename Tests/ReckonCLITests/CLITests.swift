import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// End-to-end tests of the built `reckon` binary: output and exit codes.
@Suite struct CLITests {
    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The `reckon` executable next to the test bundle.
    static let executable: URL = {
        var url = Bundle.main.bundleURL
        if url.pathExtension != "xctest" { url = URL(fileURLWithPath: CommandLine.arguments[0]) }
        return url.deletingLastPathComponent().appendingPathComponent("reckon")
    }()

    func reckon(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? TestDatabase.repositoryRoot.path)
        let folder = NSTemporaryDirectory() + "reckon-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/out", contents: nil)
        FileManager.default.createFile(atPath: folder + "/err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? "")
    }

    @Test func unreachableDatabaseExitsThreeWithPasswordMasked() throws {
        let outcome = try reckon(
            ["doctor"], environment: ["DATABASE_URL": "postgresql://analyst:s3cr3t-pw@127.0.0.1:1/warehouse?connect_timeout=2"])
        #expect(outcome.status == 3)
        #expect(!outcome.standardError.contains("s3cr3t-pw"))
        #expect(!outcome.standardOutput.contains("s3cr3t-pw"))
        #expect(outcome.standardError.contains("cannot connect to PostgreSQL at host 127.0.0.1 port 1"))
        #expect(outcome.standardError.split(separator: "\n").count == 1)
    }

    /// A row of the README's exit-code table, run through the real executable.
    struct ExitCase: Sendable, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let mentions: String
        var description: String { arguments.joined(separator: " ") }
    }

    // Rows 1 (a check failed), 3 (database unreachable) and 130 (interrupted) are also run
    // end to end by runPublishesOnlyWhenErrorChecksPass, unreachableDatabaseExitsThree… and
    // killedBuildLeavesPublishedMartsUntouched.
    @Test(arguments: [
        ExitCase(arguments: ["--version"], status: 0, mentions: "0.1.0"),
        ExitCase(arguments: ["help", "run"], status: 0, mentions: "reckon run"),
        ExitCase(arguments: ["--bogus"], status: 2, mentions: "Unknown option '--bogus'"),
        ExitCase(arguments: ["build", "--jobs", "abc"], status: 2, mentions: "'abc' is invalid for '--jobs"),
        ExitCase(arguments: ["build", "--jobs", "0"], status: 2, mentions: "--jobs must be between 1 and 64, found 0"),
        ExitCase(arguments: ["generate", "--sessions", "-1"], status: 2, mentions: "--sessions"),
        ExitCase(arguments: ["generate", "--sessions=-1"], status: 2, mentions: "--sessions must be between 1 and"),
        ExitCase(arguments: ["check", "--select", "no_such_check"], status: 2, mentions: "--select no_such_check matches no check"),
        ExitCase(arguments: ["doctor"], status: 3, mentions: "cannot connect to PostgreSQL"),
    ])
    func exitCodesFollowTheREADME(_ row: ExitCase) throws {
        // An unreachable database: only a command that gets past its arguments reaches it (exit 3).
        let outcome = try reckon(row.arguments, environment: ["DATABASE_URL": "postgresql://x@127.0.0.1:1/x?connect_timeout=2"])
        #expect(outcome.status == row.status, "\(outcome.standardError)")
        #expect((outcome.standardOutput + outcome.standardError).contains(row.mentions), "\(outcome.standardError)")
    }

    @Test func statusOfAClusterThatDoesNotRunExitsThree() throws {
        let home = NSTemporaryDirectory() + "reckon-home-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let outcome = try reckon(["db", "status"], environment: ["RECKON_HOME": home])
        #expect(outcome.status == 3, "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("not initialized"))
    }

    @Test func circularRefsBetweenModelsExitTwo() throws {
        let folder = NSTemporaryDirectory() + "reckon-cycle-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "create table {{ this }} as\nselect * from {{ ref('b') }};\n".write(
            toFile: folder + "/models/01_a.sql", atomically: true, encoding: .utf8)
        try "create table {{ this }} as select * from {{ ref('a') }};\n".write(
            toFile: folder + "/models/02_b.sql", atomically: true, encoding: .utf8)
        let outcome = try reckon(
            ["build"], environment: ["DATABASE_URL": "postgresql://x@127.0.0.1:1/x", "RECKON_MODELS_DIR": folder + "/models"],
            directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("01_a.sql:2:1: models have circular refs: a → b → a"), "\(outcome.standardError)")
    }

    @Test func severalMistakesInTheChecksFilesAreListedBeforeAnyQuery() throws {
        let folder = NSTemporaryDirectory() + "reckon-mistakes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        checks:
          - {name: a, kind: unique, table: t, colums: [x]}
          - {name: b, kind: not_null, table: t, columns: [x], error_if: "< 0.85", warn_if: "< 0.6"}
        """.write(toFile: folder + "/checks/a.yml", atomically: true, encoding: .utf8)
        try "checks:\n  - name: c\n    kind: unique\n    table: t\n    columns: [x]\n    error_if: > 0\n".write(
            toFile: folder + "/checks/b.yml", atomically: true, encoding: .utf8)
        // The database is unreachable: exit 2, not 3, proves nothing ran.
        let outcome = try reckon(
            ["check"], environment: ["DATABASE_URL": "postgresql://x@127.0.0.1:1/x", "RECKON_CHECKS_DIR": folder + "/checks"],
            directory: folder)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("3 mistakes in the checks files"))
        #expect(outcome.standardError.contains("checks/a.yml:2:39: unknown key 'colums'"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("checks/a.yml:3:"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("can never fire"))
        #expect(outcome.standardError.contains("checks/b.yml:6:15:"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("quote it"))
    }

    @Test func configTypoExitsTwoWithFileLineColumn() throws {
        let folder = NSTemporaryDirectory() + "reckon-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "target_schema: analytics\nfacebook:\n  source_alias: [fb]\n".write(
            toFile: folder + "/reckon.yml", atomically: true, encoding: .utf8)
        let outcome = try reckon(["build"], directory: folder)
        #expect(outcome.status == 2)
        #expect(
            outcome.standardError.contains(
                "reckon.yml:3:3: unknown key 'source_alias' in facebook; valid keys: source_aliases, ad_account_timezone"))
    }

    @Test func runPublishesOnlyWhenErrorChecksPass() throws {
        let url = try TestDatabase.create(prefix: "cli")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 1_500, seed: 5).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let folder = NSTemporaryDirectory() + "reckon-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = TestDatabase.repositoryRoot.path
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models", "RECKON_CHECKS_DIR": folder + "/checks"]
        for file in try FileManager.default.contentsOfDirectory(atPath: root + "/checks") {
            try FileManager.default.copyItem(atPath: root + "/checks/" + file, toPath: folder + "/checks/" + file)
        }

        let first = try reckon(["run", "--json", folder + "/first.json"], environment: environment, directory: folder)
        #expect(first.status == 0, "\(first.standardError)")
        let connection = try Connection.connect(url)
        let hash = "select md5(string_agg(t::text, '|' order by session_id)) from analytics.mart_marketing_attribution t"
        let before = try connection.execute(hash, name: "hash").rows[0][0]
        #expect(before != nil)

        // New data arrives, and a blocking check fails on it: nothing may be published.
        try connection.execute(
            "update raw.funnelfox_sessions set origin = 'changed' where id in (select id from raw.funnelfox_sessions limit 5)",
            name: "change")
        try """
        version: 1
        checks:
          - name: no_changed_origins
            kind: expression
            table: mart_marketing_attribution
            expression: origin_raw is distinct from 'changed'
            severity: error
        """.write(toFile: folder + "/checks/zz_gate.yml", atomically: true, encoding: .utf8)
        let second = try reckon(
            ["run", "--junit", folder + "/junit.xml", "--json", folder + "/second.json"], environment: environment, directory: folder)
        #expect(second.status == 1, "\(second.standardError)")
        #expect(second.standardOutput.contains("no_changed_origins") || second.standardError.contains("no_changed_origins"))
        #expect(try connection.execute(hash, name: "hash").rows[0][0] == before)
        let junit = try String(contentsOfFile: folder + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("no_changed_origins"))
        #expect(junit.contains("<failure"))
        let staging = try connection.execute("select count(*) from pg_namespace where nspname = 'analytics__staging'", name: "staging")
        // The rejected candidate stays for inspection: the failing-row SQL runs against it.
        #expect(staging.rows[0][0] == "1")
        #expect(second.standardError.contains("stays in analytics__staging"))
        let changed = try connection.execute(
            "select count(*) from analytics__staging.mart_marketing_attribution where origin_raw = 'changed'", name: "candidate")
        #expect(changed.rows[0][0] == "5")

        // A checks file with a typo: exit 2 with its location, before any build.
        try "version: 1\nchecks:\n  - name: x\n    kind: uniqe\n".write(
            toFile: folder + "/checks/zz_gate.yml", atomically: true, encoding: .utf8)
        let third = try reckon(["run"], environment: environment, directory: folder)
        #expect(third.status == 2)
        #expect(third.standardError.contains("zz_gate.yml:4:"))
        #expect(third.standardError.contains("unique"))
    }

    /// Each file `reckon compile` writes under checks/ runs as is and returns the figures
    /// `reckon check` reports: the same SQL the engine runs.
    @Test func compiledCheckFilesReturnTheFiguresCheckReports() throws {
        let url = try TestDatabase.create(prefix: "compile")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 2_000, seed: 11).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let folder = NSTemporaryDirectory() + "reckon-compile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = TestDatabase.repositoryRoot.path
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models", "RECKON_CHECKS_DIR": root + "/checks"]
        let build = try reckon(["build"], environment: environment)
        #expect(build.status == 0)
        #expect(build.standardError.contains("slowest steps: "), "\(build.standardError)")
        let check = try reckon(["check", "--json", folder + "/result.json"], environment: environment)
        #expect(check.status == 0, "\(check.standardOutput)")
        let compile = try reckon(["compile", "--output", folder + "/compiled"], environment: environment)
        #expect(compile.status == 0, "\(compile.standardError)")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/result.json")))
        let checks = (json as? [String: Any])?["checks"] as? [[String: Any]] ?? []
        var metrics: [String: [String: Double]] = [:]
        for check in checks {
            guard let name = check["name"] as? String else { continue }
            metrics[name] = (check["metrics"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        let directory = folder + "/compiled/checks"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        // The shipped checks audit two marts and several sources, each in one scan, plus user queries.
        #expect(files.filter { $0.contains("_scan_") }.count >= 3, "\(files)")
        #expect(files.contains { $0.contains("_query_") }, "\(files)")
        // The anomaly checks are computed in the mart's one scan, beside the other kinds.
        let martScan = try files.filter { $0.contains("_scan_") && $0.hasSuffix("mart_marketing_attribution.sql") }.map {
            try String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
        }
        #expect(martScan.count == 1, "\(files)")
        for name in ["facebook_match_rate_anomaly", "attributed_revenue_anomaly", "facebook_match_rate"] {
            #expect(martScan.first?.contains("--   \(name) ") == true, "\(name) not in the mart's scan")
        }
        let connection = try Connection.connect(url)
        var compared = 0
        for file in files {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            #expect(text.hasPrefix("-- Written by reckon compile"), "\(file)")
            let served = text.split(separator: "\n").filter { $0.hasPrefix("--   ") }.map { String($0.dropFirst(5).prefix { $0 != " " }) }
            #expect(!served.isEmpty && served.allSatisfy { metrics[$0] != nil }, "\(file): \(served)")
            let result = try connection.execute(text, name: file)
            func close(_ observed: Double, _ expected: Double, _ figure: String) -> Bool {
                abs(observed - expected) <= (figure.hasSuffix("age_hours") ? 0.5 : 0.005)
            }
            for (index, column) in result.columnNames.enumerated() {
                let pieces = column.split(separator: ":", maxSplits: 1).map(String.init)
                guard pieces.count == 2, let figures = metrics[pieces[0]] else { continue }
                let values = result.rows.compactMap { $0[index] }.compactMap(Double.init)
                if let expected = figures[pieces[1]] {
                    #expect(values.count == 1 && close(values[0], expected, pieces[1]), "\(file) \(column): \(values) vs \(expected)")
                    compared += 1
                } else if pieces[1].hasSuffix(".value"), let expected = figures[String(pieces[1].dropLast(6))] {
                    // A grouped reconciliation term: its groups add up to the check's total.
                    #expect(close(values.reduce(0, +), expected, column), "\(file) \(column): \(values.reduce(0, +)) vs \(expected)")
                    compared += 1
                }
            }
            if let total = result.columnIndex("__reckon_total"), let name = served.first {
                let returned = result.rows.first.flatMap { $0[total] }.flatMap(Double.init) ?? 0
                #expect(returned == metrics[name]?["failing_rows"], "\(file)")
                compared += 1
            }
        }
        #expect(compared >= 15, "compared only \(compared) figures")
    }

    /// On a terminal a long statement shows a live line on stderr, redrawn each second; without
    /// one (a pipe, a CI log) no escape codes are written.
    @Test func aLongStatementShowsALiveLineOnlyOnATerminal() throws {
        let url = try TestDatabase.create(prefix: "live")
        defer { TestDatabase.drop(url) }
        let folder = NSTemporaryDirectory() + "reckon-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/checks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        checks:
          - {name: slow, kind: sql, sql: "select 1 from pg_sleep(3.5) as s(x) where x::text = 'never'"}
        """.write(toFile: folder + "/checks/slow.yml", atomically: true, encoding: .utf8)
        let environment = ["DATABASE_URL": url, "RECKON_CHECKS_DIR": folder + "/checks"]

        let plain = try reckon(["check"], environment: environment, directory: folder)
        #expect(plain.status == 0, "\(plain.standardError)")
        #expect(!plain.standardError.contains("\u{1B}[K"))

        // `script` runs reckon on a pseudo-terminal and copies what it writes.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "'\(Self.executable.path)' check", "/dev/null"]
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("\r\u{1B}[K  running check slow for 1 s"), "\(text)")
        #expect(text.contains("\r\u{1B}[K  running check slow for 2 s"), "\(text)")
        // The summary starts on a cleared line, not after the live one.
        #expect(text.contains("\u{1B}[K1 check on analytics: 1 passed"), "\(text)")
    }

    @Test(arguments: [SIGKILL, SIGINT])
    func killedBuildLeavesPublishedMartsUntouched(signal: Int32) throws {
        let url = try TestDatabase.create(prefix: "kill")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 3_000, seed: 9).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let root = TestDatabase.repositoryRoot.path
        let environment = ["DATABASE_URL": url, "RECKON_MODELS_DIR": root + "/models"]
        #expect(try reckon(["build"], environment: environment).status == 0)
        let connection = try Connection.connect(url)
        let hash = "select md5(string_agg(t::text, '|' order by session_id)) from analytics.mart_marketing_attribution t"
        let before = try connection.execute(hash, name: "hash").rows[0][0]
        try connection.execute(
            "delete from raw.funnelfox_sessions where id in (select id from raw.funnelfox_sessions limit 100)", name: "change")

        // Start a build and stop it once it is building models in staging.
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["build"]
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var building = false
        while Date() < deadline, process.isRunning {
            let tables = try connection.execute(
                "select count(*) from pg_tables where schemaname = 'analytics__staging'", name: "staging tables")
            if (Int(tables.rows[0][0] ?? "0") ?? 0) >= 2 {
                building = true
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        try #require(building, "the build never reached staging, so the signal would not test anything")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        if signal == SIGINT {
            #expect(process.terminationStatus == 130)
        } else {
            #expect(process.terminationReason == .uncaughtSignal)
        }
        #expect(try connection.execute(hash, name: "hash").rows[0][0] == before)
        // The next build recovers: it waits for the orphaned statement, rebuilds and publishes.
        #expect(try reckon(["build"], environment: environment).status == 0)
        #expect(try connection.execute(hash, name: "hash").rows[0][0] != before)
    }
}
