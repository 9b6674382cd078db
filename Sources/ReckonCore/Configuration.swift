import Foundation

/// reckon's settings: where the data is, where the marts go, and the business rules
/// docs/mart.md leaves to configuration. Read from `reckon.yml`, then overridden by
/// environment variables (see `applyEnvironment`).
public struct Configuration: Sendable, Equatable {
    /// The logical source names of the source contract (docs/sources.md).
    public static let logicalSources = [
        "facebook_campaigns", "facebook_adsets", "facebook_ads", "facebook_ad_statistics",
        "funnelfox_funnels", "funnelfox_sessions", "funnelfox_subscriptions", "amplitude_events",
        "stripe_subscriptions", "stripe_payments", "stripe_refunds", "stripe_balance_transactions",
    ]

    /// libpq connection string or URI; nil means `DATABASE_URL`, `PG*` or the embedded cluster.
    public var connection: String?
    /// Schema the published marts live in.
    public var targetSchema = "analytics"
    /// Schema of reckon's helper SQL functions.
    public var functionsSchema = "reckon"
    /// Schema of the run history `reckon check` and `reckon run` record (docs/history.md).
    public var auditSchema = "reckon_audit"
    /// Default schema of the raw tables.
    public var sourceSchema = "raw"
    /// Logical source name → real `schema.table`, for sources not in `sourceSchema`.
    public var sourceTables: [String: String] = [:]
    /// `sources.event_session_column`: a `text` column of `amplitude_events` that the loader
    /// fills with the event's `event_properties->>'ff_session_id'`, so that the events can be
    /// laid out by session (on Citus: distributed by it, co-located with the sessions). When
    /// set, `stg_events` takes `session_id` from it and keeps only the events whose column
    /// equals their JSON string `ff_session_id` (docs/citus.md). Nil (the default): the JSON
    /// alone. `RECKON_EVENT_SESSION_COLUMN` overrides it.
    public var eventSessionColumn: String?
    /// `utm_source` values (lower case) that mean Facebook traffic.
    public var facebookSourceAliases = ["facebook", "fb", "ig", "instagram", "meta", "an", "msg"]
    /// `utm_medium` values (lower case) that mean paid traffic.
    public var paidMediums = ["cpc", "paid", "ppc"]
    /// Time zone of the Facebook ad account; `mart_campaign_daily` days are its days.
    public var adAccountTimeZone = "UTC"
    /// Folder of model SQL files.
    public var modelsDirectory = "models"
    /// Folder of check YAML files.
    public var checksDirectory = "checks"
    /// `build.memory`: the memory budget of each build connection, applied as its
    /// `work_mem` (every sort and hash of a statement may use it; hashes twice that with
    /// PostgreSQL's default `hash_mem_multiplier`). `build.work_mem` is its older name.
    public var buildWorkMemory = "256MB"
    /// Failing rows kept per failed check.
    public var checkSampleRows = 10
    /// Time-out of one check query, in seconds.
    public var checkTimeoutSeconds = 300
    /// Connections used to run checks side by side.
    public var checkConcurrency = 2
    /// How long the publish transaction waits for readers' locks on the marts, in seconds.
    public var publishLockTimeoutSeconds = 30
    /// `incremental.lookback_days`: how far before the last build's watermarks an incremental
    /// build looks for new sessions, events and payments (rows arriving later need `--full`).
    public var incrementalLookbackDays = 3
    /// The valid range of `incremental.lookback_days`.
    public static let lookbackDaysRange = 0...365
    /// Default path of the JSON result, if any.
    public var jsonReportPath: String?
    /// Default path of the JUnit XML report, if any.
    public var junitReportPath: String?
    /// Default path of the HTML report, if any.
    public var htmlReportPath: String?
    /// The `email:` section: the daily audit's sender, recipients and SMTP server.
    public var email = EmailSettings()
    /// `diff.fail_if`: limits on how much `reckon diff` may see the marts move before it exits 1.
    public var diffLimits: [DiffLimit] = [
        DiffLimit(measure: .rowsChangedPercent, comparison: .greater, threshold: 1),
        DiffLimit(measure: .matchRatePoints, comparison: .greater, threshold: 2),
        DiffLimit(measure: .revenueChanged, comparison: .any),
    ]

