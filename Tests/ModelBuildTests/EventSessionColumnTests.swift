import Foundation
import PostgresClient
import ReckonCore
import TestSupport
import Testing

@testable import ModelBuild

/// `sources.event_session_column`: the shipped `stg_events` SELECT takes `session_id` from the
/// JSON alone when it is not set (the SQL unchanged), and from the column, guarded by the JSON,
/// when it is.
@Suite struct EventSessionColumnTests {
    /// The shipped stg_events model rendered with `configuration`, its SELECT statement.
    func stagingSelect(_ configuration: Configuration) throws -> String {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("models/01_stg_events.sql").path
        let sql = try String(contentsOfFile: path, encoding: .utf8)
        let renderer = TemplateRenderer(configuration: configuration, buildSchema: "s", modelNames: ["stg_events"])
        let statements = StatementSplitter.split(try renderer.render(sql, file: path, model: "stg_events"))
        return try #require(statements.first { $0.text.contains("from \"raw\".\"amplitude_events\" a") }).text
    }

    @Test func withoutTheSettingTheSessionIsTheJSONStringAsBefore() throws {
        let select = try stagingSelect(Configuration())
        #expect(
            select.contains(
                """
                  select
                    a.event_properties->>'ff_session_id' as session_id,
                    a.uuid, a.event_type, a.event_time, a.device_id, a.platform, a.os_version,
                    a.country, a.city
                  from "raw"."amplitude_events" a
                  where jsonb_typeof(a.event_properties->'ff_session_id') = 'string'
                ) e
                """), "\(select)")
        #expect(!select.contains("ff_session_id\""))
    }

    @Test func withTheSettingTheSessionIsTheColumnKeptOnlyWhereItEqualsTheJSON() throws {
        var configuration = Configuration()
        configuration.eventSessionColumn = "session key"
        let select = try stagingSelect(configuration)
        #expect(select.contains("    a.\"session key\" as session_id,\n"), "\(select)")
        #expect(
            select.contains(
                """
                  where jsonb_typeof(a.event_properties->'ff_session_id') = 'string' and a."session key" = a.event_properties->>'ff_session_id'
                ) e
                """), "\(select)")
    }

    @Test func thePlaceholderTakesOnlyAnAlias() throws {
        let renderer = TemplateRenderer(configuration: Configuration(), buildSchema: "s", modelNames: ["m"])
        #expect {
            try renderer.render("select\n  {{ event_session_id('a.b') }}", file: "models/01_m.sql", model: "m")
        } throws: { error in
            let error = error as? InputFileError
            return error?.line == 2 && error?.column == 3 && error?.message.contains("takes the alias of amplitude_events") == true
        }
    }

    @Test func doctorTellsHowToLayTheEventsOutBySession() throws {
        func events(_ column: String, colocated: Bool) -> CitusSourceLayout.Source {
            CitusSourceLayout.Source(
                logicalName: "amplitude_events", realName: "raw.amplitude_events", layout: "distributed",
                distributionColumn: column, shardCount: 4, bytes: 1, colocatedWithSessions: colocated)
        }
        var configuration = Configuration()
        let byUUID = try #require(CitusSourceLayout.eventsLayoutWarning(events("uuid", colocated: false), configuration: configuration))
        #expect(byUUID.contains("is distributed by uuid: the stg_events insert moves every event to its session's worker (repartitioned)"))
        #expect(byUUID.contains("colocate_with => 'raw.funnelfox_sessions'") && byUUID.contains("sources.event_session_column"))
        let unnamed = try #require(
            CitusSourceLayout.eventsLayoutWarning(events("ff_session_id", colocated: true), configuration: configuration))
        #expect(unnamed.contains("set sources.event_session_column: ff_session_id"))

        configuration.eventSessionColumn = "ff_session_id"
        #expect(CitusSourceLayout.eventsLayoutWarning(events("ff_session_id", colocated: true), configuration: configuration) == nil)
        let apart = try #require(
            CitusSourceLayout.eventsLayoutWarning(events("ff_session_id", colocated: false), configuration: configuration))
        #expect(apart.contains("is distributed by ff_session_id (sources.event_session_column) but not co-located with funnelfox_sessions"))
        let other = try #require(CitusSourceLayout.eventsLayoutWarning(events("uuid", colocated: false), configuration: configuration))
        #expect(
            other.hasSuffix(
                "select alter_distributed_table('raw.amplitude_events', distribution_column => 'ff_session_id', colocate_with => 'raw.funnelfox_sessions')"
            ))
    }
}
