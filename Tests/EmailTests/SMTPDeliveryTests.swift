import Checks
import Foundation
import ReckonCore
import Reports
import TestSupport
import Testing

@testable import Email

/// Delivery through libcurl to a real SMTP server on loopback (aiosmtpd), with and without
/// TLS and AUTH, and the failures a scheduler must see: server down, AUTH refused, recipient
/// rejected — each one attempt, the server's reply in the error, never the password.
@Suite(.enabled(if: SMTPTestServer.available, "python3-aiosmtpd is not installed")) struct SMTPDeliveryTests {
    static let password = "pa55-Wörd:s3cret"

    func settings(_ server: SMTPTestServer, scheme: String = "smtp", user: String? = nil) -> EmailSettings {
        var settings = EmailSettings()
        settings.from = "reckon audit <audit@example.com>"
        settings.to = ["data-team@example.com", "Ana Müller <ana@example.com>"]
        settings.smtpURL = "\(scheme)://\(user.map { $0 + "@" } ?? "")127.0.0.1:\(server.port)"
        settings.caFile = server.certificate?.path
        settings.reportURL = "https://reports.example.com/latest.html"
        return settings
    }

    /// Sends the digest of `result` and returns the received message, parsed.
    func deliver(_ email: DailyAuditEmail, _ result: RunResult, to server: SMTPTestServer) throws -> (
        SMTPTestServer.ParsedMessage, SMTPTestServer.Envelope
    ) {
        try email.send(try email.message(for: result, date: EmailFixtures.startedAt))
        let received = try #require(server.messages().first)
        return (try SMTPTestServer.parse(received), try server.envelope(of: received))
    }

    @Test func aPlainServerReceivesBothPartsWithTheRightSubjectAndRecipients() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let (message, envelope) = try deliver(DailyAuditEmail(settings: settings(server)), EmailFixtures.run(failing: 2), to: server)
        #expect(envelope.mail_from == "audit@example.com")
        #expect(envelope.rcpt_tos == ["data-team@example.com", "ana@example.com"])
        #expect(!envelope.tls)
        #expect(message.subject == "reckon: 3 failed, 1 warning — analytics/analytics__staging — 2026-11-24")
        #expect(message.to == ["data-team@example.com", "ana@example.com"])
        #expect(message.parts == ["multipart/alternative", "text/plain", "text/html"])
        #expect(message.defects == [])
        #expect(message.html.contains("matched_<wbr>ad_<wbr>exists_<wbr>in_<wbr>facebook_<wbr>ads_<wbr>0"))
        #expect(message.text.contains("[FAIL] matched_ad_exists_in_facebook_ads_0"))
    }

    @Test func twoHundredFailingChecksArriveWithAnHTMLPartUnder100KilobytesAndTheReportAttached() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let result = EmailFixtures.run(failing: 200)
        let report = try HTMLReporter(generatedAt: EmailFixtures.startedAt, reckonVersion: "0.1.0").render(result)
        let email = DailyAuditEmail(settings: settings(server), attachedReport: report)
        let (message, _) = try deliver(email, result, to: server)
        #expect(message.htmlBytes < 100_000)
        #expect(message.html.contains("more failing checks — see the attached report"))
        #expect(message.parts == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/html"])
        #expect(message.attachments == ["reckon-report.html"])
        #expect(message.defects == [])
    }

    @Test func aCampaignNameOrSubjectWithLineBreaksAddsNoHeader() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let email = DailyAuditEmail(settings: settings(server), subject: "audit\r\nBcc: thief@evil.example\r\nX-Injected: 1")
        let (message, envelope) = try deliver(email, EmailFixtures.run(failing: 1, campaign: EmailFixtures.injectingCampaign), to: server)
        #expect(!message.headerNames.contains { ["bcc", "x-injected"].contains($0.lowercased()) })
        #expect(envelope.rcpt_tos == ["data-team@example.com", "ana@example.com"])
        #expect(message.subject == "audit Bcc: thief@evil.example X-Injected: 1")
        #expect(!message.html.contains("<script>"))
        #expect(message.defects == [])
    }

    @Test func aNonASCIISubjectIsEncodedAndArrivesIntact() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let subject = "reckon: 2 échecs — Umsatz ≠ Stripe — 売上 🚀"
        let (message, _) = try deliver(
            DailyAuditEmail(settings: settings(server), subject: subject), EmailFixtures.run(failing: 1), to: server)
        #expect(message.subject == subject)
        #expect(message.rawHeaderIsASCII)
        #expect(message.longestHeaderLine <= 78)
    }

    @Test func starttlsIsUsedWhenTheServerOffersIt() throws {
        let server = try SMTPTestServer(tls: .starttls)
        defer { server.stop() }
        let (message, envelope) = try deliver(DailyAuditEmail(settings: settings(server)), EmailFixtures.run(failing: 1), to: server)
        #expect(envelope.tls)
        #expect(message.parts.contains("text/html"))
    }

    @Test func requiredTLSRefusesAServerWithoutStarttls() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        var configured = settings(server)
        configured.tls = .required
        let email = DailyAuditEmail(settings: configured)
        let error = try #require(throws: EmailError.self) { try email.send(try email.message(for: EmailFixtures.run(failing: 1))) }
        #expect("\(error)".contains("sending the email through smtp://127.0.0.1:\(server.port) failed"))
        #expect(server.messages().isEmpty)
    }

    @Test func smtpsSpeaksTLSFromTheStartWithAuth() throws {
        let server = try SMTPTestServer(tls: .implicit, user: "reckon", password: Self.password)
        defer { server.stop() }
        var configured = settings(server, scheme: "smtps", user: "reckon")
        configured.password = Self.password
        let (_, envelope) = try deliver(DailyAuditEmail(settings: configured), EmailFixtures.unreachable, to: server)
        #expect(envelope.tls && envelope.authenticated)
    }

    @Test func authWithTheRightPasswordOverStarttls() throws {
        let server = try SMTPTestServer(tls: .starttls, requireStartTLS: true, user: "reckon", password: Self.password)
        defer { server.stop() }
        var configured = settings(server, user: "reckon")
        configured.password = Self.password
        configured.tls = .required
        let (_, envelope) = try deliver(DailyAuditEmail(settings: configured), EmailFixtures.run(failing: 1), to: server)
        #expect(envelope.tls && envelope.authenticated)
    }

    @Test func refusedAuthFailsWithTheServersReplyAndNoPassword() throws {
        let server = try SMTPTestServer(user: "reckon", password: "the-right-one")
        defer { server.stop() }
        var configured = settings(server, user: "reckon")
        configured.password = Self.password
        let email = DailyAuditEmail(settings: configured)
        let error = try #require(throws: EmailError.self) { try email.send(try email.message(for: EmailFixtures.run(failing: 1))) }
        let text = "\(error)"
        #expect(text.contains("535"), "\(text)")
        #expect(!text.contains(Self.password) && !text.contains(Data(Self.password.utf8).base64EncodedString()))
        #expect(server.messages().isEmpty)
    }

    @Test func aRejectedRecipientFailsTheSendWithTheServersReply() throws {
        let server = try SMTPTestServer(reject: ["ana@example.com"])
        defer { server.stop() }
        let email = DailyAuditEmail(settings: settings(server))
        let error = try #require(throws: EmailError.self) { try email.send(try email.message(for: EmailFixtures.run(failing: 1))) }
        #expect("\(error)".contains("550 5.1.1 <ana@example.com>: Recipient address rejected"), "\(error)")
        #expect(server.messages().isEmpty)
    }

    @Test func aServerThatIsDownFailsOnceWithTheReason() throws {
        var configured = EmailSettings()
        configured.from = "audit@example.com"
        configured.to = ["a@example.com"]
        configured.smtpURL = "smtp://reckon:\(Self.password)@127.0.0.1:1"
        configured.password = Self.password
        let email = DailyAuditEmail(settings: configured)
        let error = try #require(throws: EmailError.self) { try email.send(try email.message(for: EmailFixtures.run(failing: 1))) }
        let text = "\(error)"
        #expect(text.contains("smtp://reckon:****@127.0.0.1:1"), "\(text)")
        #expect(text.contains("127.0.0.1") && (text.contains("onnect") || text.contains("refused")), "\(text)")
        #expect(!text.contains(Self.password))
    }
}
