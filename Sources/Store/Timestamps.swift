// Timestamps are stored as ISO 8601 UTC text with milliseconds ("2025-11-23T10:44:03.123Z"): readable
// in the sqlite3 shell and sorting as text sorts in time. Conversion goes through whole milliseconds
// as integers, so a date the store made reads back identical (a formatter could truncate .123 to .122
// from the nearest double).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Timestamp {
    /// Now, as a whole number of milliseconds, so what `beginRun` returns equals what a read gives back.
    static func now() -> Date { date(milliseconds: milliseconds(Date())) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    static func text(_ date: Date) -> String {
        let ms = milliseconds(date)
        var seconds = time_t(ms.floorDiv(1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(ms.floorMod(1000)))
    }

    static func date(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: b[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let ms = number(20..<23) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return date(milliseconds: Int64(timegm(&parts)) * 1000 + Int64(ms))
    }
}

extension Int64 {
    // Floor division so dates before 1970 still split into whole seconds and a non-negative remainder.
    fileprivate func floorDiv(_ d: Int64) -> Int64 { (self - floorMod(d)) / d }
    fileprivate func floorMod(_ d: Int64) -> Int64 { ((self % d) + d) % d }
}
