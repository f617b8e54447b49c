// Any CSV/TSV of interactions, with the user, item and time columns named in the call.
// Quoted fields ("a, b" with "" for a quote) are handled within a line.

/// Where the user, item and time columns of a delimited file are, and how it is delimited.
public struct ColumnMapping: Sendable {
    /// A column by header name or by 0-based position.
    public enum Column: Sendable, Equatable {
        /// The column whose header is this name.
        case name(String)
        /// The column at this 0-based position.
        case index(Int)
    }

    /// The user column.
    public var user: Column
    /// The item column.
    public var item: Column
    /// The time column (numbers such as Unix seconds, or ISO dates such as `2020-01-31` or
    /// `2020-01-31T12:00:00Z`, read as Unix seconds); nil means file order.
    public var time: Column?
    /// The rating column, read only to keep rows rated at least `minRating`.
    public var rating: Column?
    /// Rows whose rating is below this are dropped (needs `rating`).
    public var minRating: Double?
    /// The field separator; nil chooses a tab for `.tsv`/`.tab`/`.data` files and a comma otherwise.
    public var delimiter: String?
    /// Whether the first line is a header (needed to choose columns by name).
    public var hasHeader: Bool
    /// The time column holds Unix seconds (as MovieLens files do), so a negative time is an error.
    public var timeIsUnixSeconds = false

    /// A mapping; by default columns are chosen by header name.
    public init(user: Column, item: Column, time: Column? = nil, rating: Column? = nil, minRating: Double? = nil,
                delimiter: String? = nil, hasHeader: Bool = true) {
        self.user = user
        self.item = item
        self.time = time
        self.rating = rating
        self.minRating = minRating
        self.delimiter = delimiter
        self.hasHeader = hasHeader
    }
}

/// How many data rows a delimited file had and how many a rating threshold kept.
public struct DelimitedRowCounts: Sendable, Equatable {
    /// Data rows read (the header excluded).
    public var rows = 0
    /// Rows kept as interactions (all of them unless `minRating` dropped some).
    public var kept = 0
}

/// Reads interactions from CSV/TSV files.
public enum DelimitedFile {
    /// Reads `path` with `mapping`; every line must have as many fields as the first.
    public static func read(_ path: String, mapping: ColumnMapping, name: String? = nil,
                            encoding: TextEncoding = .utf8) throws -> Dataset {
        try readCounting(path, mapping: mapping, name: name, encoding: encoding).dataset
    }

    /// Reads `path` with `mapping`, also saying how many rows there were and how many were kept.
    public static func readCounting(_ path: String, mapping: ColumnMapping, name: String? = nil,
                                    encoding: TextEncoding = .utf8) throws -> (dataset: Dataset, counts: DelimitedRowCounts) {
        var builder = DatasetBuilder()
        let counts = try read(path, mapping: mapping, encoding: encoding, into: &builder)
        return (builder.build(name: name ?? stem(path)), counts)
    }

