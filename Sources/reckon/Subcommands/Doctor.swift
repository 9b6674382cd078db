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
            and warns when the sessions source is not distributed by id or a large source is local.
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
                for statement in try IncrementalIndexAdvice.missing(configuration: configuration, connection: connection) {
                    print("recommended for --incremental (docs/incremental.md): \(statement);")
                }
                return 0
            }
            throw SourceContractError(problems: problems)
        }
    }
}
