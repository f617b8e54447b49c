// Looking inside a model: `similar(item, k:)` (cosine between item vectors), `recommend([items],
// k:)` for a history typed in by hand, `embeddings()` and `summary()` with parameter counts.
// Items are named as people know them: by title when the data has titles, or by token.

import Datasets
import Foundation
import Script
import Tensors
import Training

/// A ranked list of items with scores, printed as a table.
final class ItemListObject: ScriptObject {
    let title: String
    let scoreName: String
    let rows: [(item: Int, label: String, score: Double)]
    /// Decimals of the printed scores (0 for counts).
    let decimals: Int
    init(title: String, scoreName: String, rows: [(item: Int, label: String, score: Double)], decimals: Int = 4) {
        self.title = title
        self.scoreName = scoreName
        self.rows = rows
        self.decimals = decimals
    }
    var typeName: String { "Items" }
    var length: Int? { rows.count }
    var summary: String {
        var lines = [title]
        for (rank, r) in rows.enumerated() {
            let number = String(rank + 1)
            lines.append(String(repeating: " ", count: max(0, 3 - number.count)) + number + "  "
                         + fixed(r.score, decimals).padding(toLength: 8, withPad: " ", startingAt: 0) + "  " + shorten(r.label, 60))
        }
        return lines.joined(separator: "\n")
    }
    var oneLine: String { "\(rows.count) items: " + rows.prefix(3).map { shorten($0.label, 20) }.joined(separator: ", ") + (rows.count > 3 ? ", …" : "") }
}

/// An item embedding table.
final class EmbeddingsObject: ScriptObject {
    let table: Tensor
    let items: Int
    let label: String
    init(table: Tensor, items: Int, label: String) {
        self.table = table
        self.items = items
        self.label = label
    }
    var typeName: String { "Embeddings" }
    var length: Int? { items }
    var width: Int { table.shape[1] }
    var summary: String {
        var norms = 0.0
        for i in 1...items { norms += Double(rowNorm(i)) }
        return "Embeddings of \(label): \(items) items × \(width) dimensions (row 0 is padding), mean L2 norm \(fixed(norms / Double(items), 4))"
    }
    func rowNorm(_ i: Int) -> Float {
        var s: Float = 0
        for c in 0..<width { let v = table.pointer[i * width + c]; s += v * v }
        return s.squareRoot()
    }
}

/// A block of text that prints as it is (a string would print quoted).
final class TextObject: ScriptObject {
    let typeName: String
    let summary: String
    init(_ typeName: String, _ text: String) {
        self.typeName = typeName
        summary = text
    }
}

/// Text cut to `limit` characters with an ellipsis.
func shorten(_ s: String, _ limit: Int) -> String { s.count <= limit ? s : String(s.prefix(limit - 1)) + "…" }

extension DatasetObject {
    /// The item a user named: an id, an exact token, an exact title, or a title containing the text
    /// when exactly one does. The error lists candidates.
    func resolveItem(_ value: Value, _ args: Arguments, _ parameter: String) throws -> Int {
        let d = dataset
        switch value {
        case .number(let x):
            guard x == x.rounded(), x >= 1, x <= Double(d.itemCount) else {
                throw args.error(parameter, "item ids run from 1 to \(d.itemCount), got \(formatNumber(x))")
            }
            return Int(x)
        case .string(let text):
            if let titles = d.itemText, let i = titles.firstIndex(of: text), i > 0 { return i }
            if let id = d.items.id(of: text), id > 0 { return Int(id) }
            let needle = text.lowercased()
            var matches: [Int] = []
            if let titles = d.itemText {
                for i in 1..<titles.count where titles[i].lowercased().contains(needle) { matches.append(i) }
            }
            if matches.count == 1 { return matches[0] }
            if matches.isEmpty {
                throw args.error(parameter, "no item of \(d.name) has the title or token \"\(text)\"")
            }
            let shown = matches.prefix(5).map { "\"\(label($0))\"" }.joined(separator: ", ")
            throw args.error(parameter, "\"\(text)\" matches \(matches.count) titles (\(shown)\(matches.count > 5 ? ", …" : "")); give the whole title")
        default:
            throw args.error(parameter, "name an item by title, token or id")
        }
    }
}

