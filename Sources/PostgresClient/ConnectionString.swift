import Foundation

/// Helpers for libpq connection strings (`key=value …` or `postgresql://` URIs).
public enum ConnectionString {
    /// The connection string with any password replaced by `****`, safe to print.
    ///
    /// Handles both forms libpq accepts: `password=secret` (also quoted) in key/value
    /// strings and `user:secret@host` in URIs, plus `password=` in a URI's query.
    public static func masked(_ conninfo: String) -> String {
        var text = conninfo
        if let schemeRange = text.range(of: "://") {
            let afterScheme = text[schemeRange.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            if let atIndex = authority.lastIndex(of: "@"),
                let colon = authority[..<atIndex].firstIndex(of: ":")
            {
                text.replaceSubrange(text.index(after: colon)..<atIndex, with: "****")
            }
        }
        return maskPasswordAssignments(text)
    }

    /// Replaces the value of every `password=…` fragment in `text` with `****`.
    public static func maskPasswordAssignments(_ text: String) -> String {
        var output = ""
        var remainder = Substring(text)
        while let range = remainder.range(of: "password=", options: .caseInsensitive) {
            output += remainder[..<range.upperBound]
            output += "****"
            var rest = remainder[range.upperBound...]
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
                while let character = rest.first, !character.isWhitespace, character != "&" {
                    rest = rest.dropFirst()
                }
            }
            remainder = rest
        }
        output += remainder
        return output
    }
}
