// RecBole atomic files: `NAME.inter`, `NAME.item`, `NAME.user`.
//
// Tab-separated, first line a header of `name:type` fields with type token, token_seq, float or
// float_seq; sequences are space-separated inside a field. Columns are chosen by name.

import Foundation

/// Which columns of RecBole atomic files hold what.
public struct RecBoleOptions: Sendable {
    /// The user column of `.inter` and key of `.user`.
    public var userField: String
    /// The item column of `.inter` and key of `.item`.
    public var itemField: String
    /// The time column; nil means `timestamp` if the file has one, else file order.
    public var timeField: String?
    /// `.item` columns joined (with spaces) into the item text; nil means the first of
    /// `text`, `title`, `movie_title`, `name` that exists.
    public var textFields: [String]?
    /// How each user's events are ordered: by the times as written, or as RecBole orders them.
    public var eventOrder: EventOrder = .exact

    /// Options with RecBole's default field names.
    public init(userField: String = "user_id", itemField: String = "item_id", timeField: String? = nil,
                textFields: [String]? = nil) {
        self.userField = userField
        self.itemField = itemField
        self.timeField = timeField
        self.textFields = textFields
    }
}

/// One field of an atomic header.
struct AtomicField: Equatable {
    let name: String
    let type: FieldType
}

/// Splits one tab-separated row into `ranges`, checking it has one field per header field.
func splitAtomicRow(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, fields: [AtomicField], path: String,
                    line: Int, into ranges: inout [Range<Int>]) throws {
    splitFields(b, range, separator: [9], into: &ranges)
    guard ranges.count == fields.count else {
        throw DataError(file: path, line: line,
                        "expected \(fields.count) tab-separated fields (\(fields.map(\.name).joined(separator: ", "))), found \(ranges.count); check that fields are separated by tabs")
    }
}

/// Parses the `name:type` header line of an atomic file.
func parseAtomicHeader(_ file: TextFile, _ b: UnsafeBufferPointer<UInt8>, line: Int,
                       _ range: Range<Int>) throws -> [AtomicField] {
    var ranges: [Range<Int>] = []
    splitFields(b, range, separator: [9], into: &ranges)
    var fields: [AtomicField] = []
    for r in ranges {
        let text = file.string(r)
        guard let colon = text.lastIndex(of: ":") else {
            throw DataError(file: file.path, line: line,
                            "header field '\(text)' has no type; expected name:type with type one of token, token_seq, float, float_seq (fields are separated by tabs)")
        }
        let name = String(text[..<colon]), typeName = String(text[text.index(after: colon)...])
        guard !name.isEmpty else {
            throw DataError(file: file.path, line: line, "header field '\(text)' has an empty name; expected name:type")
        }
        guard let type = FieldType(rawValue: typeName) else {
            throw DataError(file: file.path, line: line,
                            "unknown field type '\(typeName)' in header field '\(text)'; expected one of token, token_seq, float, float_seq")
        }
        if fields.contains(where: { $0.name == name }) {
            throw DataError(file: file.path, line: line, "header names field '\(name)' twice; field names must be unique")
        }
        fields.append(AtomicField(name: name, type: type))
    }
    return fields
}

/// Finds the header line, or says the file is empty.
func firstLine(_ file: TextFile, expecting what: String) throws -> (Int, Range<Int>) {
    var found: (Int, Range<Int>)?
    // forEachLine has no early exit; find the first non-blank line by hand.
    let n = file.bytes.count
    var start = 0, number = 0
    while start < n && found == nil {
        number += 1
        var end = start
        while end < n && file.bytes[end] != 10 { end += 1 }
        var stop = end
        if stop > start && file.bytes[stop - 1] == 13 { stop -= 1 }
        if stop > start { found = (number, start..<stop) }
        start = end + 1
    }
    guard let f = found else {
        throw DataError(file: file.path, line: 1, "empty file; expected \(what)")
    }
    return f
}

/// The index of the field called `name`, or an error listing the fields there are.
func fieldIndex(_ fields: [AtomicField], _ name: String, _ file: TextFile, line: Int,
                role: String, types: [FieldType]) throws -> Int {
    guard let k = fields.firstIndex(where: { $0.name == name }) else {
        throw DataError(file: file.path, line: line,
                        "no field '\(name)' for the \(role); the header has \(fields.map(\.name).joined(separator: ", ")); choose the \(role) column by name")
    }
    guard types.contains(fields[k].type) else {
        throw DataError(file: file.path, line: line,
                        "field '\(name)' is \(fields[k].type.rawValue); the \(role) must be \(types.map(\.rawValue).joined(separator: " or "))")
    }
    return k
}

