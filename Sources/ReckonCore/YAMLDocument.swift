import Foundation
import Yams

/// An error in a YAML file (configuration or checks), located to file, line and column.
public struct InputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file at fault.
    public var file: String
    /// 1-based line, or 0 when unknown.
    public var line: Int
    /// 1-based column, or 0 when unknown.
    public var column: Int
    /// What is wrong, and what would be right.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the format editors and CI annotate.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// A YAML node together with its file, for reading typed values with located errors.
public struct YAMLValue {
    /// The parsed node.
    public let node: Node
    /// The file it came from.
    public let file: String

    /// Parses `text` (the contents of `file`); syntax errors carry the parser's position.
    public static func parse(_ text: String, file: String) throws -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: text) else { return nil }
            return YAMLValue(node: node, file: file)
        } catch let error as YamlError {
            throw InputFileError(yamlError: error, file: file)
        }
    }

    /// Reads and parses a file.
    public static func load(path: String) throws -> YAMLValue? {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputFileError(file: path, line: 0, column: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Line of this node (1-based), 0 when unknown.
    public var line: Int { node.mark?.line ?? 0 }
    /// Column of this node (1-based), 0 when unknown.
    public var column: Int { node.mark?.column ?? 0 }

    /// An error located at this node.
    public func error(_ message: String) -> InputFileError {
        InputFileError(file: file, line: line, column: column, message: message)
    }

    /// The entries of a mapping, in file order, with their key nodes for locating errors.
    public func mapping(_ what: String) throws -> [(key: String, keyValue: YAMLValue, value: YAMLValue)] {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping (key: value), found \(kindName)")
        }
        return try mapping.map { pair in
            guard case .scalar(let scalar) = pair.key else {
                throw YAMLValue(node: pair.key, file: file).error("keys of \(what) must be plain strings")
            }
            return (scalar.string, YAMLValue(node: pair.key, file: file), YAMLValue(node: pair.value, file: file))
        }
    }

    /// Reads a mapping whose keys must come from `allowed`; an unknown key is an error
    /// naming it and listing the valid ones.
    public func object(_ what: String, allowed: [String]) throws -> YAMLObject {
        let entries = try mapping(what)
        var values: [String: YAMLValue] = [:]
        for entry in entries {
            guard allowed.contains(entry.key) else {
                throw entry.keyValue.error(
                    "unknown key '\(entry.key)' in \(what); valid keys: \(allowed.joined(separator: ", "))")
            }
            guard values[entry.key] == nil else {
                throw entry.keyValue.error("duplicate key '\(entry.key)' in \(what)")
            }
            values[entry.key] = entry.value
        }
        return YAMLObject(value: self, what: what, entries: values)
    }

    /// The elements of a sequence.
    public func sequence(_ what: String) throws -> [YAMLValue] {
        guard case .sequence(let sequence) = node else {
            throw error("\(what) must be a list, found \(kindName)")
        }
        return sequence.map { YAMLValue(node: $0, file: file) }
    }

    /// A scalar as text; `null`/`~` are rejected.
    public func string(_ what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error("\(what) must be a string, found \(kindName)")
        }
        if scalar.style == .plain, ["null", "~", ""].contains(scalar.string) {
            throw error("\(what) must be a string, found null")
        }
        return scalar.string
    }

    /// A whole number.
    public func integer(_ what: String) throws -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw error("\(what) must be a whole number, found \(describeValue)")
        }
        return value
    }

    /// A whole number within `range`; out of range is an error at this node naming the range.
    public func integer(_ what: String, in range: ClosedRange<Int>) throws -> Int {
        let value = try integer(what)
        guard range.contains(value) else {
            throw error("\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return value
    }

    /// A number (integer or decimal).
    public func number(_ what: String) throws -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Double(scalar.string),
            value.isFinite
        else {
            throw error("\(what) must be a number, found \(describeValue)")
        }
        return value
    }

    /// A boolean (`true`/`false`).
    public func boolean(_ what: String) throws -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else {
            throw error("\(what) must be true or false, found \(describeValue)")
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(what) must be true or false, found \(describeValue)")
        }
    }

    /// A string or a list of strings, as a list.
    public func stringList(_ what: String) throws -> [String] {
        if case .scalar = node { return [try string(what)] }
        return try sequence(what).map { try $0.string("an element of \(what)") }
    }

    /// Whether the node is an explicit null.
    public var isNull: Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain, ["null", "~", ""].contains(scalar.string) {
            return true
        }
        return false
    }

    var kindName: String {
        switch node {
        case .scalar: return isNull ? "null" : (mayHoldSecret ? describeValue : "a scalar \(describeValue)")
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Whether the scalar could be a connection string: such values are never quoted in
    /// errors, since they may hold a password.
    var mayHoldSecret: Bool {
        guard case .scalar(let scalar) = node else { return false }
        let text = scalar.string.lowercased()
        return text.contains("://") || text.contains("password") || text.contains("@")
    }

    var describeValue: String {
        switch node {
        case .scalar(let scalar):
            if mayHoldSecret { return "a value not shown (it may be a connection string)" }
            return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// A YAML mapping read with a fixed set of allowed keys.
public struct YAMLObject {
    /// The mapping node itself.
    public let value: YAMLValue
    /// What the mapping is, for messages ("check 'x'", "reckon.yml").
    public let what: String
    /// Values by key.
    public let entries: [String: YAMLValue]

    /// The value of `key`, or nil when absent or null.
    public subscript(_ key: String) -> YAMLValue? {
        guard let entry = entries[key], !entry.isNull else { return nil }
        return entry
    }

    /// An error at the mapping itself.
    public func error(_ message: String) -> InputFileError { value.error(message) }

    /// The value of a required key.
    public func required(_ key: String) throws -> YAMLValue {
        guard let entry = self[key] else { throw value.error("\(what) needs '\(key)'") }
        return entry
    }

    /// A string value, if present.
    public func string(_ key: String) throws -> String? { try self[key]?.string("'\(key)' of \(what)") }
    /// An integer value, if present.
    public func integer(_ key: String) throws -> Int? { try self[key]?.integer("'\(key)' of \(what)") }
    /// A whole number within `range`, if present.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        try self[key]?.integer("'\(key)' of \(what)", in: range)
    }
    /// A number value, if present.
    public func number(_ key: String) throws -> Double? { try self[key]?.number("'\(key)' of \(what)") }
    /// A boolean value, if present.
    public func boolean(_ key: String) throws -> Bool? { try self[key]?.boolean("'\(key)' of \(what)") }
    /// A string or list of strings, if present.
    public func stringList(_ key: String) throws -> [String]? { try self[key]?.stringList("'\(key)' of \(what)") }
}

extension InputFileError {
    /// The parser's problem and position only: the line itself is never quoted (it may hold
    /// a connection string with a password).
    init(yamlError: YamlError, file: String) {
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            self.init(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .reader(let problem, let offset, _, let yaml):
            let prefix = offset.map { Array(yaml.utf8.prefix(max(0, $0))) }
            let line = prefix.map { $0.filter { $0 == UInt8(ascii: "\n") }.count + 1 } ?? 0
            let column = prefix.map { $0.count - ($0.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1 } ?? 0
            self.init(file: file, line: line, column: column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "invalid YAML: duplicate key(s) \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", "))")
        default:
            self.init(file: file, line: 0, column: 0, message: "invalid YAML: the file cannot be parsed")
        }
    }
}
