// Results that leave the workbench. Every value that prints as a table (results, comparisons,
// histories, item lists, embeddings, the runs table) states its columns and rows once, here; the
// same rows give its `rows` and `columns` members and what `write(value, "x.csv" | "x.json")` puts
// in a file. Printed numbers are rounded (4 significant digits); rows keep full precision.

import Datasets
import Foundation
import Script
import Store
import Support
import Training

/// A value that is a table: named columns and rows of plain values at full precision.
protocol TableValue: ScriptObject {
    /// Column names, in order.
    var tableColumns: [String] { get }
    /// Rows, each with one value per column.
    var tableRows: [[Value]] { get }
}

extension TableValue {
    /// The rows as records (column name → value), as the `rows` member returns them.
    var rowRecords: [Value] {
        tableRows.map { row in .record(Record(zip(tableColumns, row).map { ($0, $1) })) }
    }
}

extension ResultObject: TableValue {
    var tableColumns: [String] { ["k", "hr", "ndcg", "mrr"] }
    var tableRows: [[Value]] {
        result.ks.indices.map { i in
            [.number(Double(result.ks[i])), .number(result.hitRate[i]), .number(result.ndcg[i]), .number(result.mrr[i])]
        }
    }
}

extension ModelTableObject: TableValue {
    var tableColumns: [String] {
        let ks = rows[0].result.ks
        return ["model"] + ["hr", "ndcg", "mrr"].flatMap { m in ks.map { "\(m)@\($0)" } } + ["parameters", "trained"]
    }
    var tableRows: [[Value]] {
        rows.map { r in
            [.string(r.name)] + [r.result.hitRate, r.result.ndcg, r.result.mrr].flatMap { $0.map { Value.number($0) } }
                + [r.parameters.map { .number(Double($0)) } ?? .none, r.trained.map { .number(Double($0)) } ?? .none]
        }
    }
}

extension HistoryObject: TableValue {
    var tableColumns: [String] { ["epoch", "loss", "valid", "best"] }
    var tableRows: [[Value]] {
        records.map { r in
            [.number(Double(r.epoch)), .number(r.loss), r.valid.map { .number($0) } ?? .none, .bool(r.improved)]
        }
    }
}

extension ItemListObject: TableValue {
    var tableColumns: [String] { ["rank", "id", "title", scoreName] }
    var tableRows: [[Value]] {
        rows.enumerated().map { k, r in
            [.number(Double(k + 1)), .string(ids[k]), .string(titles[k]), .number(r.score)]
        }
    }
}

extension EmbeddingsObject: TableValue {
    var tableColumns: [String] { ["item"] + (0..<width).map { "d\($0)" } }
    var tableRows: [[Value]] {
        // Row 0 of the table is padding; item i is row i.
        (0..<items).map { k in
            let i = k + 1
            return [.string(tokens[i])] + (0..<width).map { .number(Double(table.pointer[i * width + $0])) }
        }
    }
}

extension RunTableObject: TableValue {
    var tableColumns: [String] { ["id", "kind", "status", "verdict", "started", "ended", "seed", "threads", "script", "sha256", "numerics"] }
    var tableRows: [[Value]] {
        let iso = ISO8601DateFormatter()
        return runs.map { r in
            [.number(Double(r.id)), .string(r.info.kind.rawValue), .string(r.status.rawValue), r.verdict.map { .string($0) } ?? .none,
             .string(iso.string(from: r.startedAt)), r.endedAt.map { .string(iso.string(from: $0)) } ?? .none,
             .number(Double(r.info.seed)), .number(Double(r.info.threads)), r.info.scriptPath.map { .string($0) } ?? .none,
             .string(r.scriptSHA256), .string(r.info.numerics)]
        }
    }
}

extension RunComparisonObject: TableValue {
    var tableColumns: [String] { ["field"] + details.map { "run \($0.run.id)" } }
    var tableRows: [[Value]] { fieldRows.map { [.string($0.name)] + $0.values.map { .string($0) } } }
}

/// A file size for messages: "812 bytes", "4.2 KB", "1.3 MB".
func byteCount(_ n: Int) -> String {
    if n < 1000 { return "\(n) bytes" }
    if n < 1_000_000 { return String(format: "%.1f KB", Double(n) / 1000) }
    return String(format: "%.1f MB", Double(n) / 1_000_000)
}

/// A file format `write` knows by the file's extension.
enum WriteFormat: String {
    case csv, json
}

