import Foundation
import ReckonCore
import Testing

@Suite struct ConfigurationTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws -> Configuration {
        let path = NSTemporaryDirectory() + "reckon-config-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: environment)
    }

    func loadError(_ yaml: String) throws -> InputFileError {
        do {
            _ = try load(yaml)
        } catch let error as InputFileError {
            return error
        }
        throw InputFileError(file: "", line: 0, column: 0, message: "expected an error")
    }

    @Test func defaultsMatchMART() throws {
        let configuration = try load("target_schema: analytics\n")
        #expect(configuration.facebookSourceAliases == ["facebook", "fb", "ig", "instagram", "meta", "an", "msg"])
        #expect(configuration.paidMediums == ["cpc", "paid", "ppc"])
        #expect(configuration.adAccountTimeZone == "UTC")
        #expect(configuration.sourceTable("funnelfox_sessions") == ("raw", "funnelfox_sessions"))
    }

    @Test func readsEverySection() throws {
        let configuration = try load(
            """
            connection: "host=/tmp port=5432"
            target_schema: marts
            sources:
              schema: landing
              tables:
                amplitude_events: amplitude.events
                stripe_payments: charges
            facebook:
              source_aliases: [Facebook, fb]
              ad_account_timezone: America/New_York
            paid_mediums: [cpc]
            checks:
              sample_rows: 5
            reports:
              junit: out/junit.xml
            """)
        #expect(configuration.connection == "host=/tmp port=5432")
        #expect(configuration.targetSchema == "marts")
        #expect(configuration.sourceTable("amplitude_events") == ("amplitude", "events"))
        #expect(configuration.sourceTable("stripe_payments") == ("landing", "charges"))
        #expect(configuration.sourceTable("facebook_ads") == ("landing", "facebook_ads"))
        #expect(configuration.facebookSourceAliases == ["facebook", "fb"])
        #expect(configuration.adAccountTimeZone == "America/New_York")
        #expect(configuration.checkSampleRows == 5)
        #expect(configuration.junitReportPath == "out/junit.xml")
    }

    @Test func unknownKeyNamesLineColumnAndChoices() throws {
        let error = try loadError("target_schema: a\nfacebook:\n  ad_acount_timezone: UTC\n")
        #expect(error.line == 3)
        #expect(error.column == 3)
        #expect(error.message.contains("unknown key 'ad_acount_timezone'"))
        #expect(error.message.contains("ad_account_timezone"))
        #expect(error.description.contains(":3:3: "))
    }

    @Test func wrongTypeNamesTheKey() throws {
        let error = try loadError("checks:\n  sample_rows: ten\n")
        #expect(error.line == 2)
        #expect(error.message.contains("'sample_rows' of checks must be a whole number"))
    }

    @Test func unknownSourceListsValidSources() throws {
        let error = try loadError("sources:\n  tables:\n    amplitude: x.y\n")
        #expect(error.line == 3)
        #expect(error.message.contains("unknown source 'amplitude'"))
        #expect(error.message.contains("amplitude_events"))
    }

    @Test func readsTheEventSessionColumnFromTheFileAndTheEnvironment() throws {
        #expect(try load("target_schema: a\n").eventSessionColumn == nil)
        #expect(try load("sources:\n  event_session_column: ff_session_id\n").eventSessionColumn == "ff_session_id")
        let overridden = try load(
            "sources:\n  event_session_column: ff_session_id\n", environment: ["RECKON_EVENT_SESSION_COLUMN": "session_key"])
        #expect(overridden.eventSessionColumn == "session_key")
    }

    @Test(arguments: ["\"\"", "events.ff_session_id", "'a\"b'"])
    func anEventSessionColumnThatIsNotOneColumnNamesTheSetting(value: String) throws {
        let error = try loadError("sources:\n  schema: raw\n  event_session_column: \(value)\n")
        #expect(error.line == 3)
        #expect(error.message.contains("sources.event_session_column must name one column of amplitude_events"), "\(error)")
        #expect(throws: InputFileError.self) {
            try load("target_schema: a\n", environment: ["RECKON_EVENT_SESSION_COLUMN": "a.b"])
        }
    }

    @Test func malformedYAMLHasAPosition() throws {
        let error = try loadError("target_schema: [a\nfoo: b\n")
        #expect(error.line > 0)
        #expect(error.message.hasPrefix("invalid YAML"))
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try load(
            "target_schema: a\nconnection: host=x\n",
            environment: [
                "RECKON_TARGET_SCHEMA": "b", "DATABASE_URL": "postgresql://db/x", "RECKON_PAID_MEDIUMS": "CPC, paid",
            ])
        #expect(configuration.targetSchema == "b")
        #expect(configuration.connection == "postgresql://db/x")
        #expect(configuration.paidMediums == ["cpc", "paid"])
    }

    @Test func missingExplicitFileIsAnError() throws {
        #expect(throws: InputFileError.self) {
            try Configuration.load(path: "/nonexistent/reckon.yml", environment: [:])
        }
    }

    @Test func shippedConfigurationLoads() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let configuration = try Configuration.load(path: url.appendingPathComponent("reckon.yml").path, environment: [:])
        #expect(configuration == Configuration())
    }

    @Test func buildMemoryIsReadUnderBothNamesAndFromTheEnvironment() throws {
        #expect(Configuration().buildWorkMemory == "256MB")
        #expect(try load("build:\n  memory: 2GB\n").buildWorkMemory == "2GB")
        #expect(try load("build:\n  work_mem: 64MB\n").buildWorkMemory == "64MB")
        #expect(try load("build:\n  memory: 1GB\n", environment: ["RECKON_BUILD_MEMORY": "3GB"]).buildWorkMemory == "3GB")
    }

    @Test func publishLockTimeoutIsRead() throws {
        #expect(try load("publish:\n  lock_timeout: 5\n").publishLockTimeoutSeconds == 5)
        #expect(Configuration().publishLockTimeoutSeconds == 30)
    }

    @Test func incrementalLookbackDaysIsRead() throws {
        #expect(Configuration().incrementalLookbackDays == 3)
        #expect(try load("incremental:\n  lookback_days: 7\n").incrementalLookbackDays == 7)
        #expect(try loadError("incremental:\n  lookback_days: 400\n").message.contains("between 0 and 365"))
    }

    @Test(arguments: [
        ("checks:\n  sample_rows: -1\n", 2, 16, "between 0 and 10000"),
        ("checks:\n  sample_rows: 10001\n", 2, 16, "between 0 and 10000"),
        ("checks:\n  timeout_seconds: 0\n", 2, 20, "between 1 and 2147483"),
        ("checks:\n  timeout_seconds: 9999999999999999\n", 2, 20, "between 1 and 2147483"),
        ("checks:\n  concurrency: 0\n", 2, 16, "between 1 and 100"),
        ("publish:\n  lock_timeout: -1\n", 2, 17, "between 1 and 2147483"),
        ("build:\n  work_mem: 10TB\n", 2, 13, "between 64kB and 2147483647kB"),
        ("build:\n  work_mem: lots\n", 2, 13, "must be a size such as 256MB"),
        ("build:\n  memory: 10TB\n", 2, 11, "between 64kB and 2147483647kB"),
    ])
    func numbersOutOfRangeNameTheirPlace(yaml: String, line: Int, column: Int, range: String) throws {
        let error = try loadError(yaml)
        #expect(error.line == line)
        #expect(error.column == column)
        #expect(error.message.contains(range))
    }

    @Test(arguments: [
        "connection: \"postgresql://u:S3cret@h/db\n  x",
        "connection: *nope postgresql://u:S3cret@h/db\n",
        "sources: postgresql://u:S3cret@h/db\n",
        "checks:\n  concurrency: host=h password=S3cret\n",
    ])
    func errorsNeverQuoteAConnectionString(yaml: String) throws {
        let error = try loadError(yaml)
        #expect(error.line > 0)
        #expect(!error.description.contains("S3cret"))
    }
}
