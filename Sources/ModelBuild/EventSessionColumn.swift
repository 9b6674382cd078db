import Foundation
import PostgresClient
import ReckonCore

/// `sources.event_session_column`: the events' session id as a column the loader fills, so
/// that the events can be laid out by session (docs/citus.md).
///
/// `stg_events` keeps an event only when that column equals its JSON string
/// `event_properties->>'ff_session_id'`, so that the marts are the JSON's whatever the layout;
/// an event whose column disagrees is left out. `reckon doctor` counts those events.
public enum EventSessionColumn {
    /// How many events name a session in their JSON (`ff_session_id` a JSON string) but hold
    /// another value, or NULL, in the configured column: the events `stg_events` leaves out.
    /// Nil when the setting is not set. Reads the whole events source once.
    public static func disagreements(configuration: Configuration, connection: Connection) throws -> Int? {
        guard let column = configuration.eventSessionColumn else { return nil }
        let table = configuration.sourceTable("amplitude_events")
        let count = try connection.execute(
            """
            select count(*) from \(SQL.qualified(schema: table.schema, name: table.table)) a
            where jsonb_typeof(a.event_properties->'ff_session_id') = 'string'
              and a.\(SQL.identifier(column)) is distinct from a.event_properties->>'ff_session_id'
            """, name: "event session column"
        ).scalar(as: Int.self)
        return count ?? 0
    }

    /// What `reckon doctor` says about `disagreements` events of the configured column.
    public static func report(disagreements: Int, configuration: Configuration) -> String {
        let table = configuration.sourceTable("amplitude_events")
        let column = configuration.eventSessionColumn ?? "?"
        guard disagreements > 0 else {
            return "sources.event_session_column: \(column) equals event_properties->>'ff_session_id' in every event that names a session"
        }
        return "warning: \(disagreements) event\(disagreements == 1 ? "" : "s") of amplitude_events (\(table.schema).\(table.table)) "
            + "name\(disagreements == 1 ? "s" : "") a session in event_properties->>'ff_session_id' but hold another value in \(column) "
            + "(sources.event_session_column): stg_events leaves them out; fill \(column) with that session id"
    }
}