    /// Reads events into an existing builder (so another reader can add item and user files).
    @discardableResult
    static func read(_ path: String, mapping: ColumnMapping, encoding: TextEncoding,
                     into builder: inout DatasetBuilder) throws -> DelimitedRowCounts {
        if mapping.minRating != nil && mapping.rating == nil {
            throw DataError.invalid("minRating needs the rating column; name it with rating:")
        }
        var counts = DelimitedRowCounts()
        let file = try TextFile.read(path, encoding: encoding)
        let separator = Array((mapping.delimiter ?? defaultDelimiter(path)).utf8)
        guard !separator.isEmpty else { throw DataError.invalid("the delimiter must not be empty") }
        let sepName = separator == [9] ? "tab" : "'\(String(decoding: separator, as: UTF8.self))'"
        let (firstNumber, firstRange) = try firstLine(file, expecting: mapping.hasHeader ? "a header line" : "interaction lines")
        builder.eventUsers.reserveCapacity(file.bytes.count / 20)
        try file.bytes.withUnsafeBufferPointer { b in
            var fields: [Range<Int>] = []
            var names: [String] = []
            var width: Int
            if mapping.hasHeader {
                names = try splitLine(file, b, firstRange, separator, line: firstNumber, into: &fields)
                width = names.count
            } else {
                width = try splitLine(file, b, firstRange, separator, line: firstNumber, into: &fields).count
            }
            func resolve(_ c: ColumnMapping.Column, _ role: String) throws -> Int {
                switch c {
                case .index(let k):
                    guard k >= 0 && k < width else {
                        // One field usually means another separator: say which one was expected.
                        let hint = width == 1 ? "; check that fields are separated by \(sepName == "tab" ? "tabs" : sepName)" : ""
                        throw DataError(file: path, line: firstNumber,
                                        "the \(role) column index \(k) is outside the \(width) \(sepName)-separated fields; columns are numbered from 0" + hint)
                    }
                    return k
                case .name(let n):
                    guard mapping.hasHeader else {
                        throw DataError(file: path, line: firstNumber, "cannot find the \(role) column '\(n)' by name without a header; give its index or set hasHeader")
                    }
                    guard let k = names.firstIndex(of: n) else {
                        throw DataError(file: path, line: firstNumber,
                                        "no column '\(n)' for the \(role); the header has \(names.joined(separator: ", ")) (separated by \(sepName))")
                    }
                    return k
                }
            }
            let userK = try resolve(mapping.user, "user"), itemK = try resolve(mapping.item, "item")
            let timeK = try mapping.time.map { try resolve($0, "time") }
            let ratingK = try mapping.rating.map { try resolve($0, "rating") }
            let timeName = timeK.map { mapping.hasHeader ? "'\(names[$0])'" : "column \($0)" } ?? ""
            let ratingName = ratingK.map { mapping.hasHeader ? "'\(names[$0])'" : "column \($0)" } ?? ""
            /// Whether a row passes the rating threshold; a rating that is not a number is an error.
            func keeps(_ text: String, line: Int) throws -> Bool {
                guard let threshold = mapping.minRating else { return true }
                guard let r = Array(text.utf8).withUnsafeBufferPointer({ parseDouble($0, 0..<$0.count) }) else {
                    throw DataError(file: path, line: line, "expected a number for the rating column \(ratingName), found '\(text)'")
                }
                return r >= threshold
            }
            // Formats whose times are Unix seconds (MovieLens) take numbers only; others also ISO dates.
            func readTime(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
                mapping.timeIsUnixSeconds ? parseDouble(bytes, range) : parseTime(bytes, range)
            }
            let timeExpected = mapping.timeIsUnixSeconds ? "expected a number" : "expected a number or an ISO date"
            let timeHint = mapping.timeIsUnixSeconds ? "convert dates to Unix seconds" : timeFormats
            func checkUnixTime(_ t: Double, _ text: String, line: Int) throws {
                guard mapping.timeIsUnixSeconds, t < 0 else { return }
                throw DataError(file: path, line: line, "negative time \(text) in \(timeName); expected Unix seconds (0 or later)")
            }
            var row = 0
            try file.forEachLine { number, range in
                if mapping.hasHeader && number == firstNumber { return }
                if let quoted = try quotedFields(file, b, range, separator, line: number) {
                    guard quoted.count == width else {
                        throw DataError(file: path, line: number, "expected \(width) \(sepName)-separated fields, found \(quoted.count)")
                    }
                    guard !quoted[userK].isEmpty, !quoted[itemK].isEmpty else {
                        throw DataError(file: path, line: number, "empty user or item; expected tokens in both columns")
                    }
                    counts.rows += 1
                    if let k = ratingK, try !keeps(quoted[k], line: number) { return }
                    var time = Double(row)
                    if let k = timeK {
                        guard let t = Array(quoted[k].utf8).withUnsafeBufferPointer({ readTime($0, 0..<$0.count) }) else {
                            throw DataError(file: path, line: number, "\(timeExpected) for the time column \(timeName), found '\(quoted[k])'; \(timeHint)")
                        }
                        try checkUnixTime(t, quoted[k], line: number)
                        time = t
                    }
                    builder.add(user: quoted[userK], item: quoted[itemK], time: time)
                    row += 1
                    return
                }
                splitFields(b, range, separator: separator, into: &fields)
                guard fields.count == width else {
                    throw DataError(file: path, line: number, "expected \(width) \(sepName)-separated fields, found \(fields.count)")
                }
                let u = trimmed(b, fields[userK]), i = trimmed(b, fields[itemK])
                guard !u.isEmpty else { throw DataError(file: path, line: number, "empty user in field \(userK + 1); expected a user token") }
                guard !i.isEmpty else { throw DataError(file: path, line: number, "empty item in field \(itemK + 1); expected an item token") }
                counts.rows += 1
                if let k = ratingK, try !keeps(file.string(trimmed(b, fields[k])), line: number) { return }
                var time = Double(row)
                if let k = timeK {
                    guard let t = readTime(b, trimmed(b, fields[k])) else {
                        throw DataError(file: path, line: number,
                                        "\(timeExpected) for the time column \(timeName), found \(file.quoted(fields[k])); \(timeHint)")
                    }
                    try checkUnixTime(t, file.string(trimmed(b, fields[k])), line: number)
                    time = t
                }
                builder.add(b, user: u, item: i, time: time)
                row += 1
            }
            counts.kept = row
            guard builder.eventCount > 0 else {
                if counts.rows > 0, let threshold = mapping.minRating {
                    throw DataError(file: path, line: nil, "no row has a rating of at least \(threshold) in \(ratingName); lower minRating")
                }
                throw DataError(file: path, line: firstNumber + 1, "no interactions; expected one line per interaction")
            }
        }
        return counts
    }

