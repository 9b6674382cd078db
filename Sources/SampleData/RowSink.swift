/// Where generated rows go: a COPY stream in production, a checksum or a collector in tests.
///
/// The methods mirror `PostgresClient.CopyWriter` (text COPY format), so the writer conforms
/// without adapters and the generators are specialised for it.
public protocol RowSink {
    /// Appends a text field; `nil` is SQL NULL. The sink escapes what its format requires.
    mutating func field(_ value: String?)
    /// Appends an integer field.
    mutating func field(_ value: Int)
    /// Appends a boolean field.
    mutating func field(_ value: Bool)
    /// Appends text that needs no escaping (digits, timestamps, ids).
    mutating func fieldRaw(_ value: String)
    /// Appends SQL NULL.
    mutating func nullField()
    /// Ends the current row.
    mutating func endRow() throws
    /// Appends several fields at once: `text` holds them in COPY text form, separated by
    /// tabs, `\N` for NULL, nothing needing escapes. The hot path of the large tables, one
    /// string per row instead of one per field.
    mutating func fieldsRaw(_ text: String)
}

extension RowSink {
    /// Splits `text` on tabs into fields (`\N` is NULL); for sinks that keep fields apart.
    mutating func splitFieldsRaw(_ text: String) {
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == 0x09 {
                let field = Substring(bytes[start..<index])
                if field == "\\N" { nullField() } else { fieldRaw(String(field)) }
                if atEnd { return }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
    }
}

/// A sink that folds every field into a 64-bit FNV-1a checksum and counts rows; used to
/// prove that a seed reproduces the same data without keeping it.
public struct ChecksumSink: RowSink {
    /// The running checksum over all fields, field boundaries and NULLs.
    public private(set) var checksum: UInt64 = 0xCBF2_9CE4_8422_2325
    /// Rows ended so far.
    public private(set) var rows = 0

    /// Creates an empty checksum.
    public init() {}

    @inline(__always)
    private mutating func fold(_ byte: UInt8) {
        checksum = (checksum ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    private mutating func fold(text: String) {
        for byte in text.utf8 { fold(byte) }
        fold(0x1F)
    }

    /// Folds a text field (NULL folds a distinct marker).
    public mutating func field(_ value: String?) {
        if let value { fold(text: value) } else { nullField() }
    }

    /// Folds an integer field.
    public mutating func field(_ value: Int) { fold(text: String(value)) }

    /// Folds a boolean field.
    public mutating func field(_ value: Bool) { fold(text: value ? "t" : "f") }

    /// Folds a pre-formatted field.
    public mutating func fieldRaw(_ value: String) { fold(text: value) }

    /// Folds NULL as its COPY text form `\N` (as `fieldsRaw` sees it).
    public mutating func nullField() {
        fold(text: "\\N")
    }

    /// Folds each of the tab-separated fields, exactly as if they came one by one.
    public mutating func fieldsRaw(_ text: String) {
        for byte in text.utf8 { fold(byte == 0x09 ? 0x1F : byte) }
        fold(0x1F)
    }

    /// Folds the row boundary.
    public mutating func endRow() {
        fold(0x1E)
        rows += 1
    }
}

/// A sink that keeps every row as an array of optional strings; for tests on small data.
public struct CollectingSink: RowSink {
    /// The completed rows.
    public private(set) var rows: [[String?]] = []
    private var current: [String?] = []

    /// Creates an empty collector.
    public init() {}

    /// Keeps a text field.
    public mutating func field(_ value: String?) { current.append(value) }
    /// Keeps an integer field as its decimal text.
    public mutating func field(_ value: Int) { current.append(String(value)) }
    /// Keeps a boolean field as `t` or `f`, as PostgreSQL prints it.
    public mutating func field(_ value: Bool) { current.append(value ? "t" : "f") }
    /// Keeps a pre-formatted field.
    public mutating func fieldRaw(_ value: String) { current.append(value) }
    /// Keeps a NULL.
    public mutating func nullField() { current.append(nil) }
    /// Keeps each of the tab-separated fields.
    public mutating func fieldsRaw(_ text: String) { splitFieldsRaw(text) }
    /// Completes the row.
    public mutating func endRow() {
        rows.append(current)
        current.removeAll(keepingCapacity: true)
    }
}
