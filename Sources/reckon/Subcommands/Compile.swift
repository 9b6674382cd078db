import ArgumentParser
import Checks
import Foundation
import ModelBuild
import PostgresClient
import ReckonCore

/// `reckon compile`: the model SQL with every placeholder rendered, for reading or psql.
struct Compile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the model SQL and the checks' SQL (placeholders resolved) into a folder, without running it.",
        discussion: """
            Writes 00_prepare.sql (staging schema), 00_functions.sql and one file per model \
            holding the statements `reckon build` runs to materialize it (create table … as \
            select, keys, indexes, analyze), each runnable with `psql -v ON_ERROR_STOP=1 -f`, \
            and under checks/ every statement \
            `reckon check` runs on the target schema: one file per fused table scan and per \
            user query, each headed by a comment listing the checks it serves (for reading and \
            EXPLAIN). Needs no database.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("target-schema"), help: "Schema to publish into (default: target_schema of reckon.yml).")
    var targetSchema: String?

    @Option(name: .customLong("output"), help: "Folder to write the rendered SQL to.")
    var output = "out/compiled"

    @Option(
        name: .customLong("jobs"),
        help: "The --jobs of the build to show: above 1, statements with shard() are materialized as parts.")
    var jobs = 2

    func validate() throws { try validateJobs(jobs) }

    func run() async throws {
        await runReporting {
            let configuration = try common.loadConfiguration()
            let project = try ModelProject.load(directory: configuration.modelsDirectory)
            let plan = ModelPlan(
                configuration: configuration, project: project, targetSchema: targetSchema ?? configuration.targetSchema,
                parts: jobs)
            let (functions, models) = try plan.render()
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            func write(_ name: String, _ text: String) throws {
                try text.write(toFile: (output as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            try write(
                "00_prepare.sql",
                """
                drop schema if exists \(SQL.identifier(plan.stagingSchema)) cascade;
                create schema \(SQL.identifier(plan.stagingSchema));
                create schema if not exists \(SQL.identifier(configuration.functionsSchema));\n
                """)
            if let functions { try write("00_functions.sql", functions + "\n") }
            for (index, (model, statements)) in models.enumerated() {
                try write(
                    String(format: "%02d_%@.sql", index + 1, model.name),
                    statements.map { step in
                        let parts =
                            step.runsInParts
                            ? "-- reckon build runs this as \(jobs) parts side by side, one hash bucket each; here it runs whole\n" : ""
                        return "-- \(model.path):\(step.line)\n\(parts)\(step.text);"
                    }.joined(separator: "\n\n") + "\n")
            }
            var checkFiles = 0
            if FileManager.default.fileExists(atPath: configuration.checksDirectory) {
                let definitions = try CheckCommandSupport.loadChecks(configuration: configuration, select: [])
                let context = CheckContext(configuration: configuration, checkedSchema: plan.targetSchema)
                let folder = (output as NSString).appendingPathComponent("checks")
                // Replace the folder's files: a file of a check removed since must not linger.
                try? FileManager.default.removeItem(atPath: folder)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for query in CheckEngine.compile(definitions, context: context) {
                    try write("checks/" + query.fileName, query.text)
                    checkFiles += 1
                }
            }
            print("wrote \(models.count + 2) model files and \(checkFiles) check files to \(output)")
            return 0
        }
    }
}
