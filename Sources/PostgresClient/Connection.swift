import CLibPQ
import Foundation

/// One libpq connection.
///
/// A `Connection` owns its `PGconn` and frees it in `deinit`. Results are copied into Swift
/// values and cleared before each call returns, so no libpq pointer escapes this module.
/// A connection is used by one task at a time (the pool hands it out exclusively); it is
/// `@unchecked Sendable` so that it can be moved to the thread that runs a blocking call,
/// and its only shared mutable state, the cancel handle, is guarded by a lock.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let cancelLock = NSLock()
    private var cancelHandle: OpaquePointer?
    /// The connection string with the password masked, for messages.
    public let maskedConnectionString: String

    private init(handle: OpaquePointer, maskedConnectionString: String) {
        self.handle = handle
        self.maskedConnectionString = maskedConnectionString
        self.cancelHandle = PQgetCancel(handle)
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        cancelLock.lock()
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        cancelLock.unlock()
        PQfinish(handle)
    }

    /// Opens a connection with a libpq connection string or URI.
    ///
    /// The string is first parsed by libpq (`PQconninfoParse`): a malformed one throws a
    /// `ConnectionStringError` saying what is wrong, without quoting it. The usual `PG*`
    /// environment variables fill in what the string leaves out. A failure to connect
    /// throws a `.connection` error that names the target (host or socket, port) and
    /// libpq's reason, with any password removed.
    public static func connect(_ conninfo: String) throws -> Connection {
        _ = try ConnectionString.parse(conninfo)
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        let masked = ConnectionString.masked(conninfo)
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = ConnectionString.redacted(String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace)
            let host = PQhost(handle).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            let port = PQport(handle).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            PQfinish(handle)
            // libpq checks option values (port, sslmode …) only when connecting: still bad input.
            if reason.hasPrefix("invalid ") { throw ConnectionStringError(reason: flattened(reason)) }
            let where_ = host.hasPrefix("/") ? "socket \(host) port \(port)" : "host \(host) port \(port)"
            throw PostgresError(
                kind: .connection,
                message: "cannot connect to PostgreSQL at \(where_): \(flattened(reason))")
        }
        let connection = Connection(handle: handle, maskedConnectionString: masked)
        try connection.execute("set client_min_messages = warning", name: "session setup")
        return connection
    }

    /// The server's major version number (e.g. 15).
    public var serverMajorVersion: Int { Int(PQserverVersion(handle)) / 10000 }

    /// Runs one statement with text parameters (`$1`, `$2` …) and returns its rows.
    ///
    /// - Parameters:
    ///   - sql: one SQL statement; values are bound, never spliced into the text.
    ///   - name: a name for progress lines and errors (a model step, a check).
    ///   - parameters: values for `$1…`; `nil` is SQL NULL.
    @discardableResult
    public func execute(_ sql: String, name: String, _ parameters: [String?] = []) throws -> QueryResult {
        let running = RunningStatements.shared.begin(name)
        defer { RunningStatements.shared.end(running) }
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0)
        } else {
            var cStrings: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
            defer { for pointer in cStrings { free(pointer) } }
            result = cStrings.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                    PQexecParams(handle, sql, Int32(parameters.count), nil, $0, nil, nil, 0)
                }
            }
        }
        return try consume(result, name: name)
    }

    /// Runs a script of several statements separated by `;` in one round trip
    /// (the simple query protocol); returns the last statement's result.
    @discardableResult
    public func executeScript(_ sql: String, name: String) throws -> QueryResult {
        let running = RunningStatements.shared.begin(name)
        defer { RunningStatements.shared.end(running) }
        var last = QueryResult(columnNames: [], columnTypes: [], rows: [], affectedRows: 0)
        guard PQsendQuery(handle, sql) == 1 else {
            throw clientError(name: name)
        }
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            do {
                last = try consume(result, name: name)
            } catch let error as PostgresError {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return last
    }

    /// Runs `copy … from stdin` and streams rows written by `body` to the server.
    ///
    /// Rows are buffered in 256 KiB chunks, so memory stays flat however many rows pass.
    /// - Returns: the number of rows the server reports as copied.
    @discardableResult
    public func copyIn(_ sql: String, name: String, _ body: (inout CopyWriter) throws -> Void) throws -> Int {
        let running = RunningStatements.shared.begin(name)
        defer { RunningStatements.shared.end(running) }
        let start = PQexec(handle, sql)
        guard let start else { throw clientError(name: name) }
        let status = PQresultStatus(start)
        guard status == PGRES_COPY_IN else {
            _ = try consume(start, name: name)
            throw PostgresError(kind: .client, message: "statement did not start COPY FROM STDIN", statementName: name)
        }
        PQclear(start)
        var writer = CopyWriter(sink: { [handle] bytes in
            let sent = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    PQputCopyData(handle, $0, Int32(buffer.count))
                }
            }
            if sent != 1 { throw PostgresError(kind: .client, message: "COPY data could not be sent") }
        })
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            PQputCopyEnd(handle, "reckon aborted the copy: \(error)")
            while let result = PQgetResult(handle) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw clientError(name: name) }
        var copied = 0
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            do {
                copied = try consume(result, name: name).affectedRows
            } catch let error as PostgresError {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return copied
    }

    /// Asks the server to cancel the statement this connection is running now.
    ///
    /// Safe to call from any thread (a signal handler's queue, a time-out); the running
    /// call then throws a `.cancelled` error.
    public func cancel() {
        cancelLock.lock()
        defer { cancelLock.unlock() }
        guard let cancelHandle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
    }

    /// Whether the connection is still usable (not broken by a network or server failure).
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    private func clientError(name: String) -> PostgresError {
        PostgresError(
            kind: .client, message: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace,
            statementName: name)
    }

    private func consume(_ result: OpaquePointer?, name: String) throws -> QueryResult {
        guard let result else { throw clientError(name: name) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(
                columnNames: [], columnTypes: [], rows: [], affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            let types = (0..<columnCount).map { UInt32(PQftype(result, Int32($0))) }
            var rows: [[String?]] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(columnCount)
                for column in 0..<columnCount {
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                        values.append(nil)
                    } else {
                        values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                    }
                }
                rows.append(values)
            }
            return QueryResult(columnNames: names, columnTypes: types, rows: rows, affectedRows: rowCount)
        default:
            func field(_ code: UInt8) -> String? {
                PQresultErrorField(result, Int32(code)).map { String(cString: $0).trimmingTrailingWhitespace }
            }
            let sqlState = field(UInt8(ascii: "C"))
            let message =
                field(UInt8(ascii: "M"))
                ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingWhitespace
            throw PostgresError(
                kind: sqlState == "57014" ? .cancelled : (sqlState == nil ? .client : .server),
                sqlState: sqlState, message: message.isEmpty ? "unknown libpq error" : message,
                detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")), statementName: name)
        }
    }
}

/// Joins a multi-line libpq message into one line.
func flattened(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
}