/// The indices of the `k` largest scores, best first; ties by smaller id (never dictionary order).
func topK(_ scores: [Float], k: Int, skip: Set<Int>) -> [Int] {
    var best: [(Float, Int)] = []
    best.reserveCapacity(k + 1)
    for (i, s) in scores.enumerated() where !skip.contains(i) && !s.isNaN {
        if best.count == k, let last = best.last, !(s > last.0) { continue }
        let at = best.firstIndex { s > $0.0 } ?? best.count
        best.insert((s, i), at: at)
        if best.count > k { best.removeLast() }
    }
    return best.map(\.1)
}

/// The `space:` argument of `similar` and `embeddings`.
private let spaceParameter = Parameter("space", .string, default: .string("input"), help:
    "\"input\": the item embedding table; \"output\": the softmax layer's item vectors (what scoring compares against); "
    + "\"context\" (transformers): each item's hidden states, last layers concatenated, averaged over its occurrences in the data")
/// The `layers:` argument: how many of the last layers `space: "context"` concatenates.
private let layersParameter = Parameter("layers", .integer, default: .number(2),
                                        help: "space \"context\": how many of the last layers to concatenate (at most the model's)")

/// The item vectors a `space:` argument names, [items + 1, width], and the space's name.
private func itemTable(_ m: ModelObject, _ args: Arguments) throws -> (Tensor, String) {
    let space = try args.string("space", choices: ["input", "output", "context"])
    if space == "context" {
        guard let encoder = m.model as? ContextualEncoder else {
            throw args.error("space", "\(m.model.name) has no transformer layers; space: \"context\" works on sasrec(...) and bert4rec(...)")
        }
        let layers = min(try args.int("layers", min: 1), encoder.encoderSize.layers)
        let vectors = contextualItemVectors(encoder, dataset: m.dataset.dataset, itemCount: m.model.itemCount, lastLayers: layers).vectors
        return (vectors, "context (last \(layers) layer\(layers == 1 ? "" : "s"))")
    }
    guard let e = m.model as? ItemEmbeddingModel else {
        throw args.error("\(m.model.name) has no item vectors; they exist for neural models such as nextitnet(...)")
    }
    guard let table = space == "input" ? e.itemEmbeddings : e.outputEmbeddings else {
        throw args.error("space", "\(m.model.name) has one item table for input and output; use space: \"input\"")
    }
    return (table, space)
}

extension Registry {
    func registerInspection() {
        describeType("Items", "a ranked list of items with scores")
        describeType("Embeddings", "a model's item vectors")
        registerMethod(InspectionBuiltins.modelSimilar)
        registerMethod(InspectionBuiltins.modelRecommend)
        registerMethod(InspectionBuiltins.modelEmbeddings)
        registerMethod(InspectionBuiltins.modelName)
        registerMethod(InspectionBuiltins.modelSummary)
    }
}

