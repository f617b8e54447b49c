// Writing datasets to disk: RecBole atomic files (readable by RecBole itself and by `RecBole.load`)
// and plain CSV.

import Foundation
import Support
import Tensors

/// Writes datasets in the formats this module reads.
public enum DatasetWriter {
    /// Writes `directory/NAME.inter` (user_id, item_id, timestamp), and `NAME.item` (title from the
    /// item text, then item attributes) and `NAME.user` (user attributes) when the dataset has them.
    /// Events are written user by user in time order. Reading the files back gives the same content;
    /// item ids are the same when they already follow that order (synthetic worlds, datasets read
    /// from user-grouped files), otherwise they are renumbered in it.
    public static func writeAtomic(_ dataset: Dataset, directory: String, name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let prefix = directory + "/" + name
        var inter = try ChunkedWriter(path: prefix + ".inter")
        try inter.append("user_id:token\titem_id:token\ttimestamp:float\n")
        for u in 1..<dataset.users.count {
            let user = try clean(dataset.users.tokens[u], prefix + ".inter")
            for e in dataset.events(of: u) {
                try inter.append(user)
                try inter.append("\t")
                try inter.append(dataset.items.tokens[Int(dataset.eventItems[e])])
                try inter.append("\t")
                try inter.append(formatNumber(dataset.eventTimes[e]))
                try inter.append("\n")
            }
        }
        try inter.close()
        if dataset.itemText != nil || dataset.itemAttributes != nil {
            let columns = dataset.itemAttributes?.columns ?? []
            // Text read from a column is still in that column; other text goes in a `title` column,
            // or `text` when an attribute is already called title, which the reader picks first.
            let textName = ["title", "text"].first { n in !columns.contains { $0.name == n } }
            let alreadyThere = columns.contains { $0.values == dataset.itemText }
            let text = textName == nil || alreadyThere ? nil : dataset.itemText
            var header = ["item_id:token"]
            if let textName, text != nil { header.append("\(textName):token_seq") }
            header += columns.map { "\($0.name):\($0.type.rawValue)" }
            var out = header.joined(separator: "\t") + "\n"
            for i in 1..<dataset.items.count {
                var fields = [dataset.items.tokens[i]]
                if let text { fields.append(text[i]) }
                fields += columns.map { $0.values[i] }
                out += try fields.map { try clean($0, prefix + ".item") }.joined(separator: "\t") + "\n"
            }
            try write(out, to: prefix + ".item")
        }
        if let attributes = dataset.userAttributes {
            var out = (["user_id:token"] + attributes.columns.map { "\($0.name):\($0.type.rawValue)" }).joined(separator: "\t") + "\n"
            for u in 1..<dataset.users.count {
                let fields = [dataset.users.tokens[u]] + attributes.columns.map { $0.values[u] }
                out += try fields.map { try clean($0, prefix + ".user") }.joined(separator: "\t") + "\n"
            }
            try write(out, to: prefix + ".user")
        }
    }

