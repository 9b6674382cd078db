import Foundation
import PostgresClient
import ReckonCore

/// Where a check run looks: the schema of the marts and the configuration of the sources.
public struct CheckContext: Sendable {
    /// Sources, defaults for sample rows, time-out and concurrency.
    public var configuration: Configuration
    /// The schema whose tables `table: mart_x` and `ref('mart_x')` name.
    public var checkedSchema: String
    /// Whether checks on the same table share one scan (false: one query per check).
    public var fuse: Bool

    /// Creates a context.
    public init(configuration: Configuration, checkedSchema: String, fuse: Bool = true) {
        self.configuration = configuration
        self.checkedSchema = checkedSchema
        self.fuse = fuse
    }

    /// The quoted, qualified SQL name of a table reference.
    public func sql(_ table: TableReference) -> String {
        switch table {
        case .checked(let name): return SQL.qualified(schema: checkedSchema, name: name)
        case .source(let name):
            let real = configuration.sourceTable(name)
            return SQL.qualified(schema: real.schema, name: real.table)
        case .qualified(let schema, let table): return SQL.qualified(schema: schema, name: table)
        }
    }

    /// A readable `schema.table` for messages.
    public func label(_ table: TableReference) -> String {
        switch table {
        case .checked(let name): return "\(checkedSchema).\(name)"
        case .source(let name):
            let real = configuration.sourceTable(name)
            return "\(real.schema).\(real.table)"
        case .qualified(let schema, let table): return "\(schema).\(table)"
        }
    }
}

/// The `{{ … }}` placeholders of SQL written in checks files (syntax and the rule for a `{{`
/// that is not a placeholder: `Template`, shared with the models).
///
/// `{{ ref('mart_x') }}` is a table of the checked schema, `{{ source('name') }}` the real
/// table of a logical source, `{{ schema }}` the checked schema itself. Names are quoted
/// with `SQL.identifier`, so a placeholder never injects SQL.
public enum SQLTemplate {
    /// Resolves the placeholders of `text`; an unknown placeholder throws a message.
    public static func render(_ text: String, context: CheckContext) throws -> String {
        do {
            return try Template.render(text) { try expand($0, context: context) }
        } catch let problem as Template.Problem {
            throw TemplateError(message: problem.message)
        }
    }

    /// Checks the placeholders of `text` without a database; returns the problem, if any.
    public static func problem(in text: String) -> String? {
        let context = CheckContext(configuration: Configuration(), checkedSchema: "checked")
        do {
            _ = try render(text, context: context)
            return nil
        } catch let error as TemplateError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static func expand(_ placeholder: Template.Placeholder, context: CheckContext) throws -> String {
        if placeholder.expression == "schema" { return SQL.identifier(context.checkedSchema) }
        guard let value = placeholder.argument else {
            throw Template.Unresolvable(
                "unknown placeholder '{{ \(placeholder.expression) }}'; valid: schema, ref('table'), source('logical_name')")
        }
        switch placeholder.name {
        case "ref": return context.sql(.checked(value))
        case "source":
            guard Configuration.logicalSources.contains(value) else {
                throw Template.Unresolvable(
                    "source('\(value)') is not a logical source; valid: \(Configuration.logicalSources.joined(separator: ", "))")
            }
            return context.sql(.source(value))
        default:
            throw Template.Unresolvable("unknown placeholder function '\(placeholder.name)'; valid: ref, source")
        }
    }
}

/// A placeholder that cannot be resolved.
struct TemplateError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
