import Foundation

/// A mailbox: an address with an optional display name (`reckon <audit@example.com>`).
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    /// The name shown to people, if any.
    public var displayName: String?
    /// `local@domain`, ASCII.
    public var address: String

    /// Creates a mailbox; `parse` checks the address.
    public init(displayName: String? = nil, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses `a@example.com` or `Name <a@example.com>`; throws for anything else, including
    /// line breaks (no header injection through an address).
    public static func parse(_ text: String) throws -> EmailAddress {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let rawName = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            let unquoted =
                rawName.count >= 2 && rawName.hasPrefix("\"") && rawName.hasSuffix("\"") ? String(rawName.dropFirst().dropLast()) : rawName
            name = unquoted.isEmpty ? nil : HeaderEncoding.singleLine(unquoted)
        }
        guard isValidAddress(address) else {
            throw EmailError.badAddress(HeaderEncoding.singleLine(text))
        }
        return EmailAddress(displayName: name, address: address)
    }

    /// Parses a comma-separated list of addresses.
    public static func parseList(_ texts: [String]) throws -> [EmailAddress] {
        try texts.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map(parse)
    }

    /// Whether `address` is a plain ASCII `local@domain` with no space, control, quote or bracket.
    static func isValidAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254 else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        let domainAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.[]:")
        return parts[0].allSatisfy(localAllowed.contains) && parts[1].allSatisfy(domainAllowed.contains)
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// The mailbox as written in a header (`Name <a@example.com>`, the name encoded when needed).
    public var headerText: String {
        guard let displayName, !displayName.isEmpty else { return address }
        return HeaderEncoding.phrase(displayName) + " <" + address + ">"
    }

    /// The mailbox for people.
    public var description: String { headerText }
}

/// A file attached to a message.
public struct EmailAttachment: Sendable, Equatable {
    /// The file name the reader sees.
    public var fileName: String
    /// Its MIME type, e.g. `text/html; charset=utf-8`.
    public var contentType: String
    /// Its bytes.
    public var data: Data

    /// Creates an attachment.
    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// A MIME message with a plain-text and an HTML alternative, and optional attachments:
/// `multipart/alternative`, inside `multipart/mixed` when something is attached.
///
/// Headers are encoded per RFC 2047 when they hold anything but printable ASCII, and lines
/// are folded per RFC 5322; line breaks in any header value become spaces, so no text can
/// add a header. Bodies are base64 in lines of 76 characters.
public struct EmailMessage: Sendable, Equatable {
    /// The sender.
    public var from: EmailAddress
    /// The recipients.
    public var to: [EmailAddress]
    /// The subject, any Unicode text.
    public var subject: String
    /// The `Date:` header.
    public var date: Date
    /// The plain-text alternative.
    public var text: String
    /// The HTML alternative.
    public var html: String
    /// Files attached after the two alternatives.
    public var attachments: [EmailAttachment]
    /// Unique part of `Message-ID` and of the MIME boundaries.
    public var identifier: String

    /// Creates a message.
    public init(
        from: EmailAddress, to: [EmailAddress], subject: String, date: Date, text: String, html: String,
        attachments: [EmailAttachment] = [], identifier: String = UUID().uuidString.lowercased()
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.text = text
        self.html = html
        self.attachments = attachments
        self.identifier = identifier
    }

