import ModelBuild
import ReckonCore
import Testing

@Suite struct StatementSplitterTests {
    @Test(arguments: [
        ("select 1; select 2;", ["select 1", "select 2"]),
        ("select ';' ; select 2", ["select ';'", "select 2"]),
        ("select 'it''s;'; select 2", ["select 'it''s;'", "select 2"]),
        ("select \"a;b\" from t; x", ["select \"a;b\" from t", "x"]),
        (
            "create function f() returns int as $$ select 1; $$ language sql; select 2",
            ["create function f() returns int as $$ select 1; $$ language sql", "select 2"]
        ),
        ("do $body$ begin perform 1; end $body$; select 2", ["do $body$ begin perform 1; end $body$", "select 2"]),
        (
            "-- a comment; with semicolon\nselect 1; /* c; /* nested; */ */ select 2",
            ["-- a comment; with semicolon\nselect 1", "/* c; /* nested; */ */ select 2"]
        ),
        ("select 1;\n-- trailing comment only\n", ["select 1"]),
        ("select $1::text; select 2", ["select $1::text", "select 2"]),
    ])
    func splits(script: String, expected: [String]) {
        #expect(StatementSplitter.split(script).map(\.text) == expected)
    }

    @Test func reportsStartingLines() {
        let statements = StatementSplitter.split("select 1;\n\n-- note\nselect\n 2;")
        #expect(statements.map(\.line) == [1, 4])
    }
}

@Suite struct TemplateRendererTests {
    let renderer = TemplateRenderer(configuration: Configuration(), buildSchema: "analytics__staging", modelNames: ["stg_events"])

    @Test func rendersEveryPlaceholder() throws {
        let sql = try renderer.render(
            "insert into {{ this }} select * from {{ ref('stg_events') }} join {{source('funnelfox_sessions')}} where {{ reckon }}.f(x) = any({{ var('paid_mediums') }}) and tz = {{ var('ad_account_timezone') }}",
            file: "m.sql", model: "mart_x")
        #expect(
            sql
                == "insert into \"analytics__staging\".\"mart_x\" select * from \"analytics__staging\".\"stg_events\" join \"raw\".\"funnelfox_sessions\" where \"reckon\".f(x) = any(ARRAY['cpc','paid','ppc']::text[]) and tz = 'UTC'"
        )
    }

    @Test func shardIsTrueInAPlainBuildAndSplitsIntoDisjointParts() throws {
        let sql = try renderer.render("select 1 where {{ shard('e.session_id') }}", file: "m.sql", model: "m")
        #expect(
            sql
                == "select 1 where (/*reckon_shards*/1 = 1 or (hashtext(e.session_id) < -2147483648 + (/*reckon_shard*/0 + 1) * 4294967296 / /*reckon_shards*/1 and hashtext(e.session_id)::bigint >= -2147483648 + /*reckon_shard*/0 * 4294967296 / /*reckon_shards*/1))"
        )
        #expect(ShardMarker.isSharded(sql))
        #expect(
            ShardMarker.statement(sql, shard: 2, of: 3)
                == "select 1 where (/*reckon_shards*/3 = 1 or (hashtext(e.session_id) < -2147483648 + (/*reckon_shard*/2 + 1) * 4294967296 / /*reckon_shards*/3 and hashtext(e.session_id)::bigint >= -2147483648 + /*reckon_shard*/2 * 4294967296 / /*reckon_shards*/3))"
        )
        #expect(throws: InputFileError.self) {
            try renderer.render("{{ shard('x); drop table y; --') }}", file: "m.sql", model: "m")
        }
    }

    @Test func leavesMacroTextAlone() throws {
        let sql = "select position('{{' in v) > 0 and v like '%}}%' from t where v <> '{{ ad.id }}' and w = '{{campaign.name}}'"
        #expect(try renderer.render(sql, file: "m.sql", model: "m") == sql)
    }

    @Test func quotesConfiguredValues() throws {
        var configuration = Configuration()
        configuration.adAccountTimeZone = "x'; drop table y; --"
        configuration.sourceTables["funnelfox_sessions"] = "we\"ird.sessions"
        let renderer = TemplateRenderer(configuration: configuration, buildSchema: "s", modelNames: [])
        #expect(try renderer.render("{{ var('ad_account_timezone') }}", file: "m.sql", model: "m") == "'x''; drop table y; --'")
        #expect(try renderer.render("{{ source('funnelfox_sessions') }}", file: "m.sql", model: "m") == "\"we\"\"ird\".\"sessions\"")
    }

    @Test(arguments: [
        ("select {{ ref('nope') }}", "ref('nope') names no model", 1, 8),
        ("select 1;\n  {{ source('sessions') }}", "not a logical source", 2, 3),
        ("{{ var('x') }}", "unknown variable 'x'", 1, 1),
        ("{{ unknown }}", "unknown placeholder", 1, 1),
    ])
    func errorsNameFileLineAndColumn(sql: String, message: String, line: Int, column: Int) {
        do {
            _ = try renderer.render(sql, file: "models/05_x.sql", model: "x")
            Issue.record("expected an error")
        } catch let error as InputFileError {
            #expect(error.message.contains(message))
            #expect(error.file == "models/05_x.sql")
            #expect(error.line == line)
            #expect(error.column == column)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
