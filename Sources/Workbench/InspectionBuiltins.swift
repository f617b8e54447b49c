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
    /// Each row's item id in the data, and its title ("" without titles), for `write` and `rows`.
    let ids: [String], titles: [String]
    init(title: String, scoreName: String, rows: [(item: Int, label: String, score: Double)], dataset: DatasetObject,
         decimals: Int = 4) {
        self.title = title
        self.scoreName = scoreName
        self.rows = rows
        self.decimals = decimals
        ids = rows.map { dataset.dataset.items.token($0.item) ?? "?" }
        titles = rows.map { r in dataset.dataset.itemText.flatMap { r.item < $0.count ? $0[r.item] : nil } ?? "" }
    }
    var typeName: String { "Items" }
    var length: Int? { rows.count }
    var summary: String {
        var lines = [title]
        for (rank, r) in rows.enumerated() {
            let number = String(rank + 1)
            lines.append(String(repeating: " ", count: max(0, 3 - number.count)) + number + "  "
                         + fixed(r.score, decimals).padding(toLength: 8, withPad: " ", startingAt: 0) + "  " + r.label)
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
    /// Item ids in the data, by row (row 0 is padding).
    let tokens: [String]
    init(table: Tensor, items: Int, label: String, dataset: DatasetObject) {
        self.table = table
        self.items = items
        self.label = label
        tokens = (0...items).map { dataset.dataset.items.token($0) ?? String($0) }
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

/// The `minCount:` argument of `similar` and `recommend`.
private let minCountParameter = Parameter("minCount", .integer, default: .number(Double(defaultMinCount)), help:
    "leave out items with fewer interactions than this in the model's data (their vectors are barely trained and crowd neighbour lists); 1 keeps all")

/// Items with fewer interactions have vectors that barely moved from their initialisation; in
/// MovieLens-100K such items (a third of the catalogue) otherwise fill the top of neighbour lists.
let defaultMinCount = 10

/// Which items `minCount:` keeps, and the rule as the output header states it.
private func frequentItems(_ m: ModelObject, _ args: Arguments) throws -> ((Int) -> Bool, String) {
    let minCount = try args.int("minCount", min: 1)
    guard minCount > 1 else { return ({ _ in true }, "all items") }
    let counts = m.dataset.dataset.itemFrequencies()
    let kept = counts.dropFirst().filter { $0 >= minCount }.count
    return ({ $0 < counts.count && counts[$0] >= minCount },
            "items seen ≥ \(minCount) times: \(kept) of \(counts.count - 1); minCount: 1 for all")
}

extension Registry {
    func registerInspection() {
        describeType("Items", "a ranked list of items with scores")
        describeType("Embeddings", "a model's item vectors")
        let hasItemVectors: (ScriptObject) -> Bool = { o in
            guard let m = o as? ModelObject else { return false }
            return m.model is ItemEmbeddingModel || m.model is ContextualEncoder
        }
        registerMethod(InspectionBuiltins.modelSimilar, appliesTo: hasItemVectors)
        registerMethod(InspectionBuiltins.modelRecommend)
        registerMethod(InspectionBuiltins.modelEmbeddings, appliesTo: hasItemVectors)
        registerMethod(InspectionBuiltins.modelName)
        registerMethod(InspectionBuiltins.modelSummary)
    }
}

/// The builtins `registerInspection` adds.
private enum InspectionBuiltins {
    /// The builtin `Model.similar`.
    static var modelSimilar: BuiltinSpec {
        BuiltinSpec("similar", owner: "Model", topic: "models", parameters: [
            Parameter("item", .oneOf([.string, .integer]), positional: true, help: "an item by id or title (see help(\"naming\"))"),
            Parameter("k", .integer, default: .number(10), help: "how many neighbours"),
            minCountParameter,
            spaceParameter, layersParameter,
        ], help: "The items whose vectors are closest to this item's (cosine similarity), among items seen at least minCount times.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let item = try m.dataset.resolveItem(args.value("item"), args, "item")
            let n = m.model.itemCount
            let k = try args.int("k", min: 1, max: max(n - 1, 1))
            let (eligible, rule) = try frequentItems(m, args)
            let (table, space) = try itemTable(m, args)
            let c = table.shape[1]
            func norm(_ i: Int) -> Float {
                var s: Float = 0
                for j in 0..<c { s += table.pointer[i * c + j] * table.pointer[i * c + j] }
                return s.squareRoot()
            }
            let q = norm(item)
            guard q > 0 else { throw args.error("item", "\(m.dataset.itemName(item)) has no \(space) vector (it never occurs in the data)") }
            var cosines = [Float](repeating: -.infinity, count: n + 1)
            // A zero vector (an item that never occurs, in the context space) has no direction: skip it.
            for i in 1...n where eligible(i) && norm(i) > 0 {
                var dot: Float = 0
                for j in 0..<c { dot += table.pointer[item * c + j] * table.pointer[i * c + j] }
                cosines[i] = dot / max(q * norm(i), 1e-12)
            }
            let top = topK(cosines, k: k, skip: [0, item]).filter { cosines[$0] > -.infinity }
            return .object(ItemListObject(title: "Items most similar to \(m.dataset.itemName(item, limit: 50)) (\(m.model.name), cosine, \(space) vectors; \(rule)):",
                                          scoreName: "cosine", rows: top.map { ($0, m.dataset.itemName($0, limit: 60), Double(cosines[$0])) }, dataset: m.dataset))
        }
    }

    /// The builtin `Model.recommend`.
    static var modelRecommend: BuiltinSpec {
        BuiltinSpec("recommend", owner: "Model", topic: "models", parameters: [
            Parameter("history", .list, positional: true, help: "items in the order they were consumed, by id or title (see help(\"naming\"))"),
            Parameter("k", .integer, default: .number(10), help: "how many recommendations"),
            Parameter("exclude", .bool, default: .bool(true), help: "leave the history's items out"),
            minCountParameter,
        ], help: "The model's top-k next items after a history you give, among items seen at least minCount times.") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let list = try args.list("history")
            guard !list.isEmpty else { throw args.error("history", "give at least one item") }
            let items = try list.map { Int32(try m.dataset.resolveItem($0, args, "history")) }
            let n = m.model.itemCount
            let k = try args.int("k", min: 1, max: n)
            let (eligible, rule) = try frequentItems(m, args)
            // One prefix row: the history then a placeholder target the scorer never reads.
            let rows = try Rows(kind: .prefix, storage: items + [1], users: [0], starts: [0], ends: [items.count])
            var batcher = try Batcher(rows: rows, batchSize: 1, width: m.width)
            var batch = batcher.makeBatch()
            _ = batcher.next(into: &batch)
            var scores = [Float](repeating: 0, count: n + 1)
            do { try scores.withUnsafeMutableBufferPointer { try m.model.score(batch, into: $0.baseAddress!) } }
            catch { throw args.error("\(error)") }
            for i in 1...n where !eligible(i) { scores[i] = .nan }
            var skip: Set<Int> = [0]
            if try args.bool("exclude") { for i in items { skip.insert(Int(i)) } }
            let top = topK(scores, k: k, skip: skip)
            let last = m.dataset.itemName(Int(items.last!), limit: 40)
            return .object(ItemListObject(title: "\(m.model.name) recommends after \(items.count) item\(items.count == 1 ? "" : "s") (last: \(last); \(rule)):",
                                          scoreName: "score", rows: top.map { ($0, m.dataset.itemName($0, limit: 60), Double(scores[$0])) }, dataset: m.dataset))
        }
    }

    /// The builtin `Model.embeddings`.
    static var modelEmbeddings: BuiltinSpec {
        BuiltinSpec("embeddings", owner: "Model", topic: "models", parameters: [spaceParameter, layersParameter],
                                   help: "The model's item vectors (row per item id).") { args, _ in
            let m = args.receiver(as: ModelObject.self)
            let (table, space) = try itemTable(m, args)
            return .object(EmbeddingsObject(table: table, items: m.model.itemCount, label: "\(m.model.name) (\(space))", dataset: m.dataset))
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
