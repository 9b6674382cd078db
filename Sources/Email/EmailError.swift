import Foundation

/// Why an email could not be built or sent; every text is free of the SMTP password.
public enum EmailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address that is not a plain `local@domain` (or `Name <local@domain>`).
    case badAddress(String)
    /// A setting missing for sending (`from`, recipients, `smtp_url`).
    case missingSetting(String)
    /// The SMTP exchange failed: libcurl's reason and the server's last replies.
    case sendFailed(url: String, reason: String, serverReply: String)

    /// One sentence for people.
    public var description: String {
        switch self {
        case .badAddress(let text):
            return "'\(text)' is not an email address (expected name@example.com or Name <name@example.com>)"
        case .missingSetting(let text):
            return text
        case .sendFailed(let url, let reason, let serverReply):
            let reply = serverReply.isEmpty ? "" : "; the server replied: \(serverReply)"
            return "sending the email through \(url) failed: \(reason)\(reply)"
        }
    }
}
