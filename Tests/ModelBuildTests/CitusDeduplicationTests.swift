import Foundation
import PostgresClient
import ReckonCore
import TestSupport
import Testing

@testable import ModelBuild

/// The Citus de-duplication of the shipped `stg_events` (one delete run on each shard placement,
/// `run_command_on_placements`) keeps exactly the rows the PostgreSQL steps keep. Its command
/// is checked here on a plain table (the statement runs it on the table itself when the table
/// has no shards); `make test-citus` runs it on the shards of a cluster.
@Suite struct CitusDeduplicationTests {
    /// The shipped model's statements, rendered for schema `s`.
    func shippedStatements() throws -> [StatementSplitter.Statement] {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("models/01_stg_events.sql").path
        let sql = try String(contentsOfFile: path, encoding: .utf8)
        let renderer = TemplateRenderer(configuration: Configuration(), buildSchema: "s", modelNames: ["stg_events"])
        return StatementSplitter.split(try renderer.render(sql, file: path, model: "stg_events"))
    }

    @Test func theCitusDeleteKeepsTheRowsThePostgreSQLStepsKeep() throws {
        let statements = try shippedStatements()
        let citus = statements.filter { Materialization.runs($0.text, on: .citus) && !Materialization.runs($0.text, on: .postgres) }
        let postgres = statements.filter { Materialization.runs($0.text, on: .postgres) && !Materialization.runs($0.text, on: .citus) }
        #expect(citus.count == 1, "\(citus.map(\.text))")
        let dedup = try #require(citus.first).text
        #expect(dedup.contains("target regclass := '\"s\".\"stg_events\"'"), "\(dedup)")
        #expect(dedup.contains("from run_command_on_placements(target, format("), "\(dedup)")
        #expect(!postgres.isEmpty)

        let url = try TestDatabase.create(prefix: "citus_dedup")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        // 3,000 sessions of 12 events, a uuid per event number, so that a uuid repeats across
        // sessions (not a duplicate). Event 7 of each session and its NULL-uuid event 10 get a
        // copy that differs in a column of the de-duplication order (or in none), events 7 and
        // 11 a further copy (another country, no city); NULLs sit in the ranked columns. The
        // NULL-uuid copies are kept, as every row without a uuid is.
        try connection.executeScript(
            """
            create schema s;
            create table s.original as
            select 's' || s as session_id,
                   case when e = 10 then null else 'u' || e end as uuid,
                   case when e % 5 = 0 then null else 'type' || (e % 4) end as event_type,
                   case when e % 17 = 0 then null else timestamptz '2026-01-01' + (s * 12 + e) * interval '1 minute' end as event_time,
                   'dev' || (s % 9) as device_id, case when e % 3 = 0 then 'ios' else 'web' end as platform,
                   '1.' || (e % 2) as os_version, 'DE' as country, case when e % 6 = 0 then null else 'Berlin' end as city
            from generate_series(1, 3000) s, generate_series(1, 12) e;
            insert into s.original
            select session_id, uuid,
                   case when length(uuid) % 2 = 0 then 'Type0' else event_type end,
                   case when length(session_id) % 3 = 0 then event_time - interval '1 second' else event_time end,
                   case when length(session_id) % 3 = 1 then 'Dev' else device_id end,
                   platform, os_version, country, city
            from s.original where substr(uuid, 2)::int % 7 = 0 or uuid is null;
            insert into s.original
            select session_id, uuid, event_type, event_time, device_id, platform, os_version, 'AT', null
            from s.original where substr(uuid, 2)::int in (7, 11);
            create table s.stg_events as select * from s.original;
            """, name: "events with duplicates")
        for statement in postgres { try connection.execute(statement.text, name: "postgres de-duplication") }
        try connection.executeScript(
            "create table s.expected as select * from s.stg_events; truncate s.stg_events; insert into s.stg_events select * from s.original",
            name: "expected rows")
        try connection.execute(dedup, name: "citus de-duplication")

        let counts = try connection.execute(
            """
            select (select count(*) from s.original), (select count(*) from s.expected), (select count(*) from s.stg_events),
                   (select count(*) from (select * from s.expected except all select * from s.stg_events) x),
                   (select count(*) from (select * from s.stg_events except all select * from s.expected) x)
            """, name: "compare"
        ).rows.first?.map { $0.flatMap { Int($0) } ?? -1 }
        let original = counts?[0] ?? 0
        let expected = counts?[1] ?? 0
        #expect(expected < original, "the data has duplicates to remove")
        #expect(counts?[2] == expected, "\(String(describing: counts))")
        #expect(counts?[3] == 0 && counts?[4] == 0, "\(String(describing: counts))")
    }
}