    /// Writes `split` as RecBole's benchmark files (`benchmark_filename: [train, valid, test]`, the
    /// layout UniSRec and VQ-Rec ship): `directory/NAME.train.inter`, `.valid.inter`, `.test.inter`,
    /// each line `user_id<TAB>history<TAB>target` under the header `user_id:token
    /// item_id_list:token_seq item_id:token`, histories space-separated, oldest first. Sequence
    /// training rows become the prefix rows RecBole reads: every position of a window predicted
    /// from the window's items before it. Returns the row counts written per part.
    @discardableResult
    public static func writeBenchmark(_ split: Split, of dataset: Dataset, directory: String, name: String) throws -> [Int] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var counts: [Int] = []
        for (part, rows) in [("train", split.train), ("valid", split.valid), ("test", split.test)] {
            let path = "\(directory)/\(name).\(part).inter"
            var out = try ChunkedWriter(path: path)
            try out.append("user_id:token\titem_id_list:token_seq\titem_id:token\n")
            var written = 0
            func row(_ user: Int32, _ history: ArraySlice<Int32>, _ target: Int32) throws {
                let items = try history.map { id -> String in
                    let token = dataset.items.tokens[Int(id)]
                    guard !token.contains(" ") else {
                        throw DataError(file: path, line: nil, "item '\(token)' contains a space, which a token_seq field cannot hold")
                    }
                    return try clean(token, path)
                }
                try out.append(try clean(dataset.users.tokens[Int(user)], path))
                try out.append("\t" + items.joined(separator: " ") + "\t")
                try out.append(try clean(dataset.items.tokens[Int(target)], path))
                try out.append("\n")
                written += 1
            }
            for r in 0..<rows.count {
                let (start, end) = (rows.starts[r], rows.ends[r])
                switch rows.kind {
                case .prefix:
                    try row(rows.users[r], rows.storage[start..<end], rows.storage[end])
                case .sequence:
                    guard start < end else { continue }   // a window of one item predicts nothing
                    for t in (start + 1)...end { try row(rows.users[r], rows.storage[start..<t], rows.storage[t]) }
                }
            }
            try out.close()
            counts.append(written)
        }
        return counts
    }

    /// Writes `user,item,timestamp` lines with a header, user by user in time order.
    public static func writeCSV(_ dataset: Dataset, path: String) throws {
        var out = try ChunkedWriter(path: path)
        try out.append("user_id,item_id,timestamp\n")
        for u in 1..<dataset.users.count {
            let user = dataset.users.tokens[u]
            for e in dataset.events(of: u) {
                try out.append(user)
                try out.append(",")
                try out.append(dataset.items.tokens[Int(dataset.eventItems[e])])
                try out.append(",")
                try out.append(formatNumber(dataset.eventTimes[e]))
                try out.append("\n")
            }
        }
        try out.close()
    }

    /// Writes a PeterRec fine-tuning file: per source row `s_1,...,s_n,,t_1,...,t_k` with the row's
    /// targets in example order, sources left-padded with `padToken` to the longest row when given
    /// (as the reference code requires equal-length rows).
    public static func writeFineTuning(_ task: SourceTargetTask, path: String, padToken: String? = nil) throws {
        var targetsOfRow = [[Int32]](repeating: [], count: task.sourceRowCount)
        for (row, target) in zip(task.exampleRows, task.exampleTargets) { targetsOfRow[Int(row)].append(target) }
        let longest = (0..<task.sourceRowCount).map { task.starts[$0 + 1] - task.starts[$0] }.max() ?? 0
        var out = try ChunkedWriter(path: path)
        for r in 0..<task.sourceRowCount {
            var fields: [String] = []
            let source = task.storage[task.starts[r]..<task.starts[r + 1]]
            if let pad = padToken { fields += Array(repeating: pad, count: longest - source.count) }
            fields += source.map { task.sourceItems.tokens[Int($0)] }
            let targets = targetsOfRow[r].map { task.targetItems.tokens[Int($0)] }
            for token in fields + targets where token.contains(",") || token.contains("\n") {
                throw DataError(file: path, line: r + 1, "token '\(token)' contains a comma or line break, which session CSVs cannot hold")
            }
            try out.append(fields.joined(separator: ",") + ",," + targets.joined(separator: ",") + "\n")
        }
        try out.close()
    }

    static func write(_ text: String, to path: String) throws {
        do { try AtomicFile.write(text, to: path) } catch {
            throw DataError(file: path, line: nil, "cannot write: \(error.message)")
        }
    }

    /// Rejects values that would break the tab-separated layout.
    static func clean(_ value: String, _ path: String) throws -> String {
        guard !value.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) else {
            throw DataError(file: path, line: nil, "value '\(value)' contains a tab or line break, which atomic files cannot hold")
        }
        return value
    }
}

/// Writes a file through a fixed 1 MiB buffer, so writing a million events never holds the whole
/// file in memory.
struct ChunkedWriter {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw DataError(file: path, line: nil, "cannot create the file; check the directory and permissions")
        }
        self.path = path
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    mutating func append(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw DataError(file: path, line: nil, "cannot write: \(error.localizedDescription); check the disk space and permissions")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try? handle.close()
    }
}

/// Integers without a decimal point, other numbers in Swift's shortest round-trip form.
func formatNumber(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}
