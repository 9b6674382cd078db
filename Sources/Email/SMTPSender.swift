import CLibCurl
import Foundation
import ReckonCore

/// Sends a rendered message over SMTP with libcurl: `smtp://` with STARTTLS when the server
/// offers it (or required, with `TLSPolicy.required`), `smtps://` with TLS from the start,
/// AUTH when the URL names a user and a password is given. One attempt, no retries: a failure
/// throws `EmailError.sendFailed` with the server's replies, the password masked.
public struct SMTPSender: Sendable {
    /// `smtp://[user@]host[:port]` or `smtps://[user@]host[:port]`.
    public var url: String
    /// STARTTLS policy on `smtp://`.
    public var tls: EmailSettings.TLSPolicy
    /// The password for AUTH, if any.
    public var password: String?
    /// PEM file of certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// Seconds allowed to connect, and for the whole exchange.
    public var connectTimeoutSeconds = 20
    /// Seconds allowed for the whole exchange.
    public var timeoutSeconds = 120

    /// Creates a sender.
    public init(url: String, tls: EmailSettings.TLSPolicy = .opportunistic, password: String? = nil, caFile: String? = nil) {
        self.url = url
        self.tls = tls
        self.password = password
        self.caFile = caFile
    }

    /// The URL for people: any password in it replaced by `***`.
    public var maskedURL: String { mask(Self.maskURLPassword(url)) }

    /// Sends `message` (CRLF text) from `sender` to `recipients` (bare addresses).
    public func send(_ message: String, from sender: String, to recipients: [String]) throws {
        guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://") else {
            throw EmailError.missingSetting("smtp_url must start with smtp:// or smtps://, found '\(maskedURL)'")
        }
        guard !recipients.isEmpty else { throw EmailError.missingSetting("no recipient: give --to, email.to or RECKON_EMAIL_TO") }
        _ = Self.globalInit
        guard let handle = curl_easy_init() else {
            throw EmailError.sendFailed(url: maskedURL, reason: "libcurl could not start", serverReply: "")
        }
        defer { curl_easy_cleanup(handle) }
        let exchange = Exchange(body: Data(message.utf8))
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipientList) }
        for recipient in recipients {
            recipientList = curl_slist_append(recipientList, "<\(recipient)>")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        let useSSL = tls == .required ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue
        var setup: [CURLcode] = []
        setup.append(reckon_curl_set_string(handle, CURLOPT_URL, url))
        setup.append(reckon_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>"))
        setup.append(reckon_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipientList))
        setup.append(reckon_curl_set_long(handle, CURLOPT_UPLOAD, 1))
        setup.append(reckon_curl_set_long(handle, CURLOPT_INFILESIZE, exchange.body.count))
        setup.append(reckon_curl_set_read_function(handle, readCallback))
        setup.append(reckon_curl_set_pointer(handle, CURLOPT_READDATA, context))
        setup.append(reckon_curl_set_long(handle, CURLOPT_VERBOSE, 1))
        setup.append(reckon_curl_set_debug_function(handle, debugCallback))
        setup.append(reckon_curl_set_pointer(handle, CURLOPT_DEBUGDATA, context))
        setup.append(reckon_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))
        setup.append(reckon_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeoutSeconds))
        setup.append(reckon_curl_set_long(handle, CURLOPT_TIMEOUT, timeoutSeconds))
        setup.append(reckon_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        setup.append(reckon_curl_set_long(handle, CURLOPT_USE_SSL, Int(useSSL)))
        if let password { setup.append(reckon_curl_set_string(handle, CURLOPT_PASSWORD, password)) }
        if let caFile { setup.append(reckon_curl_set_string(handle, CURLOPT_CAINFO, caFile)) }
        let code = setup.first(where: { $0 != CURLE_OK }) ?? curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let buffered = String(cString: errorBuffer)
            let reason = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
            throw EmailError.sendFailed(
                url: maskedURL, reason: mask(reason.trimmingCharacters(in: .whitespacesAndNewlines)),
                serverReply: mask(exchange.lastReplies()))
        }
    }

    /// `text` with the password, and its base64 forms as AUTH sends them, replaced by `***`.
    func mask(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        var masked = text.replacingOccurrences(of: password, with: "****")
        let encoded = Data(password.utf8).base64EncodedString()
        masked = masked.replacingOccurrences(of: encoded, with: "****")
        if let percent = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics), percent != password {
            masked = masked.replacingOccurrences(of: percent, with: "****")
        }
        return masked
    }

    /// `smtp://user:secret@host` → `smtp://user:***@host`.
    static func maskURLPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
            let colon = rest[..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<rest.index(after: colon)]) + "****" + String(rest[at...])
    }

    /// libcurl's process-wide initialisation, done once.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}

/// The state one transfer's callbacks share: the message being uploaded and the server's
/// replies. Only touched from the thread running `curl_easy_perform`.
private final class Exchange {
    let body: Data
    var offset = 0
    var replies: [String] = []

    init(body: Data) { self.body = body }

    /// The server's last few reply lines, one line.
    func lastReplies() -> String {
        replies.suffix(3).joined(separator: " | ")
    }
}

/// libcurl asks for the next bytes of the message.
private func readCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, exchange.body.count - exchange.offset)
    guard length > 0 else { return 0 }
    exchange.body.withUnsafeBytes { bytes in
        guard let base = bytes.baseAddress else { return }
        memcpy(buffer, base + exchange.offset, length)
    }
    exchange.offset += length
    return length
}

/// libcurl reports protocol traffic; the server's reply lines are kept (never what reckon sent).
private func debugCallback(
    _ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?, _ size: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
    let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    for line in text.split(whereSeparator: \.isNewline) where !line.isEmpty {
        exchange.replies.append(String(line.prefix(300)))
        if exchange.replies.count > 50 { exchange.replies.removeFirst() }
    }
    return 0
}
