import Foundation

/// A real SMTP server on loopback for the email tests: Debian's aiosmtpd driven by
/// `Tests/Scripts/smtp_server.py`, with optional STARTTLS or implicit TLS (a self-signed
/// certificate made with openssl), AUTH, and recipients it rejects.
public final class SMTPTestServer {
    /// How the server speaks TLS.
    public enum TLS: String, Sendable {
        case none, starttls, implicit
    }

    /// Where received messages land (`message-N.eml` and `message-N.json`).
    public let directory: URL
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// The CA file the client must trust (the self-signed certificate), when TLS is on.
    public let certificate: URL?
    private let process: Process
    private let input: Pipe

    /// Debian's python3 (it has aiosmtpd), else the first on PATH.
    public static let python: String = {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    }()

    /// Whether aiosmtpd can be imported.
    public static let available: Bool = {
        (try? run(python, ["-c", "import aiosmtpd"]).status) == 0
    }()

    /// Starts a server; returns once it listens.
    public init(
        tls: TLS = .none, requireStartTLS: Bool = false, user: String? = nil, password: String? = nil, reject: [String] = []
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = [Self.script("smtp_server.py").path, "--dir", directory.path, "--tls", tls.rawValue]
        if tls != .none {
            let cert = directory.appendingPathComponent("cert.pem")
            let key = directory.appendingPathComponent("key.pem")
            let made = try Self.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.path, "-out", cert.path,
                ])
            guard made.status == 0 else { throw SMTPTestServerError(message: "openssl failed: \(made.output)") }
            arguments += ["--cert", cert.path, "--key", key.path]
            certificate = cert
        } else {
            certificate = nil
        }
        if requireStartTLS { arguments.append("--require-starttls") }
        if let user, let password { arguments += ["--user", user, "--password", password] }
        for address in reject { arguments += ["--reject", address] }
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python.hasPrefix("/") ? Self.python : "/usr/bin/env")
        process.arguments = Self.python.hasPrefix("/") ? arguments : [Self.python] + arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        let deadline = Date().addingTimeInterval(20)
        while !line.contains("\n"), Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SMTPTestServerError(message: "the SMTP test server did not start: \(line)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Stops the server (closing its standard input).
    public func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The received messages, oldest first.
    public func messages() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The envelope of a received message: `mail_from`, `rcpt_tos`, `tls`, `authenticated`.
    public func envelope(of message: URL) throws -> Envelope {
        let url = message.deletingPathExtension().appendingPathExtension("json")
        return try JSONDecoder().decode(Envelope.self, from: Data(contentsOf: url))
    }

    /// What the server saw of a transaction.
    public struct Envelope: Decodable, Sendable {
        public var mail_from: String
        public var rcpt_tos: [String]
        public var tls: Bool
        public var authenticated: Bool
    }

    /// A received message as Python's `email` package reads it (Tests/Scripts/parse_message.py).
    public struct ParsedMessage: Decodable, Sendable {
        public var subject: String
        public var from: String
        public var to: [String]
        public var headerNames: [String]
        public var longestHeaderLine: Int
        public var rawHeaderIsASCII: Bool
        public var defects: [String]
        public var parts: [String]
        public var attachments: [String]
        public var html: String
        public var htmlBytes: Int
        public var text: String
    }

    /// Parses `message` (an .eml file) with Python's `email` package.
    public static func parse(_ message: URL) throws -> ParsedMessage {
        let outcome = try run(python, [script("parse_message.py").path, message.path])
        guard outcome.status == 0 else { throw SMTPTestServerError(message: "parse_message.py failed: \(outcome.output)") }
        return try JSONDecoder().decode(ParsedMessage.self, from: Data(outcome.output.utf8))
    }

    static func script(_ name: String) -> URL {
        TestDatabase.repositoryRoot.appendingPathComponent("Tests/Scripts").appendingPathComponent(name)
    }

    /// Runs a program to its end; stdout (and stderr, after it) as one text.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = ((try? String(contentsOf: out, encoding: .utf8)) ?? "") + ((try? String(contentsOf: err, encoding: .utf8)) ?? "")
        return (process.terminationStatus, text)
    }
}

/// The SMTP test server could not start or a message could not be parsed.
public struct SMTPTestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
