/// A reusable byte buffer for assembling one field's text without intermediate strings.
///
/// Row writers keep one builder per table and reuse its storage for every field, so a
/// field costs a single `String` allocation however many pieces it is made of.
struct TextBuilder {
    /// The bytes of the field being built.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// Removes the bytes, keeping the storage.
    @inline(__always)
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Returns the bytes as a string and empties the builder.
    @inline(__always)
    mutating func take() -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        bytes.removeAll(keepingCapacity: true)
        return text
    }

    /// True when nothing has been appended since the last `take()` or `reset()`.
    var isEmpty: Bool { bytes.isEmpty }

    /// Removes the last byte.
    mutating func removeLast() {
        bytes.removeLast()
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    @inline(__always)
    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    @inline(__always)
    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    /// Appends a non-negative decimal number.
    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(-value)
            return
        }
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        let start = bytes.count
        var remaining = value
        while remaining > 0 {
            bytes.append(UInt8(truncatingIfNeeded: remaining % 10) &+ 48)
            remaining /= 10
        }
        bytes[start...].reverse()
    }

    /// Appends exactly `width` decimal digits (zero-padded; higher digits are dropped).
    @inline(__always)
    mutating func appendDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: (remaining / divisor) % 10) &+ 48)
            remaining %= divisor
            divisor /= 10
        }
    }

    /// Appends minor units as a decimal amount with two decimals, e.g. `1234` → `12.34`.
    mutating func appendCents(_ cents: Int) {
        if cents < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = cents < 0 ? -cents : cents
        appendDecimal(magnitude / 100)
        bytes.append(UInt8(ascii: "."))
        appendDigits(magnitude % 100, width: 2)
    }

    /// Appends the low `count` hexadecimal digits of `value`, most significant first.
    @inline(__always)
    mutating func appendHex(_ value: UInt64, count: Int) {
        var shift = (count - 1) * 4
        while shift >= 0 {
            bytes.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// Appends a UUID-shaped identifier (8-4-4-4-12 lower-case hex) built from two words.
    @inline(__always)
    mutating func appendUUID(high: UInt64, low: UInt64) {
        appendHex(high >> 32, count: 8)
        bytes.append(UInt8(ascii: "-"))
        appendHex(high >> 16, count: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(high, count: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(low >> 48, count: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(low, count: 12)
    }

    /// Appends `count` base-62 characters of `value` (Stripe-style ids).
    mutating func appendBase62(_ value: UInt64, count: Int) {
        var remaining = value
        for _ in 0..<count {
            bytes.append(base62Digits[Int(remaining % 62)])
            remaining /= 62
        }
    }

    /// Appends `text` percent-encoded as a URL query value: unreserved ASCII stays, a space
    /// becomes `+` when `plusForSpace` is set (else `%20`), every other byte becomes `%XX`.
    mutating func appendQueryEncoded(_ text: String, plusForSpace: Bool) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: " ") where plusForSpace:
                bytes.append(UInt8(ascii: "+"))
            default:
                bytes.append(UInt8(ascii: "%"))
                bytes.append(upperHexDigits[Int(byte >> 4)])
                bytes.append(upperHexDigits[Int(byte & 0xF)])
            }
        }
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
private let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
private let base62Digits: [UInt8] = Array(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