/// The CSV text of a table: a header line, then one line per row; fields with a comma, quote or line
/// break are quoted (RFC 4180); numbers in the shortest form that reads back exactly.
func csvText(columns: [String], rows: [[Value]]) -> String {
    func field(_ v: Value) -> String {
        let text: String
        switch v {
        case .none: text = ""
        case .number(let x): text = formatNumber(x)
        case .string(let s): text = s
        case .bool(let b): text = b ? "true" : "false"
        default: text = v.text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return ([columns.map { field(.string($0)) }] + rows.map { $0.map(field) }).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
}

/// The JSON text of a value: numbers exact (shortest round-trip form), NaN and infinities as null,
/// records as objects with their fields in order, tables as arrays of row objects.
func jsonText(_ value: Value) throws -> String {
    func encode(_ v: Value) throws -> String {
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return x.isFinite ? formatNumber(x) : "null"
        case .string(let s): return jsonQuoted(s)
        case .list(let items): return "[" + (try items.map(encode)).joined(separator: ", ") + "]"
        case .record(let r): return "{" + (try r.fields.map { jsonQuoted($0.key) + ": " + (try encode($0.value)) }).joined(separator: ", ") + "}"
        case .object(let o as TableValue): return "[\n  " + (try o.rowRecords.map(encode)).joined(separator: ",\n  ") + "\n]"
        case .object(let o): throw WriteError("a \(o.typeName) has no table to write; write results, comparisons, histories, item lists, embeddings, runs(), lists or records")
        case .function, .builtin, .method: throw WriteError("a function cannot be written to a file")
        }
    }
    return try encode(value) + "\n"
}

/// Why a value cannot be written.
struct WriteError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}


/// The rows of a plain value for CSV: a list of records (columns from the first), or a list of numbers
/// or strings (one column, "value").
private func plainTable(_ value: Value) -> (columns: [String], rows: [[Value]])? {
    guard case .list(let items) = value else { return nil }
    if case .record(let first)? = items.first {
        let columns = first.keys
        var rows: [[Value]] = []
        for item in items {
            guard case .record(let r) = item, r.keys == columns else { return nil }
            rows.append(r.fields.map(\.value))
        }
        return (columns, rows)
    }
    guard items.allSatisfy({ if case .list = $0 { return false }; if case .record = $0 { return false }; if case .object = $0 { return false }; return true })
    else { return nil }
    return (["value"], items.map { [$0] })
}

/// Writes a dataset as `path/NAME.inter` (and `.item`, `.user` when it has them), NAME the last
/// component of `path`, and says what it wrote.
private func writeAtomicFiles(_ d: DatasetObject, to path: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
    let (directory, name) = try atomicDirectory(path, args)
    do {
        try DatasetWriter.writeAtomic(d.dataset, directory: directory, name: name)
    } catch { throw args.error("path", "cannot write \(directory): \(error)") }
    let data = d.dataset
    let written = ["inter"] + (data.itemText != nil || data.itemAttributes != nil ? ["item"] : [])
        + (data.userAttributes != nil ? ["user"] : [])
    let files = written.map { "\(directory)/\(name).\($0)" }
    interpreter.output("wrote \(files.joined(separator: ", ")) (RecBole atomic files, \(d.dataset.userCount) users, \(d.dataset.interactionCount) interactions)")
    return .none
}

/// The directory `path` names and its last component, NAME of the files in it.
private func atomicDirectory(_ path: String, _ args: Arguments) throws -> (String, String) {
    let directory = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    let name = (directory as NSString).lastPathComponent
    guard !name.isEmpty, name != ".", name != ".." else {
        throw args.error("path", "name the directory the files go in, e.g. \"Data/mine\" for Data/mine/mine.inter")
    }
    return (directory, name)
}

/// `write(split, "dir", format: "recbole")`: RecBole's benchmark files of the split's rows.
private func writeBenchmarkFiles(_ s: SplitObject, to path: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
    let (directory, name) = try atomicDirectory(path, args)
    let counts: [Int]
    do {
        counts = try DatasetWriter.writeBenchmark(s.split, of: s.source.dataset, directory: directory, name: name)
    } catch { throw args.error("path", "cannot write \(directory): \(error)") }
    let files = ["train", "valid", "test"].map { "\(directory)/\(name).\($0).inter" }
    interpreter.output("wrote \(files.joined(separator: ", ")) (RecBole benchmark files, \(counts.map { groupedThousands($0) }.joined(separator: " / ")) rows: benchmark_filename [train, valid, test])")
    return .none
}

