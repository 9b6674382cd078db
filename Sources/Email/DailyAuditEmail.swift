import Checks
import Foundation
import ReckonCore
import Reports

/// The daily audit email of one run: the digest as a `multipart/alternative` message, the
/// full HTML report attached on request.
public struct DailyAuditEmail: Sendable {
    /// Sender, recipients, server, report address.
    public var settings: EmailSettings
    /// Replaces the generated subject.
    public var subject: String?
    /// The full HTML report, attached when given.
    public var attachedReport: Data?

    /// Creates the email's composer.
    public init(settings: EmailSettings, subject: String? = nil, attachedReport: Data? = nil) {
        self.settings = settings
        self.subject = subject
        self.attachedReport = attachedReport
    }

    /// The message for `result`, dated `date`; throws for a missing or malformed address.
    public func message(for result: RunResult, date: Date = Date()) throws -> EmailMessage {
        guard let fromText = settings.from else {
            throw EmailError.missingSetting("no sender: set email.from in reckon.yml or RECKON_EMAIL_FROM")
        }
        let from = try EmailAddress.parse(fromText)
        let to = try EmailAddress.parseList(settings.to)
        guard !to.isEmpty else { throw EmailError.missingSetting("no recipient: give --to, email.to or RECKON_EMAIL_TO") }
        let renderer = DigestRenderer(reportURL: settings.reportURL, reportAttached: attachedReport != nil)
        let digest = renderer.render(result, subjectOverride: subject)
        let attachments =
            attachedReport.map { [EmailAttachment(fileName: "reckon-report.html", contentType: "text/html; charset=utf-8", data: $0)] }
            ?? []
        return EmailMessage(
            from: from, to: to, subject: digest.subject, date: date, text: digest.text, html: digest.html, attachments: attachments)
    }

    /// Sends `message` through the configured server (`smtp_url`, `smtp_tls`, the password).
    public func send(_ message: EmailMessage) throws {
        guard let url = settings.smtpURL else {
            throw EmailError.missingSetting(
                "no SMTP server: set email.smtp_url in reckon.yml or RECKON_SMTP_URL (or write the message with --eml FILE)")
        }
        let sender = SMTPSender(url: url, tls: settings.tls, password: settings.password, caFile: settings.caFile)
        try sender.send(message.rendered(), from: message.from.address, to: message.to.map(\.address))
    }
}
