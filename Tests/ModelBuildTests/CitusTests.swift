import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import TestSupport
import Testing

/// What a build does differently on Citus, checked without a Citus cluster (the
/// `make test-citus` tier runs it on one): the statements, the settings forwarded to the
/// workers, the plan methods read from EXPLAIN, the engine setting and its detection.
@Suite struct CitusTests {
    static let sessions = "\"raw\".\"funnelfox_sessions\""

    @Test func aPerSessionModelIsCreatedEmptyDistributedCoLocatedThenFilledByOneInsert() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            -- reckon.primary_key: session_id
            -- reckon.not_null: n
            set enable_hashagg = off;
            select e.session_id, 1 as n from e where {{ shard('e.session_id') }};
            delete from {{ this }} t where t.n = 2 and {{ shard('t.session_id') }};
            """, name: "int_x")
        let steps = try Materialization.statements(for: model, engine: .citus, scope: .full, parts: 4, sessionsSource: Self.sessions)
        let texts = steps.map(\.text)
        #expect(texts.count == 8, "\(texts)")
        #expect(texts[0].hasSuffix("set enable_hashagg = off"))
        // An intermediate model's table (and so every shard of it) is not autovacuumed.
        #expect(
            texts[1]
                == "create unlogged table \"s\".\"int_x\" with (autovacuum_enabled = off) as\nselect e.session_id, 1 as n from e where true\nwith no data"
        )
        #expect(texts[2].hasPrefix("-- reckon.layout: distributed by session_id"))
        #expect(texts[2].contains("select create_distributed_table('\"s\".\"int_x\"', 'session_id', colocate_with =>"))
        #expect(texts[2].contains("to_regclass('\"raw\".\"funnelfox_sessions\"')") && texts[2].contains("else 'default' end)"))
        // The key's and the `not null` columns are set not null on the empty table: the insert
        // checks each row, and no statement reads the filled shards again to verify them.
        #expect(
            texts[3] == "alter table \"s\".\"int_x\"\n  alter column \"session_id\" set not null,\n  alter column \"n\" set not null")
        #expect(texts[4] == "insert into \"s\".\"int_x\"\nselect e.session_id, 1 as n from e where true")
        #expect(texts[5] == "delete from \"s\".\"int_x\" t where t.n = 2 and true")
        // Citus takes a constraint only as an `alter table`'s single subcommand.
        #expect(texts[6] == "alter table \"s\".\"int_x\" add primary key (\"session_id\")")
        #expect(texts[7] == "analyze \"s\".\"int_x\"")
        #expect(steps.allSatisfy { !$0.runsInParts && !ShardMarker.isSharded($0.text) })
    }

    /// The key's and the `not null` columns are set on the empty table, so the insert itself
    /// refuses a NULL there, naming the column, and the filled table ends with the columns
    /// not null and its key. (The Citus steps, without their layout statement, on plain
    /// PostgreSQL; `make test-citus` runs them on a cluster.)
    @Test func theNotNullColumnsSetBeforeTheInsertStillRefuseANullNamingTheColumn() throws {
        let url = try TestDatabase.create(prefix: "citus_not_null")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        try connection.executeScript("create schema s", name: "schema")
        func steps(_ select: String) throws -> [Materialization.Step] {
            let model = try rendered(
                "-- reckon.grain: session_id\n-- reckon.primary_key: session_id\n-- reckon.not_null: n\n\(select)\n",
                name: "int_x")
            return try Materialization.statements(for: model, engine: .citus, scope: .full, sessionsSource: Self.sessions)
                .filter { !$0.text.hasPrefix(CitusBuild.layoutMarker) }
        }
        let bad = try steps("select 's' || g as session_id, nullif(g, 3) as n from generate_series(1, 5) g")
        #expect {
            for step in bad { try connection.execute(step.text, name: "int_x") }
        } throws: { error in
            "\(error)".contains("null value in column \"n\"")
        }
        try connection.execute("drop table s.int_x", name: "drop")
        for step in try steps("select 's' || g as session_id, g as n from generate_series(1, 5) g") {
            try connection.execute(step.text, name: "int_x")
        }
        let shape = try connection.execute(
            """
            select (select string_agg(attname, ',' order by attname) from pg_attribute
                    where attrelid = 's.int_x'::regclass and attnum > 0 and attnotnull),
                   (select count(*) from pg_constraint where conrelid = 's.int_x'::regclass and contype = 'p'),
                   (select count(*) from s.int_x)
            """, name: "shape"
        ).rows.first
        #expect(shape?[0] == "n,session_id" && shape?[1] == "1" && shape?[2] == "5", "\(String(describing: shape))")
    }

    @Test(arguments: [(100, 4, 25), (100, 2, 50), (100, 1, 100), (100, 32, 25), (1000, 32, 32), (10, 4, 10)])
    func aDistributedModelIsAnalyzedWithTheTargetSharedByItsShards(target: Int, shards: Int, expected: Int) {
        #expect(CitusBuild.shardStatisticsTarget(target: target, shards: shards) == expected)
    }

    @Test func aReferenceModelBecomesAReferenceTableAndALocalModelStaysAsItIs() throws {
        let reference = try rendered(
            "-- reckon.grain: subscription_id\n-- reckon.distribution: reference\nselect 'a' as subscription_id", name: "int_r")
        let referenceSteps = try Materialization.statements(for: reference, engine: .citus, scope: .full, sessionsSource: Self.sessions)
        #expect(
            referenceSteps.map(\.text) == [
                "create unlogged table \"s\".\"int_r\" with (autovacuum_enabled = off) as\nselect 'a' as subscription_id\nwith no data",
                "-- reckon.layout: reference table\nselect create_reference_table('\"s\".\"int_r\"')",
                "insert into \"s\".\"int_r\"\nselect 'a' as subscription_id", "analyze \"s\".\"int_r\"",
            ])
        // A published model keeps autovacuum: it outlives the build.
        let local = try rendered("-- reckon.distribution: local\nselect 1 as x", name: "mart_l")
        let localSteps = try Materialization.statements(for: local, engine: .citus, scope: .full, sessionsSource: Self.sessions)
        #expect(
            localSteps.map(\.text) == [
                "create table \"s\".\"mart_l\" as\nselect 1 as x\nwith no data", "insert into \"s\".\"mart_l\"\nselect 1 as x",
                "analyze \"s\".\"mart_l\"",
            ])
        #expect(CitusLayout(model: local.model) == .local)
        #expect(CitusLayout(model: reference.model) == .reference)
    }

    @Test func aScriptModelIsLaidOutAfterItsCreateTable() throws {
        let model = try rendered(
            "-- reckon.grain: session_id\ncreate table {{ this }} (session_id text);\ninsert into {{ this }} select 'a';\n", name: "int_s")
        let steps = try Materialization.statements(for: model, engine: .citus, scope: .full, sessionsSource: Self.sessions)
        #expect(steps.count == 3)
        #expect(steps[1].text.hasPrefix("-- reckon.layout: distributed by session_id"))
        #expect(steps[2].text == "insert into \"s\".\"int_s\" select 'a'")
    }

    @Test func everyShippedModelCompilesForCitusWithoutShardPartsOrTrailingOrderBy() throws {
        let configuration = Configuration()
        let project = try ModelProject.load(directory: TestDatabase.repositoryRoot.appendingPathComponent("models").path)
        let plan = ModelPlan(configuration: configuration, project: project, targetSchema: "analytics", engine: .citus, parts: 4)
        let (_, models) = try plan.render()
        let layouts = Dictionary(uniqueKeysWithValues: project.models.map { ($0.name, CitusLayout(model: $0)) })
        for name in [
            "stg_events", "int_event_aggregates", "int_session_params", "int_facebook_match", "int_session_revenue",
            "mart_marketing_attribution",
        ] {
            #expect(layouts[name] == .distributed(column: "session_id"), "\(name)")
        }
        #expect(layouts["int_subscription_sessions"] == .reference)
        #expect(layouts["mart_campaign_daily"] == .local)
        for (model, steps) in models {
            #expect(steps.allSatisfy { !$0.runsInParts && !ShardMarker.isSharded($0.text) }, "\(model.name)")
            let layoutSteps = steps.filter { $0.text.hasPrefix(CitusBuild.layoutMarker) }
            #expect(layoutSteps.count == (layouts[model.name] == .local ? 0 : 1), "\(model.name)")
            for insert in steps where insert.text.hasPrefix("insert into") {
                let tail = insert.text.lowercased().suffix(400)
                let lastOrderBy = tail.range(of: "order by", options: .backwards)
                let lastParenthesis = tail.range(of: ")", options: .backwards)
                // An `order by` after the last closing parenthesis would sort the whole insert.
                #expect(
                    lastOrderBy == nil || (lastParenthesis.map { $0.lowerBound > lastOrderBy!.lowerBound } ?? false),
                    "\(model.name) ends its insert with an order by")
            }
        }
    }

    @Test func settingsReachTheWorkersAsSetLocal() {
        let build = [
            "set work_mem = '256MB'", "set jit = off", "set synchronous_commit = off", "set citus.propagate_set_commands = 'local'",
        ]
        let model = ["set enable_hashagg = off", "reset enable_hashagg", "set enable_memoize = off", "set  work_mem = '1GB'"]
        #expect(
            CitusBuild.localSettings(build: build, model: model) == [
                "set local jit = off", "set local synchronous_commit = off", "set local enable_memoize = off",
                "set local work_mem = '1GB'",
            ])
        #expect(CitusBuild.runsWithLocalSettings(verb: "insert") && CitusBuild.runsWithLocalSettings(verb: "delete"))
        #expect(!CitusBuild.runsWithLocalSettings(verb: "create table") && !CitusBuild.runsWithLocalSettings(verb: "analyze"))
    }

    @Test(arguments: [
        (["Custom Scan (Citus INSERT ... SELECT)", "  INSERT/SELECT method: pull to coordinator"], "pulled to coordinator"),
        (["Custom Scan (Citus INSERT ... SELECT)", "  INSERT/SELECT method: repartition"], "repartitioned"),
        (["Custom Scan (Citus Adaptive)", "  Task Count: 32"], "pushed down"),
        (
            ["Custom Scan (Citus Adaptive)", "  ->  Distributed Subplan 1_1", "  ->  Distributed Subplan 1_2"],
            "pushed down after 2 subplan(s) through the coordinator"
        ),
        (["Insert on t", "  ->  Seq Scan on u"], "local"),
    ])
    func thePlanMethodIsReadFromExplain(lines: [String], method: String) {
        #expect(CitusBuild.planMethod(explained: lines) == method)
    }

    @Test func onPlainPostgreSQLTheEngineIsPostgresAndForcingCitusIsAClearError() throws {
        let url = try TestDatabase.create(prefix: "engine")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        #expect(try DatabaseEngine.detect(connection: connection, configured: nil) == .postgres)
        #expect(try DatabaseEngine.detect(connection: connection, configured: .postgres) == .postgres)
        #expect {
            _ = try DatabaseEngine.detect(connection: connection, configured: .citus)
        } throws: { error in
            "\(error)".contains("engine: citus is configured, but the citus extension is not installed in this database")
        }
    }

    @Test func theEngineSettingIsReadFromReckonYmlAndTheEnvironment() throws {
        let path = NSTemporaryDirectory() + "reckon-engine-\(UUID().uuidString).yml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "target_schema: a\nengine: citus\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Configuration.load(path: path, environment: [:]).engine == .citus)
        #expect(try Configuration.load(path: path, environment: ["RECKON_ENGINE": "auto"]).engine == nil)
        #expect(try Configuration.load(path: path, environment: ["RECKON_ENGINE": "postgres"]).engine == .postgres)
        try "target_schema: a\nengine: oracle\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Configuration.load(path: path, environment: [:])
        } throws: { error in
            guard let error = error as? InputFileError else { return false }
            return error.line == 2 && error.message == "engine is one of auto, postgres, citus, not 'oracle'"
        }
    }
}
