import ModelBuild
import PostgresClient
import ReckonCore

/// `sql` as the model `name` (file `models/01_<name>.sql`), rendered for the build schema
/// `s`: what `Materialization` receives. Shared by the suites that check its statements.
func rendered(_ sql: String, name: String) throws -> RenderedModel {
    let model = try ModelProject.Model(name: name, path: "models/01_\(name).sql", sql: sql)
    let renderer = TemplateRenderer(configuration: Configuration(), buildSchema: "s", modelNames: [name])
    return RenderedModel(
        model: model, table: SQL.qualified(schema: "s", name: name),
        statements: StatementSplitter.split(try renderer.render(sql, file: model.path, model: name)))
}
