/// Writes rows in PostgreSQL's text COPY format and hands full buffers to the server.
///
/// Fields are separated by tabs and rows end in a newline; backslash, tab, newline and
/// carriage return are escaped and `nil` becomes `\N`. The buffer is flushed every 256 KiB,
/// so a COPY of millions of rows uses constant memory.
public struct CopyWriter {
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    private let sink: ([UInt8]) throws -> Void
    private static let flushThreshold = 256 * 1024
    /// Rows finished so far.
    public private(set) var rowsWritten = 0

    init(sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.append(0x09) }
        fieldsInRow += 1
    }

    /// Appends a text field, escaped; `nil` is SQL NULL.
    public mutating func field(_ value: String?) {
        guard let value else {
            nullField()
            return
        }
        separate()
        for byte in value.utf8 {
            switch byte {
            case 0x5C:
                buffer.append(0x5C)
                buffer.append(0x5C)
            case 0x09:
                buffer.append(0x5C)
                buffer.append(0x74)
            case 0x0A:
                buffer.append(0x5C)
                buffer.append(0x6E)
            case 0x0D:
                buffer.append(0x5C)
                buffer.append(0x72)
            case 0x00: break
            default: buffer.append(byte)
            }
        }
    }

    /// Appends an integer field.
    public mutating func field(_ value: Int) {
        separate()
        fieldRawBytes(value)
    }

    /// Appends an integer field or NULL.
    public mutating func field(_ value: Int?) {
        guard let value else {
            nullField()
            return
        }
        field(value)
    }

    /// Appends a boolean field (`t`/`f`).
    public mutating func field(_ value: Bool) {
        separate()
        buffer.append(value ? 0x74 : 0x66)
    }

    /// Appends text known to need no escaping (digits, timestamps, ids).
    public mutating func fieldRaw(_ value: String) {
        separate()
        buffer.append(contentsOf: value.utf8)
    }

    /// Appends SQL NULL.
    public mutating func nullField() {
        separate()
        buffer.append(0x5C)
        buffer.append(0x4E)
    }

    private mutating func fieldRawBytes(_ value: Int) {
        if value == 0 {
            buffer.append(0x30)
            return
        }
        var magnitude = value.magnitude
        if value < 0 { buffer.append(0x2D) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { storage in
            while magnitude > 0 {
                storage[count] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(storage[index]) }
        }
    }

    /// Ends the current row; flushes when the buffer is full.
    public mutating func endRow() throws {
        buffer.append(0x0A)
        fieldsInRow = 0
        rowsWritten += 1
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