extension Registry {
    func registerTables() {
        register(BuiltinSpec("write", topic: "runs", parameters: [
            Parameter("value", .any, positional: true, help: "a result, comparison, history, item list, embeddings, runs(), a list or record, a dataset, or a split"),
            Parameter("path", .string, positional: true, help: "the file (.csv or .json says the format), or the directory of a dataset's atomic files"),
            Parameter("format", .string, default: Value.none,
                      help: "\"csv\" or \"json\" (default: the file's ending), or \"recbole\": a dataset as DIR/NAME.inter, .item and .user, a split as RecBole's benchmark files DIR/NAME.train.inter, .valid.inter, .test.inter (NAME the directory's name)"),
        ], help: "Writes a value to a CSV or JSON file at full precision (printed numbers are rounded; written ones are not), or a dataset as RecBole atomic files.") { args, interpreter in
            let value = args.value("value")
            let path = try args.string("path")
            let ext = (path as NSString).pathExtension.lowercased()
            let asked = args.has("format") ? try args.string("format", choices: ["csv", "json", "recbole"]) : nil
            if case .object(let d as DatasetObject) = value {
                guard asked == nil || asked == "recbole" else {
                    throw args.error("format", "a dataset is written as RecBole atomic files: use format: \"recbole\"")
                }
                // "out.csv" would become a directory of atomic files: not what the name says.
                guard asked != nil || WriteFormat(rawValue: ext) == nil else {
                    throw args.error("path", "a dataset is written as RecBole atomic files into a directory: write(data, \"dir\", format: \"recbole\")")
                }
                return try writeAtomicFiles(d, to: path, args, interpreter)
            }
            if case .object(let s as SplitObject) = value, asked == "recbole" || ext.isEmpty {
                guard s.transfer == nil else { throw args.error("value", "a transfer task's split has a target vocabulary of its own; write its source dataset instead") }
                return try writeBenchmarkFiles(s, to: path, args, interpreter)
            }
            if asked == "recbole" { throw args.error("value", "format \"recbole\" writes a dataset or a split; \(value.described) is neither") }
            guard let format = WriteFormat(rawValue: asked ?? ext) else {
                throw args.error("path", "cannot tell the format of \"\(path)\"; end the name in .csv or .json")
            }
            let text: String
            var rowCount: Int?
            switch format {
            case .json:
                do { text = try jsonText(value) } catch { throw args.error("value", "\(error)") }
                if case .object(let t as TableValue) = value { rowCount = t.tableRows.count }
                if case .list(let l) = value { rowCount = l.count }
            case .csv:
                if case .object(let t as TableValue) = value {
                    text = csvText(columns: t.tableColumns, rows: t.tableRows)
                    rowCount = t.tableRows.count
                } else if let (columns, rows) = plainTable(value) {
                    text = csvText(columns: columns, rows: rows)
                    rowCount = rows.count
                } else {
                    throw args.error("value", "\(value.described) is not a table; CSV takes results, comparisons, histories, item lists, embeddings, runs(), or a list of records or numbers (use .json for other values)")
                }
            }
            do { try AtomicFile.write(text, to: path) } catch { throw args.error("path", "cannot write \(path): \(error)") }
            let what = rowCount.map { "\($0) row\($0 == 1 ? "" : "s")" } ?? value.typeName
            interpreter.output("wrote \(path) (\(format.rawValue.uppercased()), \(what), \(byteCount(text.utf8.count)))")
            return .none
        })
        for type in ["Result", "Comparison", "History", "Items", "Embeddings", "Runs"] {
            registerMethod(BuiltinSpec("rows", owner: type, topic: "runs", isProperty: true,
                                       help: "The table's rows as records (full precision), as write() puts them in a file.") { args, _ in
                guard case .object(let t as TableValue)? = args.receiver else { throw args.error("not a table") }
                return .list(t.rowRecords)
            })
            registerMethod(BuiltinSpec("columns", owner: type, topic: "runs", isProperty: true,
                                       help: "The table's column names.") { args, _ in
                guard case .object(let t as TableValue)? = args.receiver else { throw args.error("not a table") }
                return .list(t.tableColumns.map { .string($0) })
            })
        }
    }
}
