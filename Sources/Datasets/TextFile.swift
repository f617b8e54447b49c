// Reading text files as bytes: one read, one UTF-8 check, then lines and fields as byte ranges.
//
// Readers parse bytes rather than Swift `String`s because a million-line file must load in well under
// a second; strings are made only for tokens the first time they are seen (see TokenInterner).

import Foundation

/// How the bytes of a text file are to be decoded.
public enum TextEncoding: Sendable {
    /// UTF-8 (a leading byte-order mark is skipped); anything else is an error naming the line.
    case utf8
    /// ISO-8859-1, as the original MovieLens 100K `u.item` is written; every byte decodes.
    case latin1
}

/// A whole text file held as UTF-8 bytes, with the name to put in error messages.
struct TextFile {
    /// The path as the caller gave it.
    let path: String
    /// The content, valid UTF-8, without a byte-order mark.
    let bytes: [UInt8]

    /// Reads `path`, checking that it exists, is a file, and decodes.
    /// Files up to 4 GiB: every token and event takes at least two bytes, so ids and counts then
    /// fit the Int32 indices used everywhere downstream.
    static let maximumSize = 1 << 32

    static func read(_ path: String, encoding: TextEncoding = .utf8) throws -> TextFile {
        let raw = try readBytes(path)
        guard raw.count < maximumSize else {
            throw DataError(file: path, line: nil, "larger than 4 GiB (\(raw.count) bytes); ids are 32-bit, so filter or split the file first")
        }
        switch encoding {
        case .latin1:
            return TextFile(path: path, bytes: latin1ToUTF8(raw))
        case .utf8:
            var bytes = raw
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
                bytes.removeFirst(3)
            }
            if let bad = firstInvalidUTF8(bytes) {
                let line = 1 + bytes[..<bad].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                throw DataError(
                    file: path, line: line,
                    "undecodable text at byte \(bad): expected UTF-8; re-encode the file "
                        + "(for example `iconv -f latin1 -t utf-8`)")
            }
            return TextFile(path: path, bytes: bytes)
        }
    }

    /// Calls `body` for every non-blank line with its 1-based number and byte range (no line ending).
    /// Blank lines are skipped, as pandas does when RecBole reads its files.
    func forEachLine(_ body: (_ number: Int, _ range: Range<Int>) throws -> Void) rethrows {
        let n = bytes.count
        var start = 0
        var number = 0
        while start < n {
            number += 1
            var end = start
            while end < n && bytes[end] != 10 { end += 1 }
            var stop = end
            if stop > start && bytes[stop - 1] == 13 { stop -= 1 }
            if stop > start { try body(number, start..<stop) }
            start = end + 1
        }
    }

    /// The text of a byte range (already known to be valid UTF-8).
    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The text of a byte range, shortened for quoting in an error message.
    func quoted(_ range: Range<Int>) -> String {
        let s = string(range)
        return s.count > 40 ? "'\(s.prefix(40))…'" : "'\(s)'"
    }
}

/// Reads the raw bytes of a file, with an error that says what is wrong with the path.
func readBytes(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DataError(file: path, line: nil, "no such file; check the path (relative paths start at the working directory)")
    }
    guard !isDirectory.boolValue else {
        throw DataError(file: path, line: nil, "is a directory; expected a file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError(file: path, line: nil, "cannot be read; check its permissions")
    }
    return [UInt8](data)
}

/// The offset of the first byte that is not part of a valid UTF-8 sequence, or nil.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { b -> Int? in
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the first continuation byte
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F  // excludes UTF-16 surrogates
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: return i
            }
            if i + need >= n { return i }  // truncated sequence at the end of the file
            for k in 1...need {
                let d = b[i + k]
                let lo: UInt8 = k == 1 ? low : 0x80, hi: UInt8 = k == 1 ? high : 0xBF
                if d < lo || d > hi { return i }
            }
            i += need + 1
        }
        return nil
    }
}

/// ISO-8859-1 bytes re-encoded as UTF-8 (each byte is the code point of the same value).
func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count + bytes.count / 16)
    for b in bytes {
        if b < 0x80 {
            out.append(b)
        } else {
            out.append(0xC0 | (b >> 6))
            out.append(0x80 | (b & 0x3F))
        }
    }
    return out
}

/// Splits `range` of `bytes` at every occurrence of `separator` (one or more bytes), into `fields`.
/// `fields` is cleared and refilled, so one buffer serves a whole file.
func splitFields(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, separator: [UInt8],
                 into fields: inout [Range<Int>]) {
    fields.removeAll(keepingCapacity: true)
    var start = range.lowerBound
    if separator.count == 1 {
        let s = separator[0]
        var i = start
        while i < range.upperBound {
            if bytes[i] == s {
                fields.append(start..<i)
                start = i + 1
            }
            i += 1
        }
    } else {
        let m = separator.count
        var i = start
        while i + m <= range.upperBound {
            var match = true
            for k in 0..<m where bytes[i + k] != separator[k] { match = false; break }
            if match {
                fields.append(start..<i)
                i += m
                start = i
            } else {
                i += 1
            }
        }
    }
    fields.append(start..<range.upperBound)
}

/// A range with ASCII spaces and tabs removed from both ends.
func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
    var lo = range.lowerBound, hi = range.upperBound
    while lo < hi && (bytes[lo] == 32 || bytes[lo] == 9) { lo += 1 }
    while hi > lo && (bytes[hi - 1] == 32 || bytes[hi - 1] == 9) { hi -= 1 }
    return lo..<hi
}

/// Parses a decimal integer (optional sign, digits only); nil on anything else or on overflow.
func parseInt(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
    var i = range.lowerBound
    guard i < range.upperBound else { return nil }
    var negative = false
    if bytes[i] == 45 || bytes[i] == 43 { negative = bytes[i] == 45; i += 1 }
    guard i < range.upperBound else { return nil }
    var value = 0
    while i < range.upperBound {
        let d = Int(bytes[i]) - 48
        guard d >= 0 && d <= 9 else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(d)
        guard !o1 && !o2 else { return nil }
        value = a
        i += 1
    }
    return negative ? -value : value
}

private let exactPowersOfTen: [Double] = (0...22).map { k in
    var p = 1.0
    for _ in 0..<k { p *= 10 }
    return p
}

/// Parses a finite decimal number; nil for anything else (including `nan` and `inf`).
///
/// Plain decimals with at most 15 digits are computed as an exact integer divided by an exact power of
/// ten, which is correctly rounded and so equals what `strtod` returns; other forms go through `Double`.
func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var i = range.lowerBound
    let end = range.upperBound
    guard i < end else { return nil }
    var negative = false
    if bytes[i] == 45 || bytes[i] == 43 { negative = bytes[i] == 45; i += 1 }
    var mantissa = 0
    var digits = 0
    var fraction = 0
    var seenPoint = false
    var simple = i < end
    while i < end {
        let c = bytes[i]
        if c >= 48 && c <= 57 {
            if digits < 15 {
                mantissa = mantissa * 10 + Int(c - 48)
                if seenPoint { fraction += 1 }
            } else {
                simple = false
                break
            }
            digits += 1
        } else if c == 46 && !seenPoint {
            seenPoint = true
        } else {
            simple = false
            break
        }
        i += 1
    }
    if simple && digits > 0 {
        let v = Double(mantissa) / exactPowersOfTen[fraction]
        return negative ? -v : v
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    // `Double` also accepts hexadecimal and `nan`/`inf`; only finite decimal text is a number here.
    guard text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }),
          let v = Double(text), v.isFinite
    else { return nil }
    return v
}
