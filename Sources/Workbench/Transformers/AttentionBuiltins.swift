// `model.attention(user: u | items: [...], layer:, head:)`: the attention probabilities of one
// sequence, taken from the same forward pass that scores it (SASRecRecommender keeps them), drawn
// as a heatmap with item titles on both axes; `file:` writes an SVG with a colour scale.

import Datasets
import Plots
import Script
import Support
import Tensors
import Training

extension Registry {
    func registerAttention() {
        registerMethod(AttentionBuiltins.modelAttention) { ($0 as? ModelObject)?.model is AttentionModel }
    }
}

/// The builtins `registerAttention` adds.
private enum AttentionBuiltins {
    /// The builtin `Model.attention`.
    static var modelAttention: BuiltinSpec {
        BuiltinSpec("attention", owner: "Model", topic: "models", parameters: [
            Parameter("user", .oneOf([.integer, .string]), default: Value.none, help: "a user by id (see help(\"naming\")): their test history"),
            Parameter("items", .list, default: Value.none, help: "or a history given by hand (titles, tokens or ids)"),
            Parameter("layer", .oneOf([.integer, .string]), default: .number(1), help: "1-based layer, or \"all\" for every layer × head"),
            Parameter("head", .integer, default: .number(1), help: "1-based head"),
            Parameter("file", .string, default: Value.none, help: "also write an SVG heatmap (for \"all\", a row per layer and a column per head)"),
            Parameter("color", .bool, default: .bool(false), help: "256-colour cells in the terminal instead of block shading"),
            Parameter("last", .integer, default: Value.none, help: "show only the last n positions (rows and columns) of a long sequence; the map is still computed over all of it"),
        ], help: "The attention map of one sequence (query rows × key columns) from the scoring pass, as a heatmap.") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            guard let transformer = m.model as? AttentionModel else {
                throw args.error("\(m.model.name) has no attention; attention works on transformer models such as sasrec(...)")
            }
            let (history, whose) = try attentionHistory(m, args)
            let c = (layers: transformer.layerCount, heads: transformer.headCount, maxLength: transformer.positions)
            let rows = try Rows(kind: .prefix, storage: history + [1], users: [0], starts: [0], ends: [history.count])
            var batcher = try Batcher(rows: rows, batchSize: 1, width: m.width)
            var batch = batcher.makeBatch()
            _ = batcher.next(into: &batch)
            var scores = [Float](repeating: 0, count: m.model.itemCount + 1)
            let maps = scores.withUnsafeMutableBufferPointer { transformer.scoreKeepingAttention(batch, into: $0.baseAddress!) }
            // The network reads the most recent min(length, maxLength) items.
            var used = Array(history.suffix(min(history.count, c.maxLength)))
            // RecBole 1.2.1's BERT4Rec appends the mask and drops the oldest column (never empty here).
            if transformer.dropsOldestItem { used.removeFirst() }
            // BERT4Rec reads one more column: the mask slot it predicts through.
            let width = maps[0].shape[3]   // [1, heads, W, W]
            // The id leads each label, so a cut title still says which item it is (help("naming")).
            // Rows name each item with its id ("[50] Star Wars…"); columns, in the same order and read
            // downwards, keep the title alone.
            let labels = used.map { axisLabel(m.dataset, Int($0)) } + (width > used.count ? ["[mask]"] : [])
            let titles = used.map { shorten(m.dataset.label(Int($0)), 14) } + (width > used.count ? ["[mask]"] : [])
            let w = min(labels.count, width)
            let first = args.has("last") ? max(0, w - (try args.int("last", min: 1))) : 0
            let shown = Array(labels[first..<w]), shownTitles = Array(titles[first..<w])
            func matrix(_ layer: Int, _ head: Int) -> [[Double]] {
                let t = maps[layer]
                // Masked keys come out of the exp kernel as subnormals; they are zeros.
                return (first..<w).map { q in (first..<w).map { k in
                    let v = Double(t.pointer[(head * width + q) * width + k])
                    return v < 1e-30 ? 0 : v
                } }
            }
            var pairs: [(Int, Int)] = []
            if case .string(let s) = args.value("layer") {
                guard s == "all" else { throw args.error("layer", "layer is a number from 1 to \(c.layers), or \"all\"") }
                for l in 0..<c.layers { for h in 0..<c.heads { pairs.append((l, h)) } }
            } else {
                let l = try args.int("layer", min: 1, max: c.layers), h = try args.int("head", min: 1, max: c.heads)
                pairs = [(l - 1, h - 1)]
            }
            var texts: [String] = [], panels: [Heatmap] = []
            for (l, h) in pairs {
                let part = first > 0 ? ", last \(w - first) of \(w) positions" : ""
                var map = try Heatmap(title: "\(m.model.name) attention, layer \(l + 1), head \(h + 1), \(whose) (rows attend to columns\(part))",
                                      rowLabels: shown, columnLabels: shownTitles, values: matrix(l, h))
                // A causal first position can only attend to itself (probability 1, which says
                // nothing); the scale is set by the other rows so their spread stays visible.
                if transformer.isCausal && first == 0 && map.values.count > 1 {
                    map.scaleMaximum = map.values.dropFirst().joined().max()
                }
                texts.append(map.renderTerminal(color: try args.bool("color"), unicode: true, maxLabelWidth: 18))
                panels.append(map)
            }
            // "all": a row per layer, a column per head (a grid stays within a screen where a strip
            // of panels did not); wider than four heads, rows of three.
            func svg() -> String {
                panels.count == 1 ? panels[0].renderSVG(cellSize: 20, maxLabelWidth: 18)
                    : Heatmap.renderGridSVG(panels, columns: c.heads <= 4 ? c.heads : 3, cellSize: 20, maxLabelWidth: 18)
            }
            if args.has("file") {
                let file = try args.string("file")
                let svg = svg()
                do { try AtomicFile.write(svg, to: file) }
                catch { throw args.error("file", "\(error)") }
                interpreter.output("wrote \(file) (SVG, \(panels.count) heatmap\(panels.count == 1 ? "" : "s"), \(byteCount(svg.utf8.count)))")
            }
            FigureCollector.of(interpreter)?.add(title: panels.count == 1 ? panels[0].title : "\(m.model.name) attention, every layer and head") { svg() }
            return .object(TextObject("Attention", texts.joined(separator: "\n")))
        }
    }
}