    /// `engine:` — the database engine to build for (`postgres` or `citus`); nil (`auto`, the
    /// default) detects it from the `citus` extension in the target database. `RECKON_ENGINE`
    /// overrides it.
    public var engine: DatabaseEngine?

    /// The defaults, as documented in the shipped `reckon.yml`.
    public init() {}

    /// The real table of a logical source, as `(schema, table)`.
    public func sourceTable(_ logicalName: String) -> (schema: String, table: String) {
        if let mapped = sourceTables[logicalName] {
            let parts = mapped.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 { return (parts[0], parts[1]) }
            return (sourceSchema, mapped)
        }
        return (sourceSchema, logicalName)
    }

    /// Accepted `checks.sample_rows` (and a check's `sample_rows`): failing rows kept in memory.
    public static let sampleRowsRange = 0...10_000
    /// Accepted time-outs in seconds: PostgreSQL's `statement_timeout` and `lock_timeout` hold
    /// at most 2,147,483,647 ms.
    public static let timeoutSecondsRange = 1...2_147_483
    /// Accepted `checks.concurrency`: connections opened side by side.
    public static let concurrencyRange = 1...100

    /// Why `text` is not a `work_mem` PostgreSQL accepts (a whole number of kB, or with a unit
    /// kB, MB, GB or TB, from 64 kB to 2147483647 kB), or nil.
    public static func workMemoryProblem(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let factors: [String: Double] = ["": 1, "kB": 1, "MB": 1024, "GB": 1024 * 1024, "TB": 1024 * 1024 * 1024]
        guard !digits.isEmpty, let number = Double(digits), let factor = factors[unit] else {
            return "must be a size such as 256MB (a whole number with kB, MB, GB or TB), found '\(text)'"
        }
        let kilobytes = number * factor
        guard kilobytes >= 64, kilobytes <= 2_147_483_647 else {
            return "must be between 64kB and 2147483647kB, found '\(text)'"
        }
        return nil
    }

    /// Why `column` cannot be `sources.event_session_column` (it must name one column), or nil.
    public static func eventSessionColumnProblem(_ column: String) -> String? {
        guard column.isEmpty || column.contains(".") || column.contains("\"") || column.contains(where: \.isNewline) else {
            return nil
        }
        return "sources.event_session_column must name one column of amplitude_events (such as ff_session_id), found '\(column)'"
    }

    /// Loads `path` over the defaults; a missing file at the default path is not an error.
    public static func load(path: String?, environment: [String: String]) throws -> Configuration {
        var configuration = Configuration()
        let resolvedPath = path ?? environment["RECKON_CONFIG"] ?? "reckon.yml"
        if FileManager.default.fileExists(atPath: resolvedPath) {
            if let document = try YAMLValue.load(path: resolvedPath) {
                try configuration.read(document)
            }
        } else if path != nil {
            throw InputFileError(file: resolvedPath, line: 0, column: 0, message: "configuration file not found")
        }
        try configuration.applyEnvironment(environment)
        return configuration
    }