/// The builtins `registerInspection` adds.
private enum InspectionBuiltins {
    /// The builtin `Model.similar`.
    static var modelSimilar: BuiltinSpec {
        BuiltinSpec("similar", owner: "Model", topic: "models", parameters: [
            Parameter("item", .oneOf([.string, .integer]), positional: true, help: "an item by title, token or id"),
            Parameter("k", .integer, default: .number(10), help: "how many neighbours"),
            spaceParameter, layersParameter,
        ], help: "The items whose vectors are closest to this item's (cosine similarity).") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let item = try m.dataset.resolveItem(args.value("item"), args, "item")
            let n = m.model.itemCount
            let k = try args.int("k", min: 1, max: max(n - 1, 1))
            let (table, space) = try itemTable(m, args)
            let c = table.shape[1]
            func norm(_ i: Int) -> Float {
                var s: Float = 0
                for j in 0..<c { s += table.pointer[i * c + j] * table.pointer[i * c + j] }
                return s.squareRoot()
            }
            let q = norm(item)
            guard q > 0 else { throw args.error("item", "\"\(m.dataset.label(item))\" has no \(space) vector (it never occurs in the data)") }
            var cosines = [Float](repeating: -.infinity, count: n + 1)
            // A zero vector (an item that never occurs, in the context space) has no direction: skip it.
            for i in 1...n where norm(i) > 0 {
                var dot: Float = 0
                for j in 0..<c { dot += table.pointer[item * c + j] * table.pointer[i * c + j] }
                cosines[i] = dot / max(q * norm(i), 1e-12)
            }
            let top = topK(cosines, k: k, skip: [0, item])
            return .object(ItemListObject(title: "Items most similar to \"\(shorten(m.dataset.label(item), 50))\" (\(m.model.name), cosine, \(space) vectors):",
                                          scoreName: "cosine", rows: top.map { ($0, m.dataset.label($0), Double(cosines[$0])) }))
        }
    }

    /// The builtin `Model.recommend`.
    static var modelRecommend: BuiltinSpec {
        BuiltinSpec("recommend", owner: "Model", topic: "models", parameters: [
            Parameter("history", .list, positional: true, help: "items in the order they were consumed, by title, token or id"),
            Parameter("k", .integer, default: .number(10), help: "how many recommendations"),
            Parameter("exclude", .bool, default: .bool(true), help: "leave the history's items out"),
        ], help: "The model's top-k next items after a history you give.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let list = try args.list("history")
            guard !list.isEmpty else { throw args.error("history", "give at least one item") }
            let items = try list.map { Int32(try m.dataset.resolveItem($0, args, "history")) }
            let n = m.model.itemCount
            let k = try args.int("k", min: 1, max: n)
            // One prefix row: the history then a placeholder target the scorer never reads.
            let rows = try Rows(kind: .prefix, storage: items + [1], users: [0], starts: [0], ends: [items.count])
            var batcher = try Batcher(rows: rows, batchSize: 1, width: m.width)
            var batch = batcher.makeBatch()
            _ = batcher.next(into: &batch)
            var scores = [Float](repeating: 0, count: n + 1)
            do { try scores.withUnsafeMutableBufferPointer { try m.model.score(batch, into: $0.baseAddress!) } }
            catch { throw args.error("\(error)") }
            var skip: Set<Int> = [0]
            if try args.bool("exclude") { for i in items { skip.insert(Int(i)) } }
            let top = topK(scores, k: k, skip: skip)
            let last = m.dataset.label(Int(items.last!))
            return .object(ItemListObject(title: "\(m.model.name) recommends after \(items.count) items (last: \"\(shorten(last, 40))\"):",
                                          scoreName: "score", rows: top.map { ($0, m.dataset.label($0), Double(scores[$0])) }))
        }
    }

    /// The builtin `Model.embeddings`.
    static var modelEmbeddings: BuiltinSpec {
        BuiltinSpec("embeddings", owner: "Model", topic: "models", parameters: [spaceParameter, layersParameter],
                                   help: "The model's item vectors (row per item id).") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let (table, space) = try itemTable(m, args)
            return .object(EmbeddingsObject(table: table, items: m.model.itemCount, label: "\(m.model.name) (\(space))"))
        }
    }

    /// The builtin `Model.name`.
    static var modelName: BuiltinSpec {
        BuiltinSpec("name", owner: "Model", topic: "models", isProperty: true,
                                   help: "The model's name, as tables show it.") { args, _ in
            .string(args.receiver(as: ModelObject.self).model.name)
        }
    }

    /// The builtin `Model.summary`.
    static var modelSummary: BuiltinSpec {
        BuiltinSpec("summary", owner: "Model", topic: "models",
                                   help: "The architecture and the parameter count of every layer.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            guard let t = m.trainable else { return .object(TextObject("Summary", m.summary)) }
            var lines = ["\(m.model.name): \(t.architecture)", "layer".padding(toLength: 26, withPad: " ", startingAt: 0) + "shape".padding(toLength: 18, withPad: " ", startingAt: 0) + "parameters"]
            for p in t.parameters {
                let shape = "[" + p.shape.map(String.init).joined(separator: ", ") + "]"
                lines.append(p.name.padding(toLength: 26, withPad: " ", startingAt: 0) + shape.padding(toLength: 18, withPad: " ", startingAt: 0)
                             + String(repeating: " ", count: max(0, 10 - groupedThousands(p.count).count)) + groupedThousands(p.count)
                             + (p.isFrozen ? "  frozen" : ""))
            }
            let trained = t.parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count }
            lines.append("total " + groupedThousands(t.parameterCount) + " parameters, " + groupedThousands(trained) + " trained")
            return .object(TextObject("Summary", lines.joined(separator: "\n")))
        }
    }
}
