// Pre-split RecBole benchmark files as UniSRec and VQ-Rec ship them:
//   NAME.train.inter, NAME.valid.inter, NAME.test.inter
//       header `user_id:token  item_id_list:token_seq  item_id:token`, one (history → target) row each
//   NAME.item2index, NAME.user2index   `RAW_ID<TAB>index`, no header (index 0-based)
//   NAME.text                          header `item_id:token  text:token_seq`, keyed by RAW_ID
//   NAME.feat1CLS                      raw little-endian float32, row = item index
//   NAME.feat2CLS                      the same for each item's text with words dropped (UniSRec's
//                                      word-drop view), read when `featureSuffix` is feat1CLS
// The item tokens in the .inter files are the indices of item2index; as in RecBole, dense ids are given
// in order of first appearance and feature rows are looked up by the integer value of the token.

import Foundation

/// A pre-split benchmark: the rows exactly as shipped, and the dataset they describe.
public struct PresplitBenchmark: Sendable {
    /// Users and items, each user's sequence rebuilt from the rows, with text and features.
    public let dataset: Dataset
    /// The shipped train / valid / test rows (prefix rows, ids of `dataset`).
    public let split: Split

    /// Loads `directory/NAME.*`; NAME defaults to the directory's last path component.
    /// `featureSuffix` names the feature file (`feat1CLS`; nil or a missing file means no features);
    /// `featureWidth` is inferred from the item count when nil.
    public static func load(directory: String, name: String? = nil, featureSuffix: String? = "feat1CLS",
                            featureWidth: Int? = nil) throws -> PresplitBenchmark {
        let base = name ?? lastPathComponent(directory)
        let prefix = directory.hasSuffix("/") ? directory + base : directory + "/" + base
        var users = TokenInterner(), items = TokenInterner()
        var parts: [RowCollector] = []
        var storage: [Int32] = []
        var rowLines: [[Int]] = []
        for part in ["train", "valid", "test"] {
            var collector = RowCollector()
            var lines: [Int] = []
            try readPart(prefix + ".\(part).inter", users: &users, items: &items, storage: &storage,
                         rows: &collector, lines: &lines)
            parts.append(collector)
            rowLines.append(lines)
        }
        // Items known only from item2index still get ids, after those seen in the rows.
        var rawOfIndex: [String: String] = [:]
        var indexOrder: [String] = []
        let item2index = prefix + ".item2index"
        if fileExists(item2index) {
            for (raw, index) in try readIndexFile(item2index) {
                rawOfIndex[index] = raw
                indexOrder.append(index)
                _ = items.intern(index)
            }
        }
        var userRaw: [String: String] = [:]
        let user2index = prefix + ".user2index"
        if fileExists(user2index) {
            for (raw, index) in try readIndexFile(user2index) { userRaw[index] = raw }
        }
        let userVocabulary = users.vocabulary(), itemVocabulary = items.vocabulary()
        let dataset0 = rebuildSequences(parts: parts, storage: storage, users: userVocabulary,
                                        items: itemVocabulary, name: base)
        var dataset = dataset0
        if !rawOfIndex.isEmpty {
            let raw = itemVocabulary.tokens.enumerated().map { $0.offset == 0 ? "" : rawOfIndex[$0.element] ?? "" }
            dataset.itemAttributes = AttributeTable(columns: [.init(name: "raw_id", type: .token, values: raw)])
        }
        if !userRaw.isEmpty {
            let raw = userVocabulary.tokens.enumerated().map { $0.offset == 0 ? "" : userRaw[$0.element] ?? "" }
            dataset.userAttributes = AttributeTable(columns: [.init(name: "raw_id", type: .token, values: raw)])
        }
        let textPath = prefix + ".text"
        if fileExists(textPath) {
            let table = try RecBole.readTable(textPath)
            let key = try table.keyColumn("item_id", role: "item id")
            guard let textK = table.fields.firstIndex(where: { $0.name == "text" }) else {
                throw DataError(file: textPath, line: table.headerLine,
                                "no field 'text'; expected header item_id:token<TAB>text:token_seq")
            }
            // .text is keyed by raw id; map raw id → index token → dense id.
            var indexOfRaw: [String: String] = [:]
            for index in indexOrder { if let raw = rawOfIndex[index] { indexOfRaw[raw] = index } }
            var text = [String](repeating: "", count: itemVocabulary.count)
            // Two texts for one item would silently keep the last; say where the second one is.
            var firstLine: [String: Int] = [:]
            for (row, line) in zip(table.rows, table.lines) {
                if let earlier = firstLine[row[key]] {
                    throw DataError(file: textPath, line: line, "item_id '\(row[key])' is listed again (first on line \(earlier)); expected one line per item_id")
                }
                firstLine[row[key]] = line
            }
            for row in table.rows {
                let token = indexOfRaw[row[key]] ?? row[key]
                if let id = itemVocabulary.id(of: token) { text[Int(id)] = row[textK] }
            }
            dataset.itemText = text
        }
        if let suffix = featureSuffix, fileExists(prefix + "." + suffix) {
            dataset.itemFeatures = try readFeatures(prefix + "." + suffix, items: itemVocabulary,
                                                    width: featureWidth, knownRows: indexOrder.isEmpty ? nil : indexOrder.count)
            // UniSRec's preprocessing writes the word-dropped text's features beside the text's own.
            let dropped = prefix + ".feat2CLS"
            if suffix == "feat1CLS", fileExists(dropped) {
                let f = try readFeatures(dropped, items: itemVocabulary, width: dataset.itemFeatures?.width,
                                         knownRows: indexOrder.isEmpty ? nil : indexOrder.count)
                dataset.wordDropFeatures = f
            }
        }
        let split = Split(
            protocolDescription: "pre-split benchmark files \(base).train/valid/test.inter as shipped (prefix rows)",
            train: parts[0].rows(.prefix, storage), valid: parts[1].rows(.prefix, storage),
            test: parts[2].rows(.prefix, storage), itemCount: itemVocabulary.count,
            maxLength: max(parts[0].maxLength, parts[1].maxLength, parts[2].maxLength))
        return PresplitBenchmark(dataset: dataset, split: split)
    }

