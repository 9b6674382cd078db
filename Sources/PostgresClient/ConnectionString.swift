import CLibPQ
import Foundation

/// A connection string libpq cannot parse (a malformed URI, an unknown option).
///
/// The message is libpq's reason with the input left out: libpq quotes the whole string,
/// password included, in some of its messages.
public struct ConnectionStringError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, without the connection string's secrets.
    public let reason: String

    /// Creates the error; `reason` must hold no secret.
    public init(reason: String) { self.reason = reason }

    /// One sentence saying the connection string is malformed and why.
    public var description: String { "malformed connection string: \(reason)" }
}

/// Helpers for libpq connection strings (`key=value …` or `postgresql://` URIs).
///
/// Parsing is libpq's own (`PQconninfoParse`), so reckon reads a string exactly as the
/// connection will: a `?` or spaces around `=` cannot hide a password from the masking.
public enum ConnectionString {
    /// The options a connection string sets, in libpq's order, as libpq parses them.
    ///
    /// Throws `ConnectionStringError` (without quoting the input) when libpq rejects it.
    public static func parse(_ conninfo: String) throws -> [(keyword: String, value: String)] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var reason = "libpq cannot parse it"
            if let errorMessage {
                reason = String(cString: errorMessage).trimmingTrailingWhitespace
                PQfreemem(errorMessage)
            }
            throw ConnectionStringError(reason: sanitizedReason(reason, conninfo: conninfo))
        }
        defer { PQconninfoFree(options) }
        var parsed: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let text = String(cString: value)
                SecretRegistry.shared.remember(String(cString: keyword) == "password" ? text : nil)
                parsed.append((String(cString: keyword), text))
            }
            option += 1
        }
        return parsed
    }

    /// The connection string rebuilt by reckon from libpq's parse, without the password,
    /// safe to print (`host=db.example port=5432 user=analyst dbname=warehouse`).
    ///
    /// An empty string stays empty (the `PG*` variables apply); a string libpq rejects is
    /// shown as `(malformed connection string)`.
    public static func masked(_ conninfo: String) -> String {
        guard !conninfo.isEmpty else { return "" }
        guard let options = try? parse(conninfo) else { return "(malformed connection string)" }
        return options.filter { $0.keyword != "password" }
            .map { "\($0.keyword)=\(quotedValue($0.value))" }
            .joined(separator: " ")
    }

    /// A value quoted as libpq's key/value syntax needs it.
    static func quotedValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0.isWhitespace || $0 == "'" || $0 == "\\" }
        guard needsQuotes else { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// libpq's reason for rejecting `conninfo`, with passwords masked in the fragments it quotes.
    static func sanitizedReason(_ reason: String, conninfo: String) -> String {
        var output = ""
        var rest = Substring(reason)
        while let open = rest.firstIndex(of: "\"") {
            output += rest[...open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\"") else {
                output += "…"
                rest = ""
                break
            }
            let quoted = String(rest[afterOpen..<close])
            // A URI is shown with its password masked; anything with spaces is left out
            // (a password could hold them and hide from the masking).
            output += quoted.contains(where: \.isWhitespace) ? "…" : maskPasswordAssignments(maskURIPasswords(quoted))
            output += "\""
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return redacted(output)
    }

    /// `text` with every secret reckon knows of removed: passwords of connection strings it
    /// parsed, `user:password@` in URIs and the value of `password=` (spaces allowed around
    /// `=`, quoted or not). For error messages and anything else that is printed.
    public static func redacted(_ text: String) -> String {
        var output = maskPasswordAssignments(maskURIPasswords(text))
        for secret in SecretRegistry.shared.secrets where output.contains(secret) {
            output = output.replacingOccurrences(of: secret, with: "****")
        }
        return output
    }

    /// Replaces the password of every `scheme://user:password@` in `text` with `****`.
    ///
    /// The password runs to the last `@` before the next whitespace or quote, as libpq reads
    /// a URI's user information (a `?` or `/` in it is still the password).
    static func maskURIPasswords(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let tokenEnd = rest.firstIndex { $0.isWhitespace || $0 == "\"" || $0 == "'" } ?? rest.endIndex
            let token = rest[..<tokenEnd]
            if let at = token.lastIndex(of: "@"), let colon = token[..<at].firstIndex(of: ":") {
                output += token[...colon] + "****"
                rest = rest[at...]
            }
        }
        return output + rest
    }

    /// Replaces the value of every `password=…` fragment in `text` with `****`
    /// (`password = 'it''s'`, `password=secret`, `&password=secret`).
    public static func maskPasswordAssignments(_ text: String) -> String {
        var output = ""
        var remainder = Substring(text)
        while let range = remainder.range(of: "password", options: .caseInsensitive) {
            output += remainder[..<range.upperBound]
            var rest = remainder[range.upperBound...]
            let afterKeyword = rest
            while let character = rest.first, character == " " || character == "\t" { rest = rest.dropFirst() }
            guard rest.first == "=" else {
                remainder = afterKeyword
                continue
            }
            rest = rest.dropFirst()
            while let character = rest.first, character == " " || character == "\t" { rest = rest.dropFirst() }
            output += "=****"
            if rest.first == "'" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        escaped = false
                        continue
                    }
                    if character == "\\" {
                        escaped = true
                        continue
                    }
                    if character == "'" { break }
                }
            } else {
                while let character = rest.first, !character.isWhitespace, character != "&", character != "\"" {
                    rest = rest.dropFirst()
                }
            }
            remainder = rest
        }
        output += remainder
        return output
    }
}

/// The passwords of the connection strings this process parsed, so no output shows them.
final class SecretRegistry: @unchecked Sendable {
    // Safety: `stored` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var stored = Set<String>()

    static let shared = SecretRegistry()

    /// Remembers `secret` when it is long enough to be replaced safely in any text.
    func remember(_ secret: String?) {
        guard let secret, secret.count >= 4 else { return }
        lock.lock()
        stored.insert(secret)
        lock.unlock()
    }

    var secrets: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(stored)
    }
}
