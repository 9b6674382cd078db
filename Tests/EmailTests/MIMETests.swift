import Foundation
import ReckonCore
import TestSupport
import Testing

@testable import Email

/// The MIME message as Python's `email` package reads it: parts, headers, encodings.
@Suite(.enabled(if: SMTPTestServer.available, "python3-aiosmtpd is not installed")) struct MIMETests {
    static let from = EmailAddress(displayName: "reckon audit", address: "audit@example.com")

    func parsed(subject: String, to: [EmailAddress] = [EmailAddress(address: "a@example.com")], attach: Bool = false) throws
        -> SMTPTestServer.ParsedMessage
    {
        let message = EmailMessage(
            from: Self.from, to: to, subject: subject, date: EmailFixtures.startedAt, text: "plain ✓\nsecond line",
            html: "<p>html ✓</p>",
            attachments: attach
                ? [EmailAttachment(fileName: "reckon-report.html", contentType: "text/html; charset=utf-8", data: Data("<p>r</p>".utf8))]
                : [])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-mime-\(UUID().uuidString).eml")
        try message.rendered().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try SMTPTestServer.parse(file)
    }

    @Test func bothAlternativesArePresentWithNoDefect() throws {
        let message = try parsed(subject: "reckon: 2 failed — analytics/analytics — 2026-11-24")
        #expect(message.parts == ["multipart/alternative", "text/plain", "text/html"])
        #expect(message.defects == [])
        // Text is canonical (CRLF line ends) before base64, as RFC 2045 asks.
        #expect(message.text == "plain ✓\r\nsecond line")
        #expect(message.html.contains("<p>html ✓</p>"))
        #expect(message.subject == "reckon: 2 failed — analytics/analytics — 2026-11-24")
        #expect(message.from == "reckon audit <audit@example.com>")
        #expect(message.rawHeaderIsASCII)
    }

    @Test(arguments: [
        "reckon: 2 failed, 1 warning — analytics — 2026-11-24",
        "Überprüfung fehlgeschlagen: 売上 ≠ Stripe 🚀",
        String(repeating: "a long subject made of many words ", count: 6),
        String(repeating: "ü", count: 120),
    ])
    func subjectsAreEncodedFoldedAndDecodeBack(subject: String) throws {
        let message = try parsed(subject: subject)
        #expect(message.subject == subject.split(separator: " ").joined(separator: " "))
        #expect(message.rawHeaderIsASCII)
        #expect(message.longestHeaderLine <= 78)
        #expect(message.defects == [])
    }

    @Test(arguments: [
        "x\r\nBcc: thief@evil.example", "x\nBcc: thief@evil.example", "x\rBcc: thief@evil.example",
        "ü\r\nBcc: thief@evil.example", "x\r\n\r\n<html>body injection",
    ])
    func lineBreaksInASubjectCannotAddAHeader(subject: String) throws {
        let message = try parsed(subject: subject)
        #expect(!message.headerNames.contains { $0.lowercased() == "bcc" })
        #expect(message.headerNames.filter { $0 == "Subject" }.count == 1)
        #expect(!message.subject.contains("\n") && !message.subject.contains("\r"))
        #expect(message.parts == ["multipart/alternative", "text/plain", "text/html"])
        #expect(message.defects == [])
    }

    @Test func anAttachedReportIsAThirdPart() throws {
        let message = try parsed(subject: "s", attach: true)
        #expect(message.parts == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/html"])
        #expect(message.attachments == ["reckon-report.html"])
        #expect(message.html.contains("html ✓"))
    }

    @Test func recipientsAndNonASCIIDisplayNamesAreWellFormed() throws {
        let to = [
            try EmailAddress.parse("Ana Müller <ana@example.com>"), try EmailAddress.parse("bob@example.com"),
            try EmailAddress.parse("\"Data, Team\" <data@example.com>"),
        ]
        let message = try parsed(subject: "s", to: to)
        #expect(message.to == ["ana@example.com", "bob@example.com", "data@example.com"])
        #expect(message.defects == [])
    }

    @Test(arguments: ["a@example.com\r\nBcc: thief@evil.example", "not an address", "a@b@c", "<a@example.com", "", "a @example.com"])
    func malformedAddressesAreRefused(text: String) {
        #expect(throws: EmailError.self) { try EmailAddress.parse(text) }
    }
}