    /// Reads one `.inter` part: each row's history then its target are appended to `storage`.
    static func readPart(_ path: String, users: inout TokenInterner, items: inout TokenInterner,
                         storage: inout [Int32], rows: inout RowCollector, lines: inout [Int]) throws {
        let file = try TextFile.read(path)
        let (headerLine, headerRange) = try firstLine(file, expecting: "a header line user_id:token, item_id_list:token_seq, item_id:token")
        try file.bytes.withUnsafeBufferPointer { b in
            let fields = try parseAtomicHeader(file, b, line: headerLine, headerRange)
            let userK = try fieldIndex(fields, "user_id", file, line: headerLine, role: "user id", types: [.token])
            let listK = try fieldIndex(fields, "item_id_list", file, line: headerLine, role: "history", types: [.tokenSequence])
            let itemK = try fieldIndex(fields, "item_id", file, line: headerLine, role: "target item", types: [.token])
            var ranges: [Range<Int>] = [], history: [Range<Int>] = []
            try file.forEachLine { number, range in
                guard number > headerLine else { return }
                try splitAtomicRow(b, range, fields: fields, path: path, line: number, into: &ranges)
                guard !ranges[userK].isEmpty else { throw DataError(file: path, line: number, "empty user_id; expected a user token") }
                guard !ranges[itemK].isEmpty else { throw DataError(file: path, line: number, "empty item_id; expected the target item token") }
                splitFields(b, ranges[listK], separator: [32], into: &history)
                let user = users.intern(b, ranges[userK])
                let start = storage.count
                for h in history where !h.isEmpty { storage.append(items.intern(b, h)) }
                guard storage.count > start else {
                    throw DataError(file: path, line: number, "empty item_id_list; expected at least one space-separated history item")
                }
                let end = storage.count
                storage.append(items.intern(b, ranges[itemK]))
                rows.add(Int(user), start, end)
                lines.append(number)
            }
        }
        // A part without rows would train, validate or test on nothing and report it as a result.
        guard !lines.isEmpty else {
            throw DataError(file: path, line: headerLine + 1, "no rows after the header; expected one history → target row per line")
        }
    }

    /// Reads `RAW_ID<TAB>index` lines.
    static func readIndexFile(_ path: String) throws -> [(String, String)] {
        let file = try TextFile.read(path)
        var out: [(String, String)] = []
        try file.bytes.withUnsafeBufferPointer { b in
            var ranges: [Range<Int>] = []
            try file.forEachLine { number, range in
                splitFields(b, range, separator: [9], into: &ranges)
                guard ranges.count == 2, !ranges[0].isEmpty, let index = parseInt(b, ranges[1]), index >= 0 else {
                    throw DataError(file: path, line: number, "expected RAW_ID<TAB>index with a non-negative integer index, found \(file.quoted(range))")
                }
                out.append((file.string(ranges[0]), String(index)))
            }
        }
        if out.isEmpty { throw DataError(file: path, line: 1, "empty file; expected RAW_ID<TAB>index lines") }
        return out
    }