/// Checks that a value matches its declared type; returns an error message when it does not.
func typeProblem(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ type: FieldType) -> String? {
    switch type {
    case .token, .tokenSequence: return nil
    case .float:
        return r.isEmpty || parseDouble(b, trimmed(b, r)) != nil ? nil : "a number"
    case .floatSequence:
        var parts: [Range<Int>] = []
        splitFields(b, r, separator: [32], into: &parts)
        for p in parts where !p.isEmpty && parseDouble(b, p) == nil { return "space-separated numbers" }
        return nil
    }
}

/// Reads RecBole atomic files.
public enum RecBole {
    /// Loads `directory/NAME.inter` and, when present, `NAME.item` and `NAME.user`; NAME defaults to
    /// the directory's last path component (RecBole's convention).
    public static func load(directory: String, name: String? = nil,
                            options: RecBoleOptions = RecBoleOptions()) throws -> Dataset {
        let base = name ?? lastPathComponent(directory)
        let prefix = directory.hasSuffix("/") ? directory + base : directory + "/" + base
        var builder = try readInteractions(prefix + ".inter", options: options)
        let itemPath = prefix + ".item", userPath = prefix + ".user"
        let itemTable = fileExists(itemPath) ? try readTable(itemPath) : nil
        let userTable = fileExists(userPath) ? try readTable(userPath) : nil
        // Ids for items and users listed only in .item / .user come after those seen in .inter.
        var itemKeys: [Int32] = [], userKeys: [Int32] = []
        var itemKey = 0, userKey = 0
        if let t = itemTable {
            itemKey = try t.keyColumn(options.itemField, role: "item id")
            itemKeys = t.rows.map { builder.declare(item: $0[itemKey]) }
            try t.checkUnique(itemKeys, key: itemKey)
        }
        if let t = userTable {
            userKey = try t.keyColumn(options.userField, role: "user id")
            userKeys = t.rows.map { builder.declare(user: $0[userKey]) }
            try t.checkUnique(userKeys, key: userKey)
        }
        var dataset = builder.build(name: base, order: options.eventOrder)
        if let t = itemTable {
            dataset.itemAttributes = t.attributes(ids: itemKeys, count: dataset.items.count, skipping: itemKey)
            let textColumns = try t.textColumns(options.textFields)
            if !textColumns.isEmpty {
                var text = [String](repeating: "", count: dataset.items.count)
                for (row, id) in zip(t.rows, itemKeys) {
                    text[Int(id)] = textColumns.map { row[$0] }.filter { !$0.isEmpty }.joined(separator: " ")
                }
                dataset.itemText = text
            }
        }
        if let t = userTable {
            dataset.userAttributes = t.attributes(ids: userKeys, count: dataset.users.count, skipping: userKey)
        }
        return dataset
    }

    /// Reads the events of one `.inter` file into a builder (file order; sorting happens in `build`).
    static func readInteractions(_ path: String, options: RecBoleOptions) throws -> DatasetBuilder {
        let file = try TextFile.read(path)
        let (headerLine, headerRange) = try firstLine(file, expecting: "a header line of name:type fields")
        return try file.bytes.withUnsafeBufferPointer { b in
            let fields = try parseAtomicHeader(file, b, line: headerLine, headerRange)
            let userK = try fieldIndex(fields, options.userField, file, line: headerLine, role: "user id", types: [.token])
            let itemK = try fieldIndex(fields, options.itemField, file, line: headerLine, role: "item id", types: [.token])
            var timeK: Int?
            if let t = options.timeField {
                timeK = try fieldIndex(fields, t, file, line: headerLine, role: "time", types: [.float])
            } else if let k = fields.firstIndex(where: { $0.name == "timestamp" }) {
                timeK = try fieldIndex(fields, fields[k].name, file, line: headerLine, role: "time", types: [.float])
            }
            let checked = fields.indices.filter { $0 != timeK && (fields[$0].type == .float || fields[$0].type == .floatSequence) }
            var builder = DatasetBuilder(expectedEvents: b.count / 24)
            var ranges: [Range<Int>] = []
            var row = 0
            try file.forEachLine { number, range in
                guard number > headerLine else { return }
                try splitAtomicRow(b, range, fields: fields, path: path, line: number, into: &ranges)
                let u = ranges[userK], i = ranges[itemK]
                guard !u.isEmpty else { throw DataError(file: path, line: number, "empty \(fields[userK].name); expected a user token") }
                guard !i.isEmpty else { throw DataError(file: path, line: number, "empty \(fields[itemK].name); expected an item token") }
                var time = Double(row)
                if let k = timeK {
                    guard let t = parseDouble(b, trimmed(b, ranges[k])) else {
                        throw DataError(file: path, line: number,
                                        "expected a number for \(fields[k].name), found \(file.quoted(ranges[k]))")
                    }
                    time = t
                }
                for k in checked {
                    if let want = typeProblem(b, ranges[k], fields[k].type) {
                        throw DataError(file: path, line: number,
                                        "expected \(want) for \(fields[k].name):\(fields[k].type.rawValue), found \(file.quoted(ranges[k]))")
                    }
                }
                builder.add(b, user: u, item: i, time: time)
                row += 1
            }
            guard builder.eventCount > 0 else {
                throw DataError(file: path, line: headerLine + 1, "no interactions after the header; expected one line per interaction")
            }
            return builder
        }
    }

