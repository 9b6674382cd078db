import Foundation
import PostgresClient
import SampleData
import TestSupport
import Testing

/// `sources.event_session_column` end to end on one PostgreSQL: a missing or mistyped column
/// stops the build naming the setting; a column the loader filled right gives the same marts
/// as the JSON alone; `reckon doctor` counts the events whose column disagrees.
@Suite struct EventSessionColumnCLITests {
    let cli = CLITests()

    /// The column as docs/citus.md has the loader fill it: the JSON string, else the uuid.
    static let addColumn = """
        alter table raw.amplitude_events add column ff_session_id text;
        update raw.amplitude_events set ff_session_id = coalesce(
          case when jsonb_typeof(event_properties->'ff_session_id') = 'string' then event_properties->>'ff_session_id' end, uuid, '');
        """

    @Test func aMissingOrMistypedColumnStopsTheBuildNamingTheSetting() throws {
        let url = try TestDatabase.create(prefix: "evcol")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 100, seed: 3).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let environment = ["DATABASE_URL": url, "RECKON_EVENT_SESSION_COLUMN": "ff_session_id"]
        let missing = try cli.reckon(["build"], environment: environment)
        #expect(missing.status == 3)
        #expect(
            missing.standardError.contains(
                "source amplitude_events (raw.amplitude_events): missing column ff_session_id (named by sources.event_session_column)"),
            "\(missing.standardError)")
        try Connection.connect(url).execute(
            "alter table raw.amplitude_events add column ff_session_id varchar(64)", name: "mistyped column")
        let mistyped = try cli.reckon(["doctor"], environment: environment)
        #expect(mistyped.status == 3)
        #expect(
            (mistyped.standardOutput + mistyped.standardError).contains(
                "source amplitude_events (raw.amplitude_events): column ff_session_id (named by sources.event_session_column) "
                    + "is character varying(64); it must be text"), "\(mistyped.standardOutput)\(mistyped.standardError)")
        let connection = try Connection.connect(url)
        #expect(
            try connection.execute("select count(*) from pg_namespace where nspname like 'analytics%'", name: "n").scalar(as: Int.self) == 0
        )
    }

    @Test func aColumnFilledRightGivesTheSameMartsAndDoctorCountsTheEventsThatDisagree() throws {
        let url = try TestDatabase.create(prefix: "evcol")
        defer { TestDatabase.drop(url) }
        _ = try SampleDataGenerator(sessions: 1_500, seed: 16).generate(connect: { try Connection.connect(url) }, progress: { _ in })
        let connection = try Connection.connect(url)
        try connection.executeScript(Self.addColumn, name: "event session column")
        let plain = try cli.reckon(["build", "--target-schema", "by_json"], environment: ["DATABASE_URL": url])
        #expect(plain.status == 0, "\(plain.standardError)")
        let environment = ["DATABASE_URL": url, "RECKON_EVENT_SESSION_COLUMN": "ff_session_id"]
        let byColumn = try cli.reckon(["build", "--target-schema", "by_column"], environment: environment)
        #expect(byColumn.status == 0, "\(byColumn.standardError)")
        for (mart, order) in [("mart_marketing_attribution", "session_id"), ("mart_campaign_daily", "date, facebook_campaign_id")] {
            let hashes = try ["by_json", "by_column"].map { schema in
                try connection.execute(
                    "select count(*) || ' ' || md5(string_agg(t::text, '|' order by \(order))) from \(schema).\(mart) t", name: "hash"
                ).rows[0][0]
            }
            #expect(hashes[0] != nil && hashes[0] == hashes[1], "\(mart): \(hashes)")
        }

        let agreeing = try cli.reckon(["doctor"], environment: environment)
        #expect(agreeing.status == 0, "\(agreeing.standardError)")
        #expect(
            agreeing.standardOutput.contains(
                "sources.event_session_column: ff_session_id equals event_properties->>'ff_session_id' in every event that names a session"),
            "\(agreeing.standardOutput)")
        // Two events that name a session: one with another session in the column, one with NULL.
        try connection.executeScript(
            """
            update raw.amplitude_events set ff_session_id = null where ctid = (select ctid from raw.amplitude_events
              where jsonb_typeof(event_properties->'ff_session_id') = 'string' order by uuid limit 1);
            update raw.amplitude_events set ff_session_id = 'elsewhere' where ctid = (select ctid from raw.amplitude_events
              where jsonb_typeof(event_properties->'ff_session_id') = 'string' and ff_session_id is not null order by uuid limit 1);
            """, name: "disagreeing events")
        let disagreeing = try cli.reckon(["doctor"], environment: environment)
        #expect(disagreeing.status == 0, "\(disagreeing.standardError)")
        #expect(
            disagreeing.standardOutput.contains(
                "warning: 2 events of amplitude_events (raw.amplitude_events) name a session in event_properties->>'ff_session_id' "
                    + "but hold another value in ff_session_id (sources.event_session_column): stg_events leaves them out"),
            "\(disagreeing.standardOutput)")
    }
}