/// A model whose scoring pass keeps its attention maps.
protocol AttentionModel {
    func scoreKeepingAttention(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor]
    var layerCount: Int { get }
    var headCount: Int { get }
    /// The most recent items it reads.
    var positions: Int { get }
    /// Whether positions attend only to earlier ones.
    var isCausal: Bool { get }
    /// Whether prediction drops the oldest history item (RecBole 1.2.1's BERT4Rec layout).
    var dropsOldestItem: Bool { get }
}

extension SASRecRecommender: AttentionModel {
    var isCausal: Bool { true }
    var layerCount: Int { network.configuration.layers }
    var headCount: Int { network.configuration.heads }
    var positions: Int { network.configuration.maxLength }
    var dropsOldestItem: Bool { false }
}

extension BERT4RecRecommender: AttentionModel {
    var isCausal: Bool { false }
    var layerCount: Int { network.configuration.layers }
    var headCount: Int { network.configuration.heads }
    var positions: Int { network.configuration.maxLength }
    var dropsOldestItem: Bool { network.configuration.recbole.dropsOldestItemAtPrediction }
}

/// An item as a heatmap axis shows it: `[50] Star Wars…`, or its id when the data has no titles.
private func axisLabel(_ d: DatasetObject, _ item: Int) -> String {
    let token = d.dataset.items.token(item) ?? "?"
    guard let text = d.dataset.itemText, item < text.count, !text[item].isEmpty else { return token }
    return shorten("[\(token)] \(text[item])", 18)
}

/// The history `attention` shows (a user's test history or items given by hand) and whose it is.
private func attentionHistory(_ m: ModelObject, _ args: Arguments) throws -> ([Int32], String) {
    switch (args.has("user"), args.has("items")) {
    case (true, false):
        guard let split = m.split else { throw args.error("user", "\(m.model.name) has no split yet; fit it first or give items: [...]") }
        let user = try m.dataset.resolveUser(args.value("user"), args, "user")
        let test = split.split.test
        guard let r = (0..<test.count).first(where: { Int(test.users[$0]) == user }) else {
            throw args.error("user", "\(m.dataset.userName(user)) has no test row in this split")
        }
        let history = Array(test.history(r))
        guard !history.isEmpty else { throw args.error("user", "\(m.dataset.userName(user))'s test history is empty") }
        return (history, "\(m.dataset.userName(user))'s test history")
    case (false, true):
        let list = try args.list("items")
        guard !list.isEmpty else { throw args.error("items", "give at least one item") }
        return (try list.map { Int32(try m.dataset.resolveItem($0, args, "items")) }, "\(list.count) items given")
    default:
        throw args.error("give either user: or items:")
    }
}
