import Foundation
import PostgresClient
import ReckonCore
import TestSupport
import Testing

@testable import ModelBuild

/// The Citus SELECT of the shipped `int_event_aggregates` (one read of the events; the
/// session's first event found in the same sort by a window and an array compared in byte
/// order) gives exactly the rows of the PostgreSQL SELECT (which joins the events again).
/// Both run here on a plain table; `make test-citus` runs the Citus one on the shards of a
/// cluster and compares the marts.
@Suite struct CitusEventAggregatesTests {
    @Test func theCitusSelectReadsTheEventsOnceAndGivesThePostgreSQLRows() throws {
        let project = try ModelProject.load(directory: TestDatabase.repositoryRoot.appendingPathComponent("models").path)
        func steps(_ engine: Materialization.Engine) throws -> [Materialization.Step] {
            let plan = ModelPlan(configuration: Configuration(), project: project, targetSchema: "analytics", engine: engine)
            let (_, models) = try plan.render()
            return try #require(models.first { $0.0.name == "int_event_aggregates" }).1
        }
        let postgres = try steps(.postgres)
        let citus = try steps(.citus).filter { !$0.text.hasPrefix(CitusBuild.layoutMarker) }
        let insert = try #require(citus.first { $0.text.hasPrefix("insert into") }).text
        #expect(insert.components(separatedBy: "\"analytics__staging\".\"stg_events\"").count == 2, "\(insert)")

        let url = try TestDatabase.create(prefix: "citus_aggregates")
        defer { TestDatabase.drop(url) }
        let connection = try Connection.connect(url)
        // 2,000 sessions of 12 events: sessions whose events all share one time (the first
        // event decided by uuid, whose case differs between byte order and a locale's), whose
        // times are all NULL, whose earliest time is 'infinity' beside NULL times, whose earliest
        // events have no uuid (decided by type, then device), NULL types and ranked columns,
        // exact copies, and sessions with no typed event at all.
        try connection.executeScript(
            """
            create schema analytics__staging;
            create table analytics__staging.stg_events as
            select 's' || s as session_id,
                   case when s % 13 = 0 and e <= 3 then null when e % 2 = 0 then 'U' || (s * 12 + e) else 'u' || (s * 12 + e) end as uuid,
                   case when s % 19 = 0 or e % 5 = 0 then null when e % 3 = 0 then 'Type' || (e % 4) else 'type' || (e % 4) end as event_type,
                   case when s % 7 = 0 then null
                        when s % 11 = 0 then case when e % 2 = 1 then timestamptz 'infinity' end
                        when s % 5 = 0 then timestamptz '2026-01-01'
                        when s % 13 = 0 then timestamptz '2026-01-01' + (e / 4) * interval '1 minute'
                        when e % 17 = 0 then null
                        else timestamptz '2026-01-01' + ((e * 7) % 12) * interval '1 minute' end as event_time,
                   case when e % 4 = 0 then null when e % 2 = 0 then 'Dev' || (s % 3) else 'dev' || (s % 3) end as device_id,
                   case when e % 3 = 0 then 'ios' else 'Web' end as platform,
                   case when e % 6 = 0 then null else '1.' || (e % 2) end as os_version,
                   case when e % 2 = 0 then 'de' else 'DE' end as country,
                   case when e % 6 = 0 then null else 'Berlin' || (e % 3) end as city
            from generate_series(1, 2000) s, generate_series(1, 12) e;
            insert into analytics__staging.stg_events
            select * from analytics__staging.stg_events where session_id like '%3' and (uuid like 'u1%' or uuid is null);
            analyze analytics__staging.stg_events;
            """, name: "events")
        for step in postgres { try connection.execute(step.text, name: "postgres int_event_aggregates") }
        try connection.execute(
            "alter table analytics__staging.int_event_aggregates rename to expected", name: "expected rows")
        for step in citus { try connection.execute(step.text, name: "citus int_event_aggregates") }

        let counts = try connection.execute(
            """
            select (select count(*) from analytics__staging.expected), (select count(*) from analytics__staging.int_event_aggregates),
                   (select count(*) from (select * from analytics__staging.expected
                                          except all select * from analytics__staging.int_event_aggregates) x),
                   (select count(*) from (select * from analytics__staging.int_event_aggregates
                                          except all select * from analytics__staging.expected) x),
                   (select count(*) from analytics__staging.expected where amplitude_device_id is null),
                   (select count(*) from analytics__staging.expected where first_event_at = 'infinity')
            """, name: "compare"
        ).rows.first?.map { $0.flatMap { Int($0) } ?? -1 }
        #expect(counts?[0] == 2000, "\(String(describing: counts))")
        #expect(counts?[1] == 2000, "\(String(describing: counts))")
        #expect(counts?[2] == 0 && counts?[3] == 0, "\(String(describing: counts))")
        // The data reaches the cases it is built for.
        #expect((counts?[4] ?? 0) > 0 && (counts?[5] ?? 0) > 0, "\(String(describing: counts))")
    }
}
