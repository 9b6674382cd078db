/// The DDL of one raw table split for a fast load: the `create table` without its primary
/// key, and the primary key as a separate statement to run after the rows are in (one
/// sorted index build instead of millions of index insertions).
struct RawTableStatements: Sendable {
    /// The quoted, schema-qualified table name.
    let qualifiedName: String
    /// `create table …` with the columns of `RawSchema.tables`, minus the primary key.
    let create: String
    /// `alter table … add primary key (…)`, or nil for a table without one.
    let primaryKey: String?

    /// Splits the DDL of `RawSchema.tables` for `schema` (already quoted).
    ///
    /// Understands a column constraint (`id text primary key`) and a table constraint
    /// (`primary key (a, b)`); throws on anything else rather than loading without a key.
    static func all(schema: String) throws -> Statements {
        var byName: [String: RawTableStatements] = [:]
        for (name, ddl) in RawSchema.tables {
            byName[name] = try RawTableStatements(
                qualifiedName: "\(schema).\(name)", ddl: ddl.replacingOccurrences(of: "%SCHEMA%", with: schema))
        }
        return Statements(byName: byName)
    }

    init(qualifiedName: String, ddl: String) throws {
        self.qualifiedName = qualifiedName
        var text = ddl
        var columns: String?
        if let constraint = text.range(of: "primary key (") {
            guard let close = text[constraint.upperBound...].firstIndex(of: ")"),
                let comma = text[..<constraint.lowerBound].lastIndex(of: ",")
            else {
                throw SampleDataError(description: "The DDL of \(qualifiedName) has a primary key the generator cannot read.")
            }
            columns = String(text[constraint.upperBound..<close])
            text.removeSubrange(comma...close)
        } else if let constraint = text.range(of: " primary key") {
            let before = text[..<constraint.lowerBound]
            let words = before.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "(" || $0 == "," })
            guard words.count >= 2 else {
                throw SampleDataError(description: "The DDL of \(qualifiedName) has a primary key the generator cannot read.")
            }
            columns = String(words[words.count - 2])
            text.removeSubrange(constraint)
        }
        create = text
        primaryKey = columns.map { "alter table \(qualifiedName) add primary key (\($0))" }
    }

    /// The statements of every raw table, by logical name.
    struct Statements: Sendable {
        let byName: [String: RawTableStatements]

        /// The statements of `table`; throws when `RawSchema` has no such table.
        func forTable(_ table: SampleTable) throws -> RawTableStatements {
            guard let statements = byName[table.name] else {
                throw SampleDataError(description: "RawSchema.tables has no DDL for \(table.name).")
            }
            return statements
        }
    }
}
