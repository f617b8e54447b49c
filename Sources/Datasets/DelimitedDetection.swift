// Delimited files as users hold them: a header naming the user, item, time and rating columns by one
// of their common names, or NextItNet-style session lines with no header at all. The detection never
// falls back silently: a header it cannot map is an error listing the columns and the arguments to
// use, and a file read as sessions says so in the load's description.

import Foundation

/// What a column of an interaction file holds.
public enum ColumnRole: String, CaseIterable, Sendable {
    /// The user (or session) id.
    case user
    /// The item id.
    case item
    /// When the interaction happened.
    case time
    /// An explicit rating.
    case rating

    /// Header names that announce the role, normalised by `normalisedColumnName` (lower case,
    /// without `_`, `-`, spaces and a RecBole `:type` suffix).
    var knownNames: Set<String> {
        switch self {
        case .user: return ["user", "userid", "uid", "users", "customerid", "reviewerid", "visitorid", "sessionid", "session"]
        case .item: return ["item", "itemid", "iid", "items", "movieid", "productid", "asin", "parentasin", "trackid", "songid", "bookid", "isbn", "articleid"]
        case .time: return ["timestamp", "time", "ts", "date", "datetime", "unixreviewtime", "eventtime"]
        case .rating: return ["rating", "ratings", "score", "stars", "overall"]
        }
    }
}

