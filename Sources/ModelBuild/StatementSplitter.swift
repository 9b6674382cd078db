/// Splits a SQL script into statements on top-level semicolons.
///
/// Understands single-quoted strings (with `''`), double-quoted identifiers, dollar-quoted
/// bodies (`$$ … $$`, `$tag$ … $tag$`), `--` line comments and nested `/* */` comments,
/// so function bodies and strings containing `;` stay whole.
public enum StatementSplitter {
    /// One statement and the 1-based line it starts on.
    public struct Statement: Sendable, Equatable {
        /// The statement text, without the terminating semicolon.
        public let text: String
        /// The line of the script where the statement starts.
        public let line: Int
    }

    /// The non-empty statements of `script` (comment-only pieces are dropped).
    public static func split(_ script: String) -> [Statement] {
        let characters = Array(script.unicodeScalars)
        var statements: [Statement] = []
        var current = String.UnicodeScalarView()
        var line = 1
        var startLine = 1
        var hasCode = false
        var index = 0

        func append(_ scalar: Unicode.Scalar) {
            current.append(scalar)
            if scalar == "\n" { line += 1 }
        }
        func finish() {
            if hasCode {
                statements.append(Statement(text: String(current).trimmingWhitespace, line: startLine))
            }
            current = String.UnicodeScalarView()
            hasCode = false
        }

        while index < characters.count {
            let scalar = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            if !hasCode, !scalar.properties.isWhitespace, !(scalar == "-" && next == "-"), !(scalar == "/" && next == "*") {
                hasCode = true
                startLine = line
            }
            switch scalar {
            case "-" where next == "-":
                while index < characters.count, characters[index] != "\n" {
                    append(characters[index])
                    index += 1
                }
                continue
            case "/" where next == "*":
                var depth = 0
                while index < characters.count {
                    if characters[index] == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                        depth += 1
                        append(characters[index])
                        append(characters[index + 1])
                        index += 2
                    } else if characters[index] == "*", index + 1 < characters.count, characters[index + 1] == "/" {
                        depth -= 1
                        append(characters[index])
                        append(characters[index + 1])
                        index += 2
                        if depth == 0 { break }
                    } else {
                        append(characters[index])
                        index += 1
                    }
                }
                continue
            case "'", "\"":
                append(scalar)
                index += 1
                while index < characters.count {
                    let inner = characters[index]
                    append(inner)
                    index += 1
                    if inner == scalar {
                        if index < characters.count, characters[index] == scalar {
                            append(characters[index])
                            index += 1
                        } else {
                            break
                        }
                    }
                }
                continue
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    for scalar in tag { append(scalar) }
                    index = tagEnd + 1
                    while index < characters.count {
                        if characters[index] == "$", index + tag.count <= characters.count,
                            Array(characters[index..<(index + tag.count)]) == tag
                        {
                            for scalar in tag { append(scalar) }
                            index += tag.count
                            break
                        }
                        append(characters[index])
                        index += 1
                    }
                    continue
                }
            case ";":
                finish()
                index += 1
                continue
            default:
                break
            }
            append(scalar)
            index += 1
        }
        finish()
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start`, if any.
    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        if start > 0 {
            let previous = characters[start - 1]
            if previous.properties.isAlphabetic || ("0"..."9").contains(previous) || previous == "_" { return nil }
        }
        var index = start + 1
        while index < characters.count {
            let scalar = characters[index]
            if scalar == "$" { return index }
            let isTagCharacter =
                scalar.properties.isAlphabetic || scalar == "_"
                || (index > start + 1 && ("0"..."9").contains(scalar))
            if !isTagCharacter { return nil }
            index += 1
        }
        return nil
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
