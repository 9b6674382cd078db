import Foundation

/// The `email:` section of reckon.yml: who sends the daily audit, to whom, through which
/// SMTP server. The password never lives in the file: it comes from `RECKON_SMTP_PASSWORD`.
public struct EmailSettings: Sendable, Equatable {
    /// How strictly `smtp://` must use TLS (`smtp_tls:`).
    public enum TLSPolicy: String, Sendable, CaseIterable {
        /// STARTTLS when the server offers it, plain text otherwise.
        case opportunistic
        /// STARTTLS or the send fails.
        case required
    }

    /// The sender, `audit@example.com` or `reckon <audit@example.com>`.
    public var from: String?
    /// The recipients.
    public var to: [String] = []
    /// `smtp://[user@]host[:port]` (STARTTLS) or `smtps://[user@]host[:port]` (TLS from the start).
    public var smtpURL: String?
    /// STARTTLS policy on `smtp://`.
    public var tls: TLSPolicy = .opportunistic
    /// PEM file of certificate authorities to trust besides the system's (`smtp_ca_file:`).
    public var caFile: String?
    /// Address of the full report, linked from the digest.
    public var reportURL: String?
    /// The SMTP password (from `RECKON_SMTP_PASSWORD` only).
    public var password: String?

    /// No settings.
    public init() {}

    /// Keys of the `email:` section.
    public static let keys = ["from", "to", "smtp_url", "smtp_tls", "smtp_ca_file", "report_url"]

    /// Reads the `email:` section.
    public static func read(_ node: YAMLValue) throws -> EmailSettings {
        let object = try node.object("email", allowed: keys)
        var settings = EmailSettings()
        settings.from = try object.string("from")
        settings.to = try object.stringList("to") ?? []
        settings.smtpURL = try object.string("smtp_url")
        settings.caFile = try object.string("smtp_ca_file")
        settings.reportURL = try object.string("report_url")
        if let text = try object.string("smtp_tls") {
            guard let policy = TLSPolicy(rawValue: text) else {
                throw try object.required("smtp_tls").error(
                    "unknown smtp_tls '\(text)' in email; valid values: \(TLSPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.tls = policy
        }
        return settings
    }

    /// Environment overrides: `RECKON_SMTP_URL`, `RECKON_SMTP_PASSWORD`, `RECKON_EMAIL_TO`
    /// (comma-separated), `RECKON_EMAIL_FROM`, `RECKON_SMTP_TLS`, `RECKON_SMTP_CA_FILE`,
    /// `RECKON_REPORT_URL`.
    public mutating func applyEnvironment(_ environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        smtpURL = value("RECKON_SMTP_URL") ?? smtpURL
        password = value("RECKON_SMTP_PASSWORD") ?? password
        from = value("RECKON_EMAIL_FROM") ?? from
        caFile = value("RECKON_SMTP_CA_FILE") ?? caFile
        reportURL = value("RECKON_REPORT_URL") ?? reportURL
        if let recipients = value("RECKON_EMAIL_TO") {
            to = recipients.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let text = value("RECKON_SMTP_TLS") {
            guard let policy = TLSPolicy(rawValue: text) else {
                throw InputFileError(
                    file: "RECKON_SMTP_TLS", line: 0, column: 0,
                    message: "unknown value '\(text)'; valid values: \(TLSPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = policy
        }
    }
}
