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

/// The `{{ … }}` placeholders of SQL written in checks files.
///
/// `{{ ref('mart_x') }}` is a table of the checked schema, `{{ source('name') }}` the real
/// table of a logical source, `{{ schema }}` the checked schema itself. Names are quoted
/// with `SQL.identifier`, so a placeholder never injects SQL.
public enum SQLTemplate {
    /// Resolves the placeholders of `text`; an unknown placeholder throws a message.
    public static func render(_ text: String, context: CheckContext) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError(message: "unclosed '{{'")
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += try expand(expression, context: context)
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
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

    static func expand(_ expression: String, context: CheckContext) throws -> String {
        if expression == "schema" { return SQL.identifier(context.checkedSchema) }
        guard let argument = call(expression) else {
            throw TemplateError(
                message: "unknown placeholder '{{ \(expression) }}'; valid: schema, ref('table'), source('logical_name')")
        }
        switch argument.function {
        case "ref": return context.sql(.checked(argument.value))
        case "source":
            guard Configuration.logicalSources.contains(argument.value) else {
                throw TemplateError(
                    message:
                        "source('\(argument.value)') is not a logical source; valid: \(Configuration.logicalSources.joined(separator: ", "))"
                )
            }
            return context.sql(.source(argument.value))
        default:
            throw TemplateError(message: "unknown placeholder function '\(argument.function)'; valid: ref, source")
        }
    }

    /// Splits `fn('value')` into its function name and quoted argument.
    static func call(_ expression: String) -> (function: String, value: String)? {
        guard let open = expression.firstIndex(of: "("), expression.hasSuffix(")") else { return nil }
        let function = expression[..<open].trimmingCharacters(in: .whitespaces)
        let inner = expression[expression.index(after: open)..<expression.index(before: expression.endIndex)]
            .trimmingCharacters(in: .whitespaces)
        guard inner.count >= 2, let first = inner.first, first == "'" || first == "\"", inner.last == first else {
            return nil
        }
        return (function, String(inner.dropFirst().dropLast()))
    }
}

/// A placeholder that cannot be resolved.
struct TemplateError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