    /// Rebuilds each user's sequence: the first training history followed by every training target,
    /// then the validation and test targets, provided the test row (history + target) is a suffix of
    /// it; otherwise (rows not in the UniSRec layout) the test row itself, or the validation row.
    static func rebuildSequences(parts: [RowCollector], storage: [Int32], users: Vocabulary,
                                 items: Vocabulary, name: String) -> Dataset {
        let n = users.count
        var trainRows = [[Int]](repeating: [], count: n)
        var validRow = [Int](repeating: -1, count: n), testRow = [Int](repeating: -1, count: n)
        for (r, u) in parts[0].users.enumerated() { trainRows[Int(u)].append(r) }
        for (r, u) in parts[1].users.enumerated() where validRow[Int(u)] < 0 { validRow[Int(u)] = r }
        for (r, u) in parts[2].users.enumerated() where testRow[Int(u)] < 0 { testRow[Int(u)] = r }
        func rowItems(_ p: Int, _ r: Int) -> ArraySlice<Int32> { storage[parts[p].starts[r]...parts[p].ends[r]] }
        var starts = [0, 0]
        var events: [Int32] = []
        for u in 1..<n {
            var sequence: [Int32] = []
            if let first = trainRows[u].first {
                sequence.append(contentsOf: storage[parts[0].starts[first]..<parts[0].ends[first]])
                for r in trainRows[u] { sequence.append(storage[parts[0].ends[r]]) }
            }
            if validRow[u] >= 0 {
                if sequence.isEmpty { sequence.append(contentsOf: rowItems(1, validRow[u]).dropLast()) }
                sequence.append(storage[parts[1].ends[validRow[u]]])
            }
            if testRow[u] >= 0 {
                if sequence.isEmpty { sequence.append(contentsOf: rowItems(2, testRow[u]).dropLast()) }
                sequence.append(storage[parts[2].ends[testRow[u]]])
                let t = rowItems(2, testRow[u])
                if !sequence.elementsEqual(t) && !(sequence.count > t.count && sequence.suffix(t.count).elementsEqual(t)) {
                    sequence = Array(t)
                }
            }
            events.append(contentsOf: sequence)
            starts.append(events.count)
        }
        return Dataset(unchecked: name, users: users, items: items, userStarts: starts,
                       eventItems: events, eventTimes: (0..<events.count).map(Double.init))
    }

    /// Reads raw little-endian float32 rows and arranges them by dense item id (row 0 zero).
    static func readFeatures(_ path: String, items: Vocabulary, width: Int?, knownRows: Int?) throws -> FeatureMatrix {
        let bytes = try readBytes(path)
        guard !bytes.isEmpty else { throw DataError(file: path, line: nil, "empty file; expected raw float32 item features") }
        guard bytes.count % 4 == 0 else {
            throw DataError(file: path, line: nil, "size \(bytes.count) bytes is not a multiple of 4; expected raw little-endian float32 values")
        }
        let floats = bytes.count / 4
        let w: Int
        if let given = width {
            guard given > 0 else { throw DataError.invalid("featureWidth must be positive, got \(given)") }
            w = given
        } else {
            let rows = knownRows ?? (items.count - 1)
            guard rows > 0, floats % rows == 0 else {
                throw DataError(file: path, line: nil,
                                "\(floats) float32 values do not divide into \(rows) item rows; pass featureWidth explicitly")
            }
            w = floats / rows
        }
        guard floats % w == 0 else {
            throw DataError(file: path, line: nil,
                            "size \(bytes.count) bytes is not a multiple of the row width \(w) × 4 bytes; check featureWidth (768 for BERT CLS features)")
        }
        let fileRows = floats / w
        var values = [Float](repeating: 0, count: items.count * w)
        for id in 1..<items.count {
            guard let row = Int(items.tokens[id]), row >= 0, row < fileRows else {
                throw DataError(file: path, line: nil,
                                "item '\(items.tokens[id])' has no row here (\(fileRows) rows of \(w) floats); expected item tokens to be row indices 0..<\(fileRows)")
            }
            for k in 0..<w {
                let o = (row * w + k) * 4
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                let value = Float(bitPattern: bits)
                // One NaN feature turns every score of a text model into NaN; refuse it here, where the row is known.
                guard value.isFinite else {
                    throw DataError(file: path, line: nil,
                                    "row \(row) (item '\(items.tokens[id])') holds \(value) at column \(k + 1); expected finite float32 values")
                }
                values[id * w + k] = value
            }
        }
        return FeatureMatrix(rows: items.count, width: w, values: values)
    }
}

extension RowCollector {
    var maxLength: Int { zip(starts, ends).map { $1 - $0 }.max() ?? 0 }
}
