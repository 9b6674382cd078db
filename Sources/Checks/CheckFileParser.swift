import Foundation
import PostgresClient
import ReckonCore
import Yams

/// Reads `checks/*.yml` into check definitions, with `file:line:column` errors that list
/// the valid choices (unknown key or kind, wrong type, duplicate name, bad placeholder).
public enum CheckFileParser {
    static let commonKeys = [
        "name", "kind", "severity", "description", "tags", "owner", "where", "table", "error_if", "warn_if",
        "sample_rows", "timeout_seconds", "sample_columns",
    ]

    /// The keys each kind accepts besides the common ones.
    static func keys(for kind: CheckKind) -> [String] {
        switch kind {
        case .unique, .notNull: return commonKeys + ["columns", "column"]
        case .acceptedValues: return commonKeys + ["column", "values"]
        case .expression: return commonKeys + ["expression"]
        case .relationship: return commonKeys + ["column", "to", "to_column", "to_where"]
        case .rowCountMatch: return commonKeys + ["to", "to_where", "key", "to_key"]
        case .matchRate:
            return commonKeys.filter { $0 != "error_if" && $0 != "warn_if" } + [
                "matched", "tier_column", "date_column", "window_days", "min_rows", "overall", "tiers", "per_day",
            ]
        case .reconciliation:
            return ["name", "kind", "severity", "description", "tags", "owner", "sample_rows", "timeout_seconds", "sample_columns"] + [
                "left", "right", "bridge", "group_by", "tolerance",
            ]
        case .sql: return commonKeys.filter { $0 != "table" && $0 != "where" } + ["sql"]
        case .freshness: return commonKeys + ["column"]
        case .anomaly:
            return commonKeys + ["metric", "date_column", "group_by", "baseline_days", "min_baseline_days", "window_days", "min_rows"]
        }
    }