    mutating func read(_ document: YAMLValue) throws {
        let root = try document.object(
            "reckon.yml",
            allowed: [
                "connection", "target_schema", "functions_schema", "sources", "facebook", "paid_mediums",
                "models_dir", "checks_dir", "build", "checks", "publish", "reports",
                "email", "diff", "audit_schema", "engine", "incremental",
            ])
        connection = try root.string("connection")
        targetSchema = try root.string("target_schema") ?? targetSchema
        functionsSchema = try root.string("functions_schema") ?? functionsSchema
        auditSchema = try root.string("audit_schema") ?? auditSchema
        modelsDirectory = try root.string("models_dir") ?? modelsDirectory
        checksDirectory = try root.string("checks_dir") ?? checksDirectory
        paidMediums = try root.stringList("paid_mediums")?.map { $0.lowercased() } ?? paidMediums
        if let sources = root["sources"] {
            let object = try sources.object("sources", allowed: ["schema", "tables", "event_session_column"])
            sourceSchema = try object.string("schema") ?? sourceSchema
            if let value = object["event_session_column"] {
                let column = try value.string("sources.event_session_column")
                if let problem = Self.eventSessionColumnProblem(column) { throw value.error(problem) }
                eventSessionColumn = column
            }
            if let tables = object["tables"] {
                for entry in try tables.mapping("sources.tables") {
                    guard Self.logicalSources.contains(entry.key) else {
                        throw entry.keyValue.error(
                            "unknown source '\(entry.key)' in sources.tables; valid sources: \(Self.logicalSources.joined(separator: ", "))"
                        )
                    }
                    let real = try entry.value.string("sources.tables.\(entry.key)")
                    guard !real.isEmpty, real.split(separator: ".").count <= 2 else {
                        throw entry.value.error("sources.tables.\(entry.key) must be 'table' or 'schema.table', found '\(real)'")
                    }
                    sourceTables[entry.key] = real
                }
            }
        }
        if let facebook = root["facebook"] {
            let object = try facebook.object("facebook", allowed: ["source_aliases", "ad_account_timezone"])
            facebookSourceAliases = try object.stringList("source_aliases")?.map { $0.lowercased() } ?? facebookSourceAliases
            adAccountTimeZone = try object.string("ad_account_timezone") ?? adAccountTimeZone
        }
        if let build = root["build"] {
            let object = try build.object("build", allowed: ["memory", "work_mem"])
            for key in ["work_mem", "memory"] {
                guard let value = object[key] else { continue }
                buildWorkMemory = try value.string("'\(key)' of build")
                if let problem = Self.workMemoryProblem(buildWorkMemory) { throw value.error("'\(key)' of build \(problem)") }
            }
        }
        if let checks = root["checks"] {
            let object = try checks.object("checks", allowed: ["sample_rows", "timeout_seconds", "concurrency"])
            checkSampleRows = try object.integer("sample_rows", in: Self.sampleRowsRange) ?? checkSampleRows
            checkTimeoutSeconds = try object.integer("timeout_seconds", in: Self.timeoutSecondsRange) ?? checkTimeoutSeconds
            checkConcurrency = try object.integer("concurrency", in: Self.concurrencyRange) ?? checkConcurrency
        }
        if let publish = root["publish"] {
            let object = try publish.object("publish", allowed: ["lock_timeout"])
            publishLockTimeoutSeconds =
                try object.integer("lock_timeout", in: Self.timeoutSecondsRange) ?? publishLockTimeoutSeconds
        }
        if let reports = root["reports"] {
            let object = try reports.object("reports", allowed: ["json", "junit", "html"])
            jsonReportPath = try object.string("json")
            junitReportPath = try object.string("junit")
            htmlReportPath = try object.string("html")
        }
        if let email = root["email"] { self.email = try EmailSettings.read(email) }
        if let incremental = root["incremental"] {
            let object = try incremental.object("incremental", allowed: ["lookback_days"])
            incrementalLookbackDays =
                try object.integer("lookback_days", in: Self.lookbackDaysRange) ?? incrementalLookbackDays
        }
        if let diff = root["diff"] {
            try readDiff(diff)
        }
        if let value = root["engine"] {
            switch DatabaseEngine.parseSetting(try value.string("engine")) {
            case .success(let engine): self.engine = engine
            case .failure(let problem): throw value.error(problem.message)
            }
        }
    }