    /// The message as sent over SMTP: CRLF line ends, 7-bit ASCII.
    public func rendered() -> String {
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "reckon.invalid"
        var lines: [String] = []
        lines.append(HeaderEncoding.field("From", structured: from.headerText))
        lines.append(HeaderEncoding.field("To", structured: to.map(\.headerText).joined(separator: ", ")))
        lines.append(HeaderEncoding.field("Subject", unstructured: subject))
        lines.append("Date: " + Self.dateText(date))
        lines.append("Message-ID: <\(identifier)@\(domain)>")
        lines.append("MIME-Version: 1.0")
        lines.append("Auto-Submitted: auto-generated")
        let alternative = "reckon-alt-\(identifier)"
        var body: [String] = []
        if attachments.isEmpty {
            lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"")
            body += alternativeParts(boundary: alternative)
        } else {
            let mixed = "reckon-mixed-\(identifier)"
            lines.append("Content-Type: multipart/mixed;\r\n boundary=\"\(mixed)\"")
            body.append("--" + mixed)
            body.append("Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"")
            body.append("")
            body += alternativeParts(boundary: alternative)
            for attachment in attachments {
                let name = HeaderEncoding.parameterValue(attachment.fileName)
                body.append("--" + mixed)
                body.append("Content-Type: \(attachment.contentType); name=\(name)")
                body.append("Content-Disposition: attachment; filename=\(name)")
                body.append("Content-Transfer-Encoding: base64")
                body.append("")
                body.append(Self.base64Lines(attachment.data))
            }
            body.append("--" + mixed + "--")
        }
        return (lines + [""] + body).joined(separator: "\r\n") + "\r\n"
    }

    private func alternativeParts(boundary: String) -> [String] {
        [
            "--" + boundary,
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Data(Self.crlf(text).utf8)),
            "--" + boundary,
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Data(Self.crlf(html).utf8)),
            "--" + boundary + "--",
        ]
    }

    /// `text` with every line break written CRLF (text parts must use CRLF once decoded).
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Base64 in lines of 76 characters, joined by CRLF.
    static func base64Lines(_ data: Data) -> String {
        data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// RFC 5322 date in UTC: `Fri, 27 Nov 2026 14:05:43 +0000`.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// RFC 2047 encoded words and RFC 5322 folding for header fields.
enum HeaderEncoding {
    /// Lines of a folded header stay within this many characters when they can.
    static let lineLimit = 78

    /// `text` on one line: a CRLF pair, CR, LF and other control characters become one space each.
    static func singleLine(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "\r\n", with: " ")
        return String(String.UnicodeScalarView(joined.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Whether `text` is printable ASCII that needs no encoding.
    static func isPlain(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
    }

    /// An unstructured field (`Subject`): kept as folded ASCII when plain, else encoded words.
    static func field(_ name: String, unstructured value: String) -> String {
        let line = singleLine(value)
        let words = isPlain(line) ? line.split(separator: " ").map(String.init) : encodedWords(line)
        return fold(name + ":", words)
    }

    /// A structured field (`From`, `To`) whose value is already ASCII; folded at spaces.
    static func field(_ name: String, structured value: String) -> String {
        fold(name + ":", singleLine(value).split(separator: " ").map(String.init))
    }

    /// A display name: as is when it is ASCII letters, digits and spaces, quoted when other
    /// ASCII, encoded words otherwise.
    static func phrase(_ text: String) -> String {
        let line = singleLine(text)
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&'*+-/=?^_`{|}~")
        if line.allSatisfy(atext.contains), !line.contains("=?") { return line }
        if isPlain(line) {
            return "\"" + line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(line).joined(separator: " ")
    }

    /// A MIME parameter value: quoted ASCII, or an encoded word for other text.
    static func parameterValue(_ text: String) -> String {
        let line = singleLine(text)
        if isPlain(line) {
            return "\"" + line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "\"" + encodedWords(line).joined(separator: " ") + "\""
    }

    /// `=?UTF-8?B?…?=` words of at most 39 bytes of text each, never splitting a character.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk = Data()
        for character in text {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=") }
        return words
    }

    /// `name` followed by `words` separated by spaces, a line break (CRLF + space) put
    /// before a word that would pass the line limit.
    static func fold(_ name: String, _ words: [String]) -> String {
        var output = name
        var lineLength = name.count
        for word in words {
            if lineLength + 1 + word.count > lineLimit, lineLength > 1 {
                output += "\r\n " + word
                lineLength = 1 + word.count
            } else {
                output += " " + word
                lineLength += 1 + word.count
            }
        }
        return output
    }
}
