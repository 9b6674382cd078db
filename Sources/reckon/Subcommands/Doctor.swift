import ArgumentParser
import ModelBuild
import PostgresClient
import ReckonCore

/// `reckon doctor`: are the configured sources there, with the contract's columns?
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that every configured source table exists with the contract columns.",
        discussion: """
            Prints one list of everything missing: logical name, real name, column. On Citus it \
            also lists each source's layout (distributed by which column, reference or local table) \
            and warns when the sessions source is not distributed by id, the events are not laid \
            out by session (sources.event_session_column) or a large source is local. With \
            sources.event_session_column set it counts the events whose column disagrees with \
            their JSON ff_session_id (the build leaves them out).
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let connection = try Connection.connect(try resolveConnectionString(configuration))
            print("database: \(connection.maskedConnectionString.isEmpty ? "(PG* environment)" : connection.maskedConnectionString)")
            let problems = try SourceContract.problems(configuration: configuration, connection: connection)
            if problems.isEmpty {
                print("all \(Configuration.logicalSources.count) sources match the contract")
                let engine = try DatabaseEngine.detect(connection: connection, configured: configuration.engine)
                print("engine: \(engine)")
                if engine == .citus {
                    let layout = try CitusSourceLayout.read(configuration: configuration, connection: connection)
                    print("source layout on Citus:")
                    for source in layout.sources { print("  \(source)") }
                    for warning in layout.warnings { print("warning: \(warning)") }
                }
                if let disagreements = try EventSessionColumn.disagreements(configuration: configuration, connection: connection) {
                    print(EventSessionColumn.report(disagreements: disagreements, configuration: configuration))
                }
                for statement in try IncrementalIndexAdvice.missing(configuration: configuration, connection: connection) {
                    print("recommended for --incremental (docs/incremental.md): \(statement);")
                }
                return 0
            }
            throw SourceContractError(problems: problems)
        }
    }
}
