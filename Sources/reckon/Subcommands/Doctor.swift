import ArgumentParser
import ModelBuild
import PostgresClient
import ReckonCore

/// `reckon doctor`: are the configured sources there, with the contract's columns?
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that every configured source table exists with the contract columns.",
        discussion: "Prints one list of everything missing: logical name, real name, column.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let connection = try Connection.connect(try resolveConnectionString(configuration))
            print("database: \(connection.maskedConnectionString.isEmpty ? "(PG* environment)" : connection.maskedConnectionString)")
            let problems = try SourceContract.problems(configuration: configuration, connection: connection)
            if problems.isEmpty {
                print("all \(Configuration.logicalSources.count) sources match the contract")
                for statement in try IncrementalIndexAdvice.missing(configuration: configuration, connection: connection) {
                    print("recommended for --incremental (docs/incremental.md): \(statement);")
                }
                return 0
            }
            throw SourceContractError(problems: problems)
        }
    }
}
