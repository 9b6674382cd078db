import Foundation
import ModelBuild
import PostgresClient
import ReckonCore
import SampleData
import TestSupport
import Testing

/// Models are a header plus a SELECT; reckon decides how each becomes a table.
@Suite struct MaterializationTests {
    @Test func anIntermediateSelectBecomesAnUnloggedCreateTableAsThenKeysIndexesAndAnalyze() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            -- reckon.primary_key: session_id
            -- reckon.not_null: n
            -- reckon.indexes: n
            set enable_memoize = off;
            select id as session_id, 1 as n from t;
            delete from {{ this }} where n = 2;
            """, name: "int_x")
        let steps = try Materialization.statements(for: model, engine: .postgres, scope: .full)
        #expect(steps.count == 6)
        #expect(steps[0].text.hasSuffix("\nset enable_memoize = off"))
        #expect(
            steps.dropFirst().map(\.text) == [
                "create unlogged table \"s\".\"int_x\" with (autovacuum_enabled = off) as\nselect id as session_id, 1 as n from t",
                "delete from \"s\".\"int_x\" where n = 2",
                "alter table \"s\".\"int_x\"\n  add primary key (\"session_id\"),\n  alter column \"n\" set not null",
                "create index on \"s\".\"int_x\" (\"n\")",
                "analyze \"s\".\"int_x\"",
            ])
        #expect(steps.map(\.line) == [5, 6, 7, 6, 6, 6])
        #expect(steps.allSatisfy { !$0.runsInParts })
    }

    @Test func aFollowUpMarkedForOneEngineRunsOnThatEngineOnly() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            select id as session_id from t;
            -- reckon.engine: postgres
            delete from {{ this }} where session_id = 'p';
            -- on Citus only
            -- reckon.engine: citus
            delete from {{ this }} where session_id = 'c';
            analyze {{ this }};
            """, name: "int_x")
        let followUps = { (engine: Materialization.Engine) in
            try Materialization.statements(for: model, engine: engine, scope: .full).map(\.text)
                .filter { $0.contains("where session_id") || $0.hasPrefix("analyze") }
        }
        let onPostgres = try followUps(.postgres)
        #expect(onPostgres.map { $0.hasSuffix("where session_id = 'p'") } == [true, false, false], "\(onPostgres)")
        #expect(try followUps(.citus).contains { $0.hasSuffix("where session_id = 'c'") })
        #expect(try !followUps(.citus).contains { $0.hasSuffix("where session_id = 'p'") })
        #expect(throws: InputFileError.self) {
            _ = try ModelHeader.parse("-- reckon.engine: oracle\nselect 1", name: "int_x", path: "m.sql")
        }
    }

    @Test func aModelMayGiveEachEngineItsOwnHintAndSelect() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            -- reckon.engine: postgres
            set enable_hashagg = off;
            set enable_memoize = off;
            -- one node: grouped on the byte-order key
            -- reckon.engine: postgres
            select sid collate "default" as session_id from t group by sid;
            -- reckon.engine: citus
            select session_id from t group by session_id;
            analyze {{ this }};
            """, name: "int_x")
        let onPostgres = try Materialization.statements(for: model, engine: .postgres, scope: .full).map(\.text)
        #expect(onPostgres.count == 5, "\(onPostgres)")
        #expect(onPostgres[0].hasSuffix("set enable_hashagg = off") && onPostgres[1] == "set enable_memoize = off")
        #expect(
            onPostgres[2]
                == "create unlogged table \"s\".\"int_x\" \(noAutovacuum) as\nselect sid collate \"default\" as session_id from t group by sid"
        )
        #expect(onPostgres.filter { $0.contains("group by session_id") }.isEmpty)
        let onCitus = try Materialization.statements(for: model, engine: .citus, scope: .full).map(\.text)
        #expect(onCitus.first == "set enable_memoize = off", "\(onCitus)")
        #expect(onCitus.contains("insert into \"s\".\"int_x\"\nselect session_id from t group by session_id"))
        #expect(onCitus.filter { $0.contains("group by sid") || $0.contains("enable_hashagg") }.isEmpty)
        let delta = try Materialization.statements(for: model, engine: .postgres, scope: .sessions("\"d\".\"ids\""))
            .map(\.text)
        #expect(delta.contains { $0.hasSuffix("group by sid") } && !delta.contains { $0.contains("group by session_id") })
    }

    @Test func aPublishedModelIsALoggedTable() throws {
        let steps = try Materialization.statements(for: try rendered("select 1 as x", name: "mart_x"), engine: .postgres, scope: .full)
        #expect(steps.map(\.text) == ["create table \"s\".\"mart_x\" as\nselect 1 as x", "analyze \"s\".\"mart_x\""])
    }

    @Test func aShardedSelectRunsInPartsOnlyWhenTheBuildHasParts() throws {
        let model = try rendered(
            "with e as (select 'a' as session_id) select session_id from e where {{ shard('session_id') }}", name: "int_e")
        let whole = try Materialization.statements(for: model, engine: .postgres, scope: .full, parts: 1)
        #expect(whole.count == 2 && whole[0].text.hasPrefix("create unlogged table \"s\".\"int_e\" \(noAutovacuum) as\nwith e as"))
        #expect(!whole[0].runsInParts)
        let parts = try Materialization.statements(for: model, engine: .postgres, scope: .full, parts: 2)
        #expect(parts.count == 3)
        #expect(
            parts[0].text.hasPrefix("create unlogged table \"s\".\"int_e\" \(noAutovacuum) as\nwith e as")
                && parts[0].text.hasSuffix("\nwith no data"))
        #expect(!parts[0].runsInParts)
        #expect(parts[1].text.hasPrefix("insert into \"s\".\"int_e\"\nwith e as") && parts[1].runsInParts)
    }

    /// The delta of an incremental build is its (input-restricted) model materialized whole,
    /// in one part, without secondary indexes, and analyzed on its grain and key columns only.
    @Test func aSessionsScopeMaterializesTheRestrictedSelectAsAFullBuildDoes() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            -- reckon.primary_key: session_id, n
            -- reckon.indexes: n
            select 'a'::text as session_id, 1 as n, '{}'::jsonb as wide;
            -- an index the published table needs, written out
            create index on {{ this }} (wide);
            """, name: "int_x")
        let full = try Materialization.statements(for: model, engine: .postgres, scope: .full, parts: 2)
        let delta = try Materialization.statements(
            for: model, engine: .postgres, scope: .sessions("\"s\".\"affected\""), parts: 2)
        let isIndex = { (step: Materialization.Step) in step.text.contains("create index") }
        #expect(full.filter(isIndex).count == 2)
        #expect(full.last?.text == "analyze \"s\".\"int_x\"")
        #expect(delta.dropLast() == full.filter { !isIndex($0) }.dropLast())
        #expect(delta.last?.text == "analyze \"s\".\"int_x\" (\"session_id\", \"n\")")
        // Without grain or key, the whole table.
        let plain = try rendered("select 1 as x", name: "mart_y")
        let plainDelta = try Materialization.statements(for: plain, engine: .postgres, scope: .sessions("\"s\".\"a\""))
        #expect(plainDelta.last?.text == "analyze \"s\".\"mart_y\"")
    }

    /// `reckon.statistics` narrows the full build's `analyze` to the columns later models
    /// use; an incremental delta still samples its grain and keys.
    @Test func aModelWithStatisticsColumnsIsAnalyzedOnThoseAlone() throws {
        let model = try rendered(
            """
            -- reckon.grain: session_id
            -- reckon.primary_key: session_id
            -- reckon.statistics: session_id, n
            select 'a'::text as session_id, 1 as n, '{}'::jsonb as wide;
            """, name: "int_x")
        for engine in [Materialization.Engine.postgres, .citus] {
            let full = try Materialization.statements(for: model, engine: engine, scope: .full, parts: 2)
            #expect(full.filter { $0.text.hasPrefix("analyze") }.map(\.text) == ["analyze \"s\".\"int_x\" (\"session_id\", \"n\")"])
        }
        let delta = try Materialization.statements(for: model, engine: .postgres, scope: .sessions("\"s\".\"a\""))
        #expect(delta.last?.text == "analyze \"s\".\"int_x\" (\"session_id\")")
        #expect(throws: InputFileError.self) {
            _ = try ModelHeader.parse("-- reckon.statistics: Wide-Column\nselect 1", name: "int_x", path: "m.sql")
        }
    }

    @Test func aShardedSelectIsOneInsertInASessionsScope() throws {
        let model = try rendered(
            "select s.session_id, count(*) as n from t s where {{ shard('s.session_id') }} group by 1", name: "int_e")
        let delta = try Materialization.statements(
            for: model, engine: .postgres, scope: .sessions("\"s\".\"affected\""), parts: 2)
        #expect(delta.count == 3, "\(delta.map(\.text))")
        #expect(
            delta[0].text.hasPrefix("create unlogged table \"s\".\"int_e\" \(noAutovacuum) as\nselect")
                && delta[0].text.hasSuffix("\nwith no data"))
        #expect(delta[1].text.hasPrefix("insert into \"s\".\"int_e\"\nselect") && !delta[1].runsInParts)
        // An unsharded SELECT stays one `create table … as`, which may run in parallel.
        let plain = try Materialization.statements(
            for: try rendered("select 'a'::text as session_id", name: "int_p"), engine: .postgres, scope: .sessions("\"s\".\"a\""))
        #expect(plain.first?.text == "create unlogged table \"s\".\"int_p\" \(noAutovacuum) as\nselect 'a'::text as session_id")
    }

    @Test func aScriptModelRunsAsWritten() throws {
        let model = try rendered("create table {{ this }} (x int);\ninsert into {{ this }} select 1;\n", name: "mart_old")
        let steps = try Materialization.statements(for: model, engine: .postgres, scope: .full)
        #expect(steps.map(\.text) == ["create table \"s\".\"mart_old\" (x int)", "insert into \"s\".\"mart_old\" select 1"])
        #expect(model.query(on: .postgres) == nil && model.query(on: .citus) == nil)
    }

    @Test(arguments: [
        (Materialization.Engine.citus, Materialization.Scope.sessions("\"s\".\"changed\""), "an incremental build on citus")
    ])
    func enginesAndScopesNotYetWrittenSaySo(engine: Materialization.Engine, scope: Materialization.Scope, message: String) throws {
        let model = try rendered("select 1 as x", name: "int_x")
        #expect {
            _ = try Materialization.statements(for: model, engine: engine, scope: scope)
        } throws: { error in
            "\(error)" == "models/01_int_x.sql: reckon cannot yet materialize model int_x for \(message)"
        }
    }

    /// The published tables have exactly the columns, types and `not null`s docs/mart.md lists,
    /// in its order (the types come from the models' SELECTs).
    @Test func publishedMartsHaveTheColumnsAndTypesOfMartMD() throws {
        let url = try TestDatabase.create(prefix: "types")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 300, seed: 5).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let connection = try Connection.connect(url)
        let project = try ModelProject.load(directory: TestDatabase.repositoryRoot.appendingPathComponent("models").path)
        let builder = ModelBuilder(
            connection: connection, configuration: Configuration(), project: project, targetSchema: "analytics",
            connectionString: url, parallelism: 2)
        _ = try builder.build(progress: { _ in })
        try builder.publish()

        let document = try String(
            contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("docs/mart.md"), encoding: .utf8)
        // The two column tables: `| `name` | type[, not null] | …`, the attribution mart's first.
        var tables: [[String]] = []
        var inTable = false
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("| column | type |") {
                tables.append([])
                inTable = true
            } else if inTable, let match = line.wholeMatch(of: /\| `([a-z_]+)` \| ([a-z\[\]]+)(, not null)? \|.*/) {
                tables[tables.count - 1].append("\(match.1) \(match.2)\(match.3 == nil ? "" : " not null")")
            } else if !line.hasPrefix("|") {
                inTable = false
            }
        }
        #expect(tables.count == 2)
        for (table, documented) in zip(["mart_marketing_attribution", "mart_campaign_daily"], tables) {
            let actual = try connection.execute(
                """
                select a.attname || ' ' || replace(replace(replace(replace(format_type(a.atttypid, a.atttypmod),
                         'timestamp with time zone', 'timestamptz'), 'integer', 'int'), 'text[]', 'text[]'), 'character varying', 'text')
                       || case when a.attnotnull then ' not null' else '' end
                from pg_attribute a
                where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
                order by a.attnum
                """, name: "columns", ["analytics." + table]
            ).rows.map { $0[0] ?? "" }
            #expect(actual == documented, "\(table)")
            let persistence = try connection.execute(
                "select relpersistence from pg_class where oid = $1::regclass", name: "logged", ["analytics." + table])
            #expect(persistence.rows.first?[0] == "p", "\(table) is not a logged table")
        }
    }
}

/// The storage parameter of every intermediate table reckon creates (not autovacuumed).
private let noAutovacuum = "with (autovacuum_enabled = off)"