/// Lower case, without `_`, `-`, spaces and a RecBole `:token`-style type suffix: `user_id:token`,
/// `userId` and `User ID` all become `userid`.
func normalisedColumnName(_ name: String) -> String {
    let base = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
    return String(base.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
}

/// What a caller of `load` said about a delimited file; anything nil is detected.
public struct DelimitedRequest: Sendable, Equatable {
    /// The user column, by header name or 0-based position.
    public var user: ColumnMapping.Column?
    /// The item column.
    public var item: ColumnMapping.Column?
    /// The time column.
    public var time: ColumnMapping.Column?
    /// The rating column.
    public var rating: ColumnMapping.Column?
    /// Keep rows rated at least this.
    public var minRating: Double?
    /// The field separator.
    public var separator: String?

    /// A request; every part defaults to "detect".
    public init(user: ColumnMapping.Column? = nil, item: ColumnMapping.Column? = nil, time: ColumnMapping.Column? = nil,
                rating: ColumnMapping.Column? = nil, minRating: Double? = nil, separator: String? = nil) {
        self.user = user
        self.item = item
        self.time = time
        self.rating = rating
        self.minRating = minRating
        self.separator = separator
    }

    /// True when the caller named nothing, so session lines are still a possible reading.
    public var isEmpty: Bool { self == DelimitedRequest() }
}

/// How a delimited file will be read.
public enum DelimitedPlan: Equatable, Sendable {
    /// Rows of interactions, with this mapping; `header` is the header's names, if any.
    case columns(ColumnMapping, header: [String]?)
    /// NextItNet session lines: one user per line, items in order.
    case sessions
}

extension ColumnMapping: Equatable {
    public static func == (a: ColumnMapping, b: ColumnMapping) -> Bool {
        a.user == b.user && a.item == b.item && a.time == b.time && a.rating == b.rating && a.minRating == b.minRating
            && a.delimiter == b.delimiter && a.hasHeader == b.hasHeader && a.timeIsUnixSeconds == b.timeIsUnixSeconds
    }
}

extension DelimitedFile {
    /// Lines looked at to tell a header from data.
    static let sniffLines = 200

    /// Decides how to read `path`: by the caller's columns, by a header's common names, or (only when
    /// `allowSessions` and the caller named nothing) as comma-separated session lines.
    public static func plan(_ path: String, request: DelimitedRequest, allowSessions: Bool) throws -> DelimitedPlan {
        let lines = try leadingLines(path)
        // An empty file that may be session lines gets the session reader's own message.
        if lines.isEmpty && allowSessions && request.isEmpty { return .sessions }
        guard let first = lines.first else {
            throw DataError(file: path, line: nil, "is empty; expected a header line and one line per interaction")
        }
        let separator = request.separator ?? guessSeparator(path, first)
        guard !separator.isEmpty else { throw DataError.invalid("separator must not be empty; give e.g. \",\" or \"\\t\"") }
        let sepName = separator == "\t" ? "tab" : "'\(separator)'"
        let firstFields = fields(first, separator)
        let rest = lines.dropFirst().map { fields($0, separator) }
        let header = looksLikeHeader(firstFields, rest)
        let argumentsHint = "load(\"\(path)\", format: \"csv\", user: ..., item: ..., time: ..., rating: ...)"

        guard header else {
            if request.user == nil && request.item == nil && allowSessions && request.isEmpty && separator == "," {
                // Rows of user, item, rating, time without a header are not sessions: say so.
                if let (k, what) = interactionColumn([firstFields] + rest) {
                    throw DataError(file: path, line: 1,
                                    "has no header, and column \(k) holds \(what), so its lines look like interactions rather than sessions of item ids; name the columns by position, counting from 0, e.g. load(\"\(path)\", format: \"csv\", user: 0, item: 1\(what == "ratings" ? ", rating: \(k)" : ", time: \(k)")), or give format: \"sessions\" if each line is one user's items")
                }
                return .sessions
            }
            guard let user = request.user, let item = request.item else {
                throw DataError(file: path, line: 1,
                                "has no header line (its first line is \(firstFields.joined(separator: ", "))); name the columns by position, counting from 0: \(argumentsHint.replacingOccurrences(of: "user: ..., item: ...", with: "user: 0, item: 1"))")
            }
            for (role, column) in [("user", request.user), ("item", request.item), ("time", request.time), ("rating", request.rating)] {
                if case .name(let n)? = column {
                    throw DataError(file: path, line: 1, "the \(role) column is named '\(n)', but the file has no header line; give its position (0 is the first column)")
                }
            }
            return .columns(ColumnMapping(user: user, item: item, time: request.time, rating: request.rating,
                                          minRating: request.minRating, delimiter: separator, hasHeader: false), header: nil)
        }

        let names = firstFields
        let listed = names.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
        func find(_ role: ColumnRole, _ given: ColumnMapping.Column?, required: Bool) throws -> ColumnMapping.Column? {
            if let given {
                if case .name(let n) = given, !names.contains(n) {
                    throw DataError(file: path, line: 1, "no column '\(n)' for the \(role.rawValue); the header has \(listed) (separated by \(sepName))")
                }
                if case .index(let k) = given, !(0..<names.count).contains(k) {
                    throw DataError(file: path, line: 1, "the \(role.rawValue) column \(k) is outside the \(names.count) columns \(listed)")
                }
                return given
            }
            let matches = names.indices.filter { role.knownNames.contains(normalisedColumnName(names[$0])) }
            if matches.count > 1 {
                throw DataError(file: path, line: 1,
                                "more than one column could be the \(role.rawValue): \(matches.map { "'\(names[$0])'" }.joined(separator: " and ")); say which with \(role.rawValue): \"\(names[matches[0]])\" (the header has \(listed))")
            }
            if let k = matches.first { return .name(names[k]) }
            if required {
                throw DataError(file: path, line: 1,
                                "cannot tell which column holds the \(role.rawValue); the header has \(listed) (separated by \(sepName)); say which: \(argumentsHint)")
            }
            return nil
        }
        let user = try find(.user, request.user, required: true)!
        let item = try find(.item, request.item, required: true)!
        let time = try find(.time, request.time, required: false)
        let rating = try find(.rating, request.rating, required: request.minRating != nil)
        func position(_ c: ColumnMapping.Column) -> Int {
            switch c {
            case .index(let k): return k
            case .name(let n): return names.firstIndex(of: n) ?? -1
            }
        }
        let chosen = [("user", user), ("item", item)] + (time.map { [("time", $0)] } ?? []) + (rating.map { [("rating", $0)] } ?? [])
        for a in chosen.indices { for b in chosen.indices where b > a && position(chosen[a].1) == position(chosen[b].1) {
            throw DataError(file: path, line: 1, "the \(chosen[a].0) and the \(chosen[b].0) are both column '\(names[position(chosen[a].1)])'; give different columns")
        } }
        return .columns(ColumnMapping(user: user, item: item, time: time, rating: rating, minRating: request.minRating,
                                      delimiter: separator, hasHeader: true), header: names)
    }

    /// A header is a first line that names a known column, or whose field is text where every later
    /// line has a number in that column (the test Python's csv.Sniffer makes).
    static func looksLikeHeader(_ first: [String], _ rest: [[String]]) -> Bool {
        if first.contains(where: { name in ColumnRole.allCases.contains { $0.knownNames.contains(normalisedColumnName(name)) } }) {
            return true
        }
        for (k, field) in first.enumerated() where !isNumber(field) {
            let column = rest.compactMap { k < $0.count ? $0[k] : nil }
            if !column.isEmpty && column.allSatisfy(isNumber) { return true }
        }
        return false
    }

    /// A column that shows headerless lines are interaction rows: every line as wide (3 to 5
    /// fields) and one column holding only ratings (numbers 0 to 10, at most 11 values) or Unix
    /// times (numbers of 10^8 or more). Session lines hold item ids in every column.
    static func interactionColumn(_ lines: [[String]]) -> (Int, String)? {
        guard let width = lines.first?.count, (3...5).contains(width), lines.count >= 2,
              lines.allSatisfy({ $0.count == width }) else { return nil }
        for k in 0..<width {
            let values = lines.compactMap { Double($0[k]) }
            guard values.count == lines.count else { continue }
            if values.allSatisfy({ $0 >= 0 && $0 <= 10 }) && Set(values).count <= 11 && Set(values).count < lines.count { return (k, "ratings") }
            if values.allSatisfy({ $0 >= 1e8 }) { return (k, "Unix times") }
        }
        return nil
    }

    static func isNumber(_ s: String) -> Bool {
        Array(s.utf8).withUnsafeBufferPointer { parseDouble($0, 0..<$0.count) != nil }
    }

    /// Tab for `.tsv`/`.tab` files; otherwise the one of comma, tab, semicolon and `|` the first
    /// line holds (a comma when it holds several or none).
    static func guessSeparator(_ path: String, _ first: String) -> String {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return "\t" }
        let present = [",", "\t", ";", "|"].filter { first.contains($0) }
        return present.count == 1 ? present[0] : ","
    }

    /// The fields of one line, trimmed, with surrounding double quotes removed.
    static func fields(_ line: String, _ separator: String) -> [String] {
        line.components(separatedBy: separator).map { f in
            var t = f.trimmingSpaces()
            if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { t = String(t.dropFirst().dropLast()) }
            return t
        }
    }

    /// The first non-blank lines of `path` (at most `sniffLines`), read from its first 256 KiB.
    static func leadingLines(_ path: String) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { _ = try readBytes(path); return [] }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 1 << 18)) ?? Data()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map(String.init).filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        // A cut-off last line would look like a short row.
        if data.count == 1 << 18 && lines.count > 1 { lines.removeLast() }
        return Array(lines.prefix(sniffLines))
    }
}