    /// The time forms a delimited file may hold, for messages.
    static let timeFormats = "use Unix seconds or dates such as 2020-01-31, 2020-01-31 12:30:00 or 2020-01-31T12:30:00Z"

    /// Splits the header or first line, honouring quotes; returns the field texts.
    static func splitLine(_ file: TextFile, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                          _ separator: [UInt8], line: Int, into fields: inout [Range<Int>]) throws -> [String] {
        if let q = try quotedFields(file, b, range, separator, line: line) { return q }
        splitFields(b, range, separator: separator, into: &fields)
        return fields.map { file.string(trimmed(b, $0)) }
    }

    /// The fields of a line that contains a double quote, unquoted; nil when it has none (fast path).
    static func quotedFields(_ file: TextFile, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                             _ separator: [UInt8], line: Int) throws -> [String]? {
        guard range.contains(where: { b[$0] == 34 }) else { return nil }
        var fields: [String] = []
        var current: [UInt8] = []
        var i = range.lowerBound
        var inQuotes = false
        while i < range.upperBound {
            let c = b[i]
            if inQuotes {
                if c == 34 {
                    if i + 1 < range.upperBound && b[i + 1] == 34 { current.append(34); i += 2; continue }
                    inQuotes = false
                } else {
                    current.append(c)
                }
                i += 1
                continue
            }
            if c == 34 { inQuotes = true; i += 1; continue }
            if separator.count <= range.upperBound - i
                && (0..<separator.count).allSatisfy({ b[i + $0] == separator[$0] }) {
                fields.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
                current.removeAll(keepingCapacity: true)
                i += separator.count
                continue
            }
            current.append(c)
            i += 1
        }
        guard !inQuotes else {
            throw DataError(file: file.path, line: line, "unterminated quoted field; expected a closing \" on the same line")
        }
        fields.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
        return fields
    }

    static func defaultDelimiter(_ path: String) -> String {
        let lower = path.lowercased()
        return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") || lower.hasSuffix(".data") ? "\t" : ","
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