    /// Loads every `*.yml`/`*.yaml` file of `directory`, in file-name order.
    public static func load(directory: String) throws -> [CheckDefinition] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw InputFileError(file: directory, line: 0, column: 0, message: "checks folder not found")
        }
        var definitions: [CheckDefinition] = []
        var errors: [InputFileError] = []
        for file in files.sorted() where file.hasSuffix(".yml") || file.hasSuffix(".yaml") {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                definitions += parse(text, file: path, existing: definitions, errors: &errors)
            } catch {
                errors.append(
                    InputFileError(file: path, line: 0, column: 0, message: "cannot read the file: \(error.localizedDescription)"))
            }
        }
        try InputFileErrors.throwIfAny(errors)
        return definitions
    }

    /// Parses one checks file's text; several mistakes throw `InputFileErrors`, one an `InputFileError`.
    public static func parse(_ text: String, file: String, existing: [CheckDefinition] = []) throws -> [CheckDefinition] {
        var errors: [InputFileError] = []
        let definitions = parse(text, file: file, existing: existing, errors: &errors)
        try InputFileErrors.throwIfAny(errors)
        return definitions
    }

    /// Parses one file, adding every mistake to `errors` (one per check at most) and
    /// returning the checks that parsed.
    static func parse(_ text: String, file: String, existing: [CheckDefinition], errors: inout [InputFileError])
        -> [CheckDefinition]
    {
        do {
            guard let document = try YAMLValue.parse(text, file: file) else { return [] }
            return try parse(document, existing: existing, errors: &errors)
        } catch let error as InputFileError {
            // An unquoted condition is usually what broke the YAML: say that instead.
            let unquoted = unquotedConditions(text, file: file)
            errors += unquoted.isEmpty ? [error] : unquoted
            return []
        } catch {
            errors.append(InputFileError(file: file, line: 0, column: 0, message: "\(error)"))
            return []
        }
    }

    /// `error_if: > 0` unquoted: YAML reads `>` as a folded block and `!` as a tag.
    static func unquotedConditions(_ text: String, file: String) -> [InputFileError] {
        var errors: [InputFileError] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for key in ["error_if:", "warn_if:"] {
                guard let range = line.range(of: key) else { continue }
                let before = line[..<range.lowerBound]
                guard before.allSatisfy({ " -{,".contains($0) }) || before.hasSuffix(" ") || before.hasSuffix("{") else { continue }
                let rest = line[range.upperBound...]
                guard let first = rest.firstIndex(where: { $0 != " " }), ">!".contains(rest[first]) else { continue }
                let condition = rest[first...].prefix { $0 != "," && $0 != "}" && $0 != "#" }
                    .trimmingCharacters(in: .whitespaces)
                let column = line.distance(from: line.startIndex, to: first) + 1
                errors.append(
                    InputFileError(
                        file: file, line: number + 1, column: column,
                        message:
                            "the condition of '\(key.dropLast())' must be quoted, or YAML reads '\(rest[first])' as markup: quote it: \(key) \"\(condition)\""
                    ))
            }
        }
        return errors
    }

    static func parse(_ document: YAMLValue, existing: [CheckDefinition], errors: inout [InputFileError]) throws
        -> [CheckDefinition]
    {
        let root = try document.object("a checks file", allowed: ["version", "defaults", "checks"])
        if let version = try root.integer("version"), version != 1 {
            throw try root.required("version").error("unsupported checks file version \(version); valid: 1")
        }
        var defaults = Defaults()
        if let node = root["defaults"] {
            let object = try node.object("defaults", allowed: ["table", "severity", "tags", "owner"])
            defaults.table = try object["table"].map { try tableReference($0, what: "'table' of defaults") }
            defaults.severity = try object["severity"].map { try severity($0) }
            defaults.tags = try object.stringList("tags") ?? []
            defaults.owner = try object.string("owner")
        }
        var definitions: [CheckDefinition] = []
        var seen: [String: (file: String, line: Int)] = [:]
        for definition in existing { seen[definition.name] = (definition.file, definition.line) }
        for node in try root.required("checks").sequence("'checks'") {
            do {
                let definition = try parseCheck(node, defaults: defaults)
                if let first = seen[definition.name] {
                    let nameNode = try LooseMapping(node, what: "a check").required("name")
                    throw nameNode.error(
                        "duplicate check name '\(definition.name)'; first defined at \(first.file):\(first.line)")
                }
                seen[definition.name] = (definition.file, definition.line)
                definitions.append(definition)
            } catch let error as InputFileError {
                // Go on with the next check: every mistake is reported at once.
                if !errors.contains(where: { $0.file == error.file && $0.line == error.line }) { errors.append(error) }
            }
        }
        return definitions
    }

    struct Defaults {
        var table: TableReference?
        var severity: Severity?
        var tags: [String] = []
        var owner: String?
    }

    static func parseCheck(_ node: YAMLValue, defaults: Defaults) throws -> CheckDefinition {
        let loose = try LooseMapping(node, what: "a check")
        let nameNode = try loose.required("name")
        let name = try nameNode.string("'name' of a check")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            throw nameNode.error("check name '\(name)' may only hold letters, digits, '_', '-' and '.'")
        }
        let what = "check '\(name)'"
        guard let kindNode = loose["kind"] else {
            throw node.error("\(what) needs 'kind'; valid kinds: \(CheckKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kindText = try kindNode.string("'kind' of \(what)")
        guard let kind = CheckKind(rawValue: kindText) else {
            throw kindNode.error(
                "unknown kind '\(kindText)' in \(what); valid kinds: \(CheckKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let object = try node.object(what, allowed: keys(for: kind))

        var definition = CheckDefinition(
            name: name, kind: kind, severity: try object["severity"].map { try severity($0) } ?? defaults.severity ?? .error,
            description: try object.string("description"),
            tags: defaults.tags + (try object.stringList("tags") ?? []), owner: try object.string("owner") ?? defaults.owner,
            file: node.file, line: node.line, specification: .sql(""))
        definition.filter = try sqlText(object, "where", what: what)
        definition.sampleRows = try integer(object, "sample_rows", in: sampleRowsRange, what: what)
        definition.sampleColumns = try object.stringList("sample_columns")
        definition.timeoutSeconds = try integer(object, "timeout_seconds", in: timeoutRange, what: what)
        let needsTable = ![.sql, .reconciliation].contains(kind)
        if needsTable {
            if let tableNode = object["table"] {
                definition.table = try tableReference(tableNode, what: "'table' of \(what)")
            } else if let table = defaults.table {
                definition.table = table
            } else {
                throw object.error("\(what) needs 'table' (a table of the checked schema, ref('x'), source('x') or schema.table)")
            }
        }
        // An anomaly's levels are mappings of conditions, read by `anomaly(_:what:)`.
        let errorIf = kind == .anomaly ? nil : try condition(object, "error_if", what: what)
        let warnIf = kind == .anomaly ? nil : try condition(object, "warn_if", what: what)
        let defaultCondition: Condition = kind == .rowCountMatch ? Condition(.notEqual, 0) : Condition(.greater, 0)
        definition.thresholds = try reachable(
            Thresholds(errorIf: errorIf ?? (warnIf == nil ? defaultCondition : nil), warnIf: warnIf), object, what: what)

        switch kind {
        case .unique, .notNull:
            let columns = try columnList(object, what: what)
            definition.specification = kind == .unique ? .unique(columns: columns) : .notNull(columns: columns)
        case .acceptedValues:
            let column = try object.required("column").string("'column' of \(what)")
            let valuesNode = try object.required("values")
            let values = try valuesNode.sequence("'values' of \(what)").map { try scalarText($0, what: "a value of \(what)") }
            guard !values.isEmpty else { throw valuesNode.error("'values' of \(what) must not be empty") }
            definition.specification = .acceptedValues(column: column, values: values)
        case .expression:
            guard let expression = try sqlText(object, "expression", what: what) else {
                throw object.error("\(what) needs 'expression' (a boolean SQL expression every row satisfies)")
            }
            definition.specification = .expression(expression)
        case .relationship:
            let column = try object.required("column").string("'column' of \(what)")
            let to = try tableReference(try object.required("to"), what: "'to' of \(what)")
            definition.specification = .relationship(
                column: column, to: to, toColumn: try object.string("to_column") ?? column,
                toFilter: try sqlText(object, "to_where", what: what))
        case .rowCountMatch:
            let to = try tableReference(try object.required("to"), what: "'to' of \(what)")
            let key = try object.stringList("key") ?? []
            let toKey = try object.stringList("to_key") ?? key
            if key.count != toKey.count {
                throw try object.required("to_key").error("'to_key' of \(what) must name as many columns as 'key'")
            }
            definition.specification = .rowCountMatch(
                to: to, toFilter: try sqlText(object, "to_where", what: what), key: key, toKey: toKey)
        case .matchRate:
            definition.specification = try matchRate(object, what: what)
        case .reconciliation:
            definition.specification = try reconciliation(object, what: what)
        case .sql:
            guard let sql = try sqlText(object, "sql", what: what) else {
                throw object.error("\(what) needs 'sql' (a query whose rows are the failures)")
            }
            definition.specification = .sql(sql)
        case .freshness:
            let column = try object.required("column").string("'column' of \(what)")
            if errorIf == nil && warnIf == nil {
                throw object.error("\(what) needs 'error_if' or 'warn_if' on the age in hours, e.g. error_if: \"> 36\"")
            }
            definition.specification = .freshness(column: column)
        case .anomaly:
            definition.specification = .anomaly(try anomaly(object, what: what))
        }
        return definition
    }

    /// Range of `baseline_days`: at least two days give a standard deviation; up to a year.
    static let baselineDaysRange = 2...366

    static func anomaly(_ object: YAMLObject, what: String) throws -> AnomalySpecification {
        let metric = try sqlText(object, "metric", what: what)
        let groupBy = try sqlText(object, "group_by", what: what)
        if metric == nil && groupBy == nil {
            throw object.error(
                "\(what) needs 'metric' (an aggregate SQL expression per day, e.g. sum(revenue_usd)) or 'group_by' "
                    + "(each group's share of the day's rows is judged)")
        }
        if let metric, let metricNode = object["metric"], metric.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw metricNode.error("'metric' of \(what) must not be empty")
        }
        let dateColumn = try object.required("date_column").string("'date_column' of \(what)")
        let baselineDays = try integer(object, "baseline_days", in: baselineDaysRange, what: what) ?? 14
        let minimumBaselineDays = try integer(object, "min_baseline_days", in: 2...baselineDays, what: what)
        let windowDays = try integer(object, "window_days", in: 1...36_600, what: what)
        let minimumRows = try integer(object, "min_rows", in: 0...1_000_000_000, what: what) ?? 1
        let errorIf = try anomalyLevel(object, "error_if", what: what)
        let warnIf = try anomalyLevel(object, "warn_if", what: what)
        if errorIf == nil && warnIf == nil {
            throw object.error(
                "\(what) needs 'error_if' or 'warn_if', e.g. error_if: {relative_change: \"< -0.3\", z_score: \"< -3\"}")
        }
        return AnomalySpecification(
            metric: metric, dateColumn: dateColumn, groupBy: groupBy, baselineDays: baselineDays, windowDays: windowDays,
            minimumRows: minimumRows, minimumBaselineDays: minimumBaselineDays, errorIf: errorIf, warnIf: warnIf)
    }

    /// `error_if: {relative_change: "< -0.3", z_score: "< -3"}`: every condition given must be crossed.
    static func anomalyLevel(_ object: YAMLObject, _ key: String, what: String) throws -> AnomalyLevel? {
        guard let node = object[key] else { return nil }
        guard case .mapping = node.node else {
            throw node.error(
                "'\(key)' of \(what) must be a mapping of conditions, e.g. \(key): {relative_change: \"< -0.3\", z_score: \"< -3\"}")
        }
        let level = try node.object("'\(key)' of \(what)", allowed: ["relative_change", "z_score"])
        let result = AnomalyLevel(
            relativeChange: try condition(level, "relative_change", what: "'\(key)' of \(what)"),
            zScore: try condition(level, "z_score", what: "'\(key)' of \(what)"))
        if result.relativeChange == nil && result.zScore == nil {
            throw node.error("'\(key)' of \(what) needs 'relative_change' or 'z_score', e.g. z_score: \"< -3\"")
        }
        return result
    }

    static func matchRate(_ object: YAMLObject, what: String) throws -> CheckSpecification {
        let tierColumn = try object.string("tier_column")
        let matched =
            try sqlText(object, "matched", what: what)
            ?? tierColumn.map { "\(SQL.identifier($0)) is not null" }
        guard let matched else {
            throw object.error("\(what) needs 'matched' (a boolean SQL expression) or 'tier_column'")
        }
        let overallNode = try object.required("overall")
        let overall = try thresholdsObject(overallNode, what: "'overall' of \(what)")
        var tiers: [String: Thresholds] = [:]
        if let tiersNode = object["tiers"] {
            guard tierColumn != nil else { throw tiersNode.error("'tiers' of \(what) needs 'tier_column'") }
            for entry in try tiersNode.mapping("'tiers' of \(what)") {
                tiers[entry.key] = try thresholdsObject(entry.value, what: "tier '\(entry.key)' of \(what)")
            }
        }
        let dateColumn = try object.string("date_column")
        var perDay: Thresholds?
        var perDayTiers: [String: Thresholds] = [:]
        if let perDayNode = object["per_day"] {
            guard dateColumn != nil else { throw perDayNode.error("'per_day' of \(what) needs 'date_column'") }
            let dayObject = try perDayNode.object("'per_day' of \(what)", allowed: ["error_if", "warn_if", "tiers"])
            let errorIf = try condition(dayObject, "error_if", what: "'per_day' of \(what)")
            let warnIf = try condition(dayObject, "warn_if", what: "'per_day' of \(what)")
            if errorIf != nil || warnIf != nil {
                perDay = try reachable(Thresholds(errorIf: errorIf, warnIf: warnIf), dayObject, what: "'per_day' of \(what)")
            }
            if let tiersNode = dayObject["tiers"] {
                guard tierColumn != nil else { throw tiersNode.error("'per_day.tiers' of \(what) needs 'tier_column'") }
                for entry in try tiersNode.mapping("'per_day.tiers' of \(what)") {
                    perDayTiers[entry.key] = try thresholdsObject(entry.value, what: "per-day tier '\(entry.key)' of \(what)")
                }
            }
        }
        let windowDays = try integer(object, "window_days", in: 1...36_600, what: what)
        let minimumRows = try integer(object, "min_rows", in: 0...1_000_000_000, what: what) ?? 1
        return .matchRate(
            matched: matched, tierColumn: tierColumn, dateColumn: dateColumn, windowDays: windowDays, minimumRows: minimumRows,
            thresholds: MatchRateThresholds(overall: overall, tiers: tiers, perDay: perDay, perDayTiers: perDayTiers))
    }

    static func reconciliation(_ object: YAMLObject, what: String) throws -> CheckSpecification {
        let left = try side(try object.required("left"), label: "left", what: "'left' of \(what)", isBridge: false)
        let right = try side(try object.required("right"), label: "right", what: "'right' of \(what)", isBridge: false)
        var bridge: [AggregateSide] = []
        if let bridgeNode = object["bridge"] {
            for (index, term) in try bridgeNode.sequence("'bridge' of \(what)").enumerated() {
                let termObject = try LooseMapping(term, what: "a bridge term of \(what)")
                let label = try termObject.required("label").string("'label' of a bridge term of \(what)")
                guard !bridge.contains(where: { $0.label == label }), label != "left", label != "right" else {
                    throw try termObject.required("label").error("duplicate bridge label '\(label)' in \(what)")
                }
                bridge.append(try side(term, label: label, what: "bridge term \(index + 1) of \(what)", isBridge: true))
            }
        }
        let groupLabel = try object.string("group_by")
        let terms = [left, right] + bridge
        if groupLabel != nil {
            for term in terms where term.sql == nil && term.group == nil {
                throw try object.required("group_by").error(
                    "\(what) is grouped by '\(groupLabel ?? "")': '\(term.label)' needs 'group' (the expression giving a row's group)")
            }
        } else if let grouped = terms.first(where: { $0.group != nil }) {
            throw object.error("'\(grouped.label)' of \(what) has 'group' but the check has no 'group_by'")
        }
        var absolute = 0.0
        var relative = 0.0
        if let toleranceNode = object["tolerance"] {
            let tolerance = try toleranceNode.object("'tolerance' of \(what)", allowed: ["absolute", "relative"])
            absolute = try tolerance.number("absolute") ?? 0
            relative = try tolerance.number("relative") ?? 0
            if absolute < 0 || relative < 0 { throw toleranceNode.error("'tolerance' of \(what) must not be negative") }
        }
        return .reconciliation(
            left: left, right: right, bridge: bridge, groupLabel: groupLabel, absoluteTolerance: absolute,
            relativeTolerance: relative)
    }

    static func side(_ node: YAMLValue, label: String, what: String, isBridge: Bool) throws -> AggregateSide {
        var allowed = ["table", "sum", "count", "where", "group", "sql"]
        if isBridge { allowed += ["label", "error_if", "warn_if"] } else { allowed += ["label"] }
        let object = try node.object(what, allowed: allowed)
        var side = AggregateSide(label: try object.string("label") ?? label)
        side.sql = try sqlText(object, "sql", what: what)
        if let tableNode = object["table"] {
            guard side.sql == nil else { throw tableNode.error("\(what) has both 'table' and 'sql'; give one") }
            side.table = try tableReference(tableNode, what: "'table' of \(what)")
            side.sum = try sqlText(object, "sum", what: what)
            side.count = try sqlText(object, "count", what: what)
            if side.sum != nil && side.count != nil {
                throw try object.required("count").error("\(what) has both 'sum' and 'count'; give one")
            }
            if side.sum == nil && side.count == nil { side.count = "*" }
            side.filter = try sqlText(object, "where", what: what)
            side.group = try sqlText(object, "group", what: what)
        } else if side.sql == nil {
            throw object.error("\(what) needs 'table' (with 'sum' or 'count') or 'sql'")
        } else {
            for key in ["sum", "count", "where", "group"] where object[key] != nil {
                throw try object.required(key).error("'\(key)' of \(what) only goes with 'table'; the 'sql' query computes it")
            }
        }
        if isBridge {
            let errorIf = try condition(object, "error_if", what: what)
            let warnIf = try condition(object, "warn_if", what: what)
            if errorIf != nil || warnIf != nil {
                side.shareThresholds = try reachable(Thresholds(errorIf: errorIf, warnIf: warnIf), object, what: what)
            }
        }
        return side
    }

    static func thresholdsObject(_ node: YAMLValue, what: String) throws -> Thresholds {
        let object = try node.object(what, allowed: ["error_if", "warn_if"])
        let thresholds = Thresholds(
            errorIf: try condition(object, "error_if", what: what), warnIf: try condition(object, "warn_if", what: what))
        if thresholds.errorIf == nil && thresholds.warnIf == nil {
            throw node.error("\(what) needs 'error_if' or 'warn_if', e.g. error_if: \"< 0.8\"")
        }
        return try reachable(thresholds, object, what: what)
    }

    /// `thresholds`, or an error at `warn_if` when it can never fire before `error_if`.
    static func reachable(_ thresholds: Thresholds, _ object: YAMLObject, what: String) throws -> Thresholds {
        guard let reason = thresholds.unreachableWarning else { return thresholds }
        throw (object["warn_if"] ?? object.value).error("\(what): \(reason)")
    }

    /// Failing rows a check may keep: enough to see the pattern, not a copy of the table.
    static let sampleRowsRange = 0...10_000
    /// Seconds a check's statement may run: up to a day.
    static let timeoutRange = 1...86_400

    /// An optional whole number of `object` within `range`.
    static func integer(_ object: YAMLObject, _ key: String, in range: ClosedRange<Int>, what: String) throws -> Int? {
        guard let value = try object.integer(key) else { return nil }
        guard range.contains(value) else {
            throw try object.required(key).error(
                "'\(key)' of \(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return value
    }

    static func condition(_ object: YAMLObject, _ key: String, what: String) throws -> Condition? {
        guard let node = object[key] else { return nil }
        let text = try scalarText(node, what: "'\(key)' of \(what)")
        guard let condition = Condition.parse(text) else {
            throw node.error(
                "'\(key)' of \(what) must be a condition such as \"> 0\", \">= 0.9\" or \"< 95%\" (quote it: a leading > starts a YAML block); operators: \(Condition.Comparison.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return condition
    }

    static func severity(_ node: YAMLValue) throws -> Severity {
        let text = try node.string("'severity'")
        guard let severity = Severity(rawValue: text) else {
            throw node.error("unknown severity '\(text)'; valid: \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return severity
    }

    static func tableReference(_ node: YAMLValue, what: String) throws -> TableReference {
        let text = try node.string(what)
        guard let reference = TableReference.parse(text) else {
            throw node.error(
                "\(what) '\(text)' is not a table; valid forms: mart_name, ref('mart_name'), source('logical_name'), schema.table")
        }
        if case .source(let name) = reference, !Configuration.logicalSources.contains(name) {
            throw node.error(
                "source('\(name)') is not a logical source; valid: \(Configuration.logicalSources.joined(separator: ", "))")
        }
        return reference
    }

    static func columnList(_ object: YAMLObject, what: String) throws -> [String] {
        if object["columns"] != nil && object["column"] != nil {
            throw try object.required("column").error("\(what) has both 'column' and 'columns'; give one")
        }
        guard let columns = try object.stringList("columns") ?? object.stringList("column") else {
            throw object.error("\(what) needs 'columns' (a column or a list of columns)")
        }
        guard !columns.isEmpty else { throw try object.required("columns").error("'columns' of \(what) must not be empty") }
        return columns
    }

    /// SQL text of a key, with its placeholders checked.
    static func sqlText(_ object: YAMLObject, _ key: String, what: String) throws -> String? {
        guard let node = object[key] else { return nil }
        let text = try node.string("'\(key)' of \(what)")
        if let problem = SQLTemplate.problem(in: text) { throw node.error("'\(key)' of \(what): \(problem)") }
        return text
    }

    static func scalarText(_ node: YAMLValue, what: String) throws -> String {
        guard case .scalar(let scalar) = node.node, !node.isNull else {
            throw node.error("\(what) must be a single value, found \(node.isNull ? "null" : "a list or mapping")")
        }
        return scalar.string
    }
}

/// A mapping read before its allowed keys are known (to find `name` and `kind` first).
struct LooseMapping {
    let node: YAMLValue
    let what: String
    let entries: [String: YAMLValue]

    init(_ node: YAMLValue, what: String) throws {
        self.node = node
        self.what = what
        var entries: [String: YAMLValue] = [:]
        for entry in try node.mapping(what) where entries[entry.key] == nil { entries[entry.key] = entry.value }
        self.entries = entries
    }

    subscript(_ key: String) -> YAMLValue? {
        guard let entry = entries[key], !entry.isNull else { return nil }
        return entry
    }

    func required(_ key: String) throws -> YAMLValue {
        guard let entry = self[key] else { throw node.error("\(what) needs '\(key)'") }
        return entry
    }
}