    /// Reads a whole atomic file (a `.item` or `.user` file) as strings, checked against the header.
    static func readTable(_ path: String) throws -> AtomicTable {
        let file = try TextFile.read(path)
        let (headerLine, headerRange) = try firstLine(file, expecting: "a header line of name:type fields")
        return try file.bytes.withUnsafeBufferPointer { b in
            let fields = try parseAtomicHeader(file, b, line: headerLine, headerRange)
            var rows: [[String]] = []
            var lines: [Int] = []
            var ranges: [Range<Int>] = []
            try file.forEachLine { number, range in
                guard number > headerLine else { return }
                try splitAtomicRow(b, range, fields: fields, path: path, line: number, into: &ranges)
                for (k, f) in fields.enumerated() {
                    if let want = typeProblem(b, ranges[k], f.type) {
                        throw DataError(file: path, line: number,
                                        "expected \(want) for \(f.name):\(f.type.rawValue), found \(file.quoted(ranges[k]))")
                    }
                }
                rows.append(ranges.map { file.string($0) })
                lines.append(number)
            }
            return AtomicTable(path: path, headerLine: headerLine, fields: fields, rows: rows, lines: lines)
        }
    }
}

/// A small atomic file read whole: header fields and string rows with their line numbers.
struct AtomicTable {
    let path: String
    let headerLine: Int
    let fields: [AtomicField]
    let rows: [[String]]
    let lines: [Int]

    func keyColumn(_ name: String, role: String) throws -> Int {
        guard let k = fields.firstIndex(where: { $0.name == name }) else {
            throw DataError(file: path, line: headerLine,
                            "no field '\(name)' for the \(role); the header has \(fields.map(\.name).joined(separator: ", "))")
        }
        guard fields[k].type == .token else {
            throw DataError(file: path, line: headerLine, "field '\(name)' is \(fields[k].type.rawValue); the \(role) must be token")
        }
        for (row, line) in zip(rows, lines) where row[k].isEmpty {
            throw DataError(file: path, line: line, "empty \(name); expected a token")
        }
        return k
    }

    /// Rejects a key that appears on two lines, naming both.
    func checkUnique(_ ids: [Int32], key: Int) throws {
        var firstLine = [Int32: Int]()
        for (k, id) in ids.enumerated() {
            if let earlier = firstLine[id] {
                throw DataError(file: path, line: lines[k],
                                "\(fields[key].name) '\(rows[k][key])' is listed again (first on line \(earlier)); expected one line per \(fields[key].name)")
            }
            firstLine[id] = lines[k]
        }
    }

    /// The columns joined into item text: the named ones, or by default the first of `text`,
    /// `title`, `movie_title`, `name` that exists.
    func textColumns(_ names: [String]?) throws -> [Int] {
        guard let names else {
            return ["text", "title", "movie_title", "name"].compactMap { n in fields.firstIndex { $0.name == n } }.prefix(1).map { $0 }
        }
        return try names.map { n in
            guard let k = fields.firstIndex(where: { $0.name == n }) else {
                throw DataError(file: path, line: headerLine,
                                "no field '\(n)' for the item text; the header has \(fields.map(\.name).joined(separator: ", "))")
            }
            return k
        }
    }

    func attributes(ids: [Int32], count: Int, skipping key: Int) -> AttributeTable {
        var columns: [AttributeTable.Column] = []
        for (k, f) in fields.enumerated() where k != key {
            var values = [String](repeating: "", count: count)
            for (row, id) in zip(rows, ids) { values[Int(id)] = row[k] }
            columns.append(AttributeTable.Column(name: f.name, type: f.type, values: values))
        }
        return AttributeTable(columns: columns)
    }
}

func fileExists(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
}

func lastPathComponent(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p.split(separator: "/").last.map(String.init) ?? p
}
