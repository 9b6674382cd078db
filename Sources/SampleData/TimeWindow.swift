/// The fixed calendar of the sample data: 90 UTC days ending 2026-10-31.
///
/// Times are kept as seconds (or milliseconds) since the window's first midnight, and turned
/// into PostgreSQL text with precomputed `YYYY-MM-DD ` prefixes per day, which is much
/// faster than a date formatter in loops that write millions of timestamps.
struct TimeWindow: Sendable {
    /// Number of days in the window.
    static let dayCount = 90
    /// Seconds in a day.
    static let secondsPerDay = 86_400
    /// Days before the window start that have a prefix (campaigns created up to a year earlier).
    private static let daysBefore = 400
    /// Days after the window end that have a prefix.
    private static let daysAfter = 60

    /// `YYYY-MM-DD` of every covered day, ten bytes each, from `-daysBefore`.
    private let datePrefixes: [UInt8]
    /// Weekday (0 = Monday) of the window's first day.
    let firstWeekday: Int

    init() {
        // Window: 2026-08-03 … 2026-10-31 (90 days).
        let firstDay = TimeWindow.daysFromCivil(year: 2026, month: 8, day: 3)
        var prefixes: [UInt8] = []
        let total = TimeWindow.daysBefore + TimeWindow.dayCount + TimeWindow.daysAfter
        prefixes.reserveCapacity(total * 10)
        for offset in 0..<total {
            let (year, month, day) = TimeWindow.civilFromDays(firstDay - TimeWindow.daysBefore + offset)
            var builder = TextBuilder()
            builder.appendDigits(year, width: 4)
            builder.append(UInt8(ascii: "-"))
            builder.appendDigits(month, width: 2)
            builder.append(UInt8(ascii: "-"))
            builder.appendDigits(day, width: 2)
            prefixes.append(contentsOf: builder.bytes)
        }
        datePrefixes = prefixes
        // 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
        firstWeekday = ((firstDay % 7) + 7 + 3) % 7
    }

    /// Seconds from the window start to the end of its last day (exclusive bound of all data).
    static let endSecond = dayCount * secondsPerDay

    /// Appends `YYYY-MM-DD` of the given day (0 = first window day; may be negative).
    @inline(__always)
    func appendDate(day: Int, to builder: inout TextBuilder) {
        let offset = (clampDay(day) + TimeWindow.daysBefore) * 10
        for index in offset..<(offset + 10) {
            builder.append(datePrefixes[index])
        }
    }

    /// Appends `YYYY-MM-DD HH:MM:SS+00` for a second relative to the window start.
    @inline(__always)
    func appendTimestamp(second: Int, to builder: inout TextBuilder) {
        let day = floorDivide(second, TimeWindow.secondsPerDay)
        let secondOfDay = second - day * TimeWindow.secondsPerDay
        appendDate(day: day, to: &builder)
        appendClock(secondOfDay: secondOfDay, to: &builder)
        builder.append(UInt8(ascii: "+"))
        builder.append(UInt8(ascii: "0"))
        builder.append(UInt8(ascii: "0"))
    }

    /// Appends `YYYY-MM-DD HH:MM:SS.mmm+00` for a millisecond relative to the window start.
    @inline(__always)
    func appendTimestamp(millisecond: Int, to builder: inout TextBuilder) {
        let second = floorDivide(millisecond, 1000)
        let day = floorDivide(second, TimeWindow.secondsPerDay)
        appendDate(day: day, to: &builder)
        appendClock(secondOfDay: second - day * TimeWindow.secondsPerDay, to: &builder)
        builder.append(UInt8(ascii: "."))
        builder.appendDigits(millisecond - second * 1000, width: 3)
        builder.append(UInt8(ascii: "+"))
        builder.append(UInt8(ascii: "0"))
        builder.append(UInt8(ascii: "0"))
    }

    @inline(__always)
    private func appendClock(secondOfDay: Int, to builder: inout TextBuilder) {
        builder.append(UInt8(ascii: " "))
        builder.appendDigits(secondOfDay / 3600, width: 2)
        builder.append(UInt8(ascii: ":"))
        builder.appendDigits((secondOfDay / 60) % 60, width: 2)
        builder.append(UInt8(ascii: ":"))
        builder.appendDigits(secondOfDay % 60, width: 2)
    }

    @inline(__always)
    private func clampDay(_ day: Int) -> Int {
        min(max(day, -TimeWindow.daysBefore), TimeWindow.dayCount + TimeWindow.daysAfter - 1)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Integer division rounding towards negative infinity.
@inline(__always)
func floorDivide(_ dividend: Int, _ divisor: Int) -> Int {
    let quotient = dividend / divisor
    return (dividend % divisor != 0 && (dividend < 0) != (divisor < 0)) ? quotient - 1 : quotient
}
