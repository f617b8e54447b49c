// NextItNet / PeterRec / Conure session CSVs: no header, one user (or session) per line, item tokens
// separated by commas, oldest first. The fine-tuning form is `source items,,target items`: the
// source sequence and the target labels separated by an empty field.
//
// The reference TensorFlow code treats a padding token written in the file (`0` in PeterRec, `-1` in
// GRec) as an ordinary vocabulary item; `padToken` drops it instead, so id 0 stays the only padding.

/// Reads NextItNet-style session CSV files.
public enum SessionCSV {
    /// Reads `path`: line k (1-based, blank lines skipped) becomes the user with token "k"; events are
    /// its items in order. Tokens equal to `padToken` are dropped; a line with only padding is an error.
    public static func read(_ path: String, padToken: String? = nil, name: String? = nil) throws -> Dataset {
        let file = try TextFile.read(path)
        _ = try firstLine(file, expecting: "comma-separated item tokens, one user per line")
        var builder = DatasetBuilder(expectedEvents: file.bytes.count / 8)
        let pad = padToken.map { Array($0.utf8) }
        try file.bytes.withUnsafeBufferPointer { b in
            var fields: [Range<Int>] = []
            var kept: [Range<Int>] = []
            try file.forEachLine { number, range in
                splitFields(b, range, separator: [44], into: &fields)
                kept.removeAll(keepingCapacity: true)
                for (k, f) in fields.enumerated() {
                    let t = trimmed(b, f)
                    if t.isEmpty {
                        throw DataError(file: path, line: number,
                                        "empty item in field \(k + 1); expected comma-separated item tokens (a line `source,,target` is the fine-tuning form: read it with SessionCSV.readFineTuning)")
                    }
                    if let p = pad, equalBytes(b, t, p) { continue }
                    kept.append(t)
                }
                guard !kept.isEmpty else {
                    throw DataError(file: path, line: number, "only padding tokens; expected at least one item")
                }
                let user = String(number)
                let uid = builder.declare(user: user)
                for (k, t) in kept.enumerated() {
                    builder.eventUsers.append(uid)
                    builder.eventItems.append(builder.itemTokens.intern(b, t))
                    builder.eventTimes.append(Double(k))
                }
            }
        }
        return builder.build(name: name ?? stem(path))
    }

    /// Reads a fine-tuning file `s_1,...,s_n,,t_1[,t_2,...]`: one example per target token, all
    /// sharing the line's source sequence. Source tokens map through `sourceItems` (the pretraining
    /// vocabulary, so ids line up with a pretrained model; an unknown token is an error) or, when
    /// nil, through a new vocabulary in first-appearance order. Targets get their own vocabulary.
    /// A line with no `,,` or an empty target part gives no example, as in the reference loader.
    public static func readFineTuning(_ path: String, sourceItems: Vocabulary? = nil,
                                      padToken: String? = nil) throws -> SourceTargetTask {
        let file = try TextFile.read(path)
        _ = try firstLine(file, expecting: "lines of the form source items,,target items")
        var sources = sourceItems ?? Vocabulary()
        var targets = Vocabulary()
        var storage: [Int32] = []
        var starts: [Int] = [0]
        var lineNumbers: [Int] = []
        var exampleRows: [Int32] = [], exampleTargets: [Int32] = []
        let pad = padToken.map { Array($0.utf8) }
        try file.bytes.withUnsafeBufferPointer { b in
            var parts: [Range<Int>] = [], fields: [Range<Int>] = []
            try file.forEachLine { number, range in
                splitFields(b, range, separator: [44, 44], into: &parts)
                let sourcePart = parts[0]
                let targetPart = parts.count > 1 ? parts[1].lowerBound..<range.upperBound : range.upperBound..<range.upperBound
                let row = Int32(lineNumbers.count)
                splitFields(b, sourcePart, separator: [44], into: &fields)
                for (k, f) in fields.enumerated() {
                    let t = trimmed(b, f)
                    guard !t.isEmpty else {
                        throw DataError(file: path, line: number, "empty source item in field \(k + 1); expected comma-separated source tokens before `,,`")
                    }
                    if let p = pad, equalBytes(b, t, p) { continue }
                    let token = file.string(t)
                    if sourceItems != nil {
                        guard let id = sources.id(of: token) else {
                            throw DataError(file: path, line: number,
                                            "source item '\(token)' is not in the pretraining vocabulary; expected the same item tokens as the pretraining file")
                        }
                        storage.append(id)
                    } else {
                        storage.append(sources.intern(token))
                    }
                }
                guard storage.count > starts[starts.count - 1] else {
                    throw DataError(file: path, line: number, "no source items before `,,`; expected at least one")
                }
                splitFields(b, targetPart, separator: [44], into: &fields)
                for (k, f) in fields.enumerated() {
                    let t = trimmed(b, f)
                    if t.isEmpty {
                        // A trailing comma or an empty target part carries no example.
                        if k == fields.count - 1 { continue }
                        throw DataError(file: path, line: number, "empty target in field \(k + 1) after `,,`; expected comma-separated target tokens")
                    }
                    exampleRows.append(row)
                    exampleTargets.append(targets.intern(file.string(t)))
                }
                starts.append(storage.count)
                lineNumbers.append(number)
            }
        }
        return SourceTargetTask(sourceItems: sources, targetItems: targets, storage: storage, starts: starts,
                                sourceLines: lineNumbers, exampleRows: exampleRows, exampleTargets: exampleTargets)
    }
}

func equalBytes(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ token: [UInt8]) -> Bool {
    guard r.count == token.count else { return false }
    for k in 0..<token.count where b[r.lowerBound + k] != token[k] { return false }
    return true
}

/// The file name without directory and extension, as a default dataset name.
func stem(_ path: String) -> String {
    let last = lastPathComponent(path)
    if let dot = last.lastIndex(of: "."), dot != last.startIndex { return String(last[..<dot]) }
    return last
}