    /// Reads the `diff:` section: `fail_if` maps a measure to a condition, and replaces the defaults.
    mutating func readDiff(_ diff: YAMLValue) throws {
        let object = try diff.object("diff", allowed: ["fail_if"])
        guard let failIf = object["fail_if"] else { return }
        if failIf.isNull {
            diffLimits = []
            return
        }
        var limits: [DiffLimit] = []
        for entry in try failIf.mapping("diff.fail_if") {
            guard let measure = DiffLimit.Measure(rawValue: entry.key) else {
                throw entry.keyValue.error(
                    "unknown measure '\(entry.key)' in diff.fail_if; valid measures: \(DiffLimit.Measure.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let condition = try entry.value.string("diff.fail_if.\(entry.key)")
            guard let limit = DiffLimit.parse(measure: measure, condition: condition) else {
                throw entry.value.error(
                    "diff.fail_if.\(entry.key) must be any, \"> N\", \">= N\" or a number N ≥ 0, found '\(condition)'")
            }
            limits.append(limit)
        }
        diffLimits = limits
    }

    /// Environment overrides, applied after the file:
    /// `RECKON_DATABASE_URL` or `DATABASE_URL` (connection), `RECKON_TARGET_SCHEMA`,
    /// `RECKON_SOURCE_SCHEMA`, `RECKON_FUNCTIONS_SCHEMA`, `RECKON_AD_ACCOUNT_TIMEZONE`,
    /// `RECKON_FACEBOOK_SOURCE_ALIASES` and `RECKON_PAID_MEDIUMS` (comma-separated),
    /// `RECKON_MODELS_DIR`, `RECKON_CHECKS_DIR`, `RECKON_WORK_MEM`, `RECKON_AUDIT_SCHEMA`,
    /// `RECKON_EVENT_SESSION_COLUMN`.
    public mutating func applyEnvironment(_ environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        func list(_ name: String) -> [String]? {
            value(name)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        connection = value("RECKON_DATABASE_URL") ?? value("DATABASE_URL") ?? connection
        targetSchema = value("RECKON_TARGET_SCHEMA") ?? targetSchema
        sourceSchema = value("RECKON_SOURCE_SCHEMA") ?? sourceSchema
        functionsSchema = value("RECKON_FUNCTIONS_SCHEMA") ?? functionsSchema
        auditSchema = value("RECKON_AUDIT_SCHEMA") ?? auditSchema
        adAccountTimeZone = value("RECKON_AD_ACCOUNT_TIMEZONE") ?? adAccountTimeZone
        facebookSourceAliases = list("RECKON_FACEBOOK_SOURCE_ALIASES") ?? facebookSourceAliases
        paidMediums = list("RECKON_PAID_MEDIUMS") ?? paidMediums
        modelsDirectory = value("RECKON_MODELS_DIR") ?? modelsDirectory
        checksDirectory = value("RECKON_CHECKS_DIR") ?? checksDirectory
        for name in ["RECKON_WORK_MEM", "RECKON_BUILD_MEMORY"] {
            guard let workMemory = value(name) else { continue }
            if let problem = Self.workMemoryProblem(workMemory) {
                throw InputFileError(file: name, line: 0, column: 0, message: problem)
            }
            buildWorkMemory = workMemory
        }
        if let column = value("RECKON_EVENT_SESSION_COLUMN") {
            if let problem = Self.eventSessionColumnProblem(column) {
                throw InputFileError(file: "RECKON_EVENT_SESSION_COLUMN", line: 0, column: 0, message: problem)
            }
            eventSessionColumn = column
        }
        if let text = value("RECKON_ENGINE") {
            switch DatabaseEngine.parseSetting(text) {
            case .success(let engine): self.engine = engine
            case .failure(let problem): throw InputFileError(file: "RECKON_ENGINE", line: 0, column: 0, message: problem.message)
            }
        }
        try email.applyEnvironment(environment)
    }
}
