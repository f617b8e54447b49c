// Contextual item vectors: BERT-style feature extraction for item sequences.
//
// A transformer trained on item sequences (BERT4Rec's masked-item objective, or SASRec's next
// item) gives every occurrence of an item a hidden state that depends on its neighbours. As with
// BERT features for words, an item's representation here is the concatenation of the last few
// layers' states at its position, averaged over all its occurrences in the data: a context-free
// vector that `similar` can compare by cosine. Sequences are read in consecutive, non-overlapping
// windows of the model's maximum length (oldest first), with no dropout and no mask token, so every
// occurrence is encoded exactly once. Items that never occur get a zero vector.
// The mean vectors are then centred (the mean over occurring items subtracted): transformer states
// share a large common component (the anisotropy known from BERT), which otherwise puts every
// cosine near 1 and hides the differences `similar` is meant to show.

import Datasets
import Models
import Tensors

/// A transformer recommender whose per-layer hidden states can be read at every position.
public protocol ContextualEncoder: AnyObject {
    /// The encoder's sizes: layers, hidden width H of each layer's output, and the longest
    /// sequence the position table holds (maxLength).
    var encoderSize: TransformerSize { get }
    /// Evaluation forward (no dropout): left-aligned ids [B, L] → per-layer outputs [B, L, H].
    func encoderForward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput
}

extension SASRecRecommender: ContextualEncoder {
    public var encoderSize: TransformerSize { network.configuration.size }
    public func encoderForward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput { network.forward(g, ids) }
}

extension BERT4RecRecommender: ContextualEncoder {
    public var encoderSize: TransformerSize { network.configuration.size }
    public func encoderForward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput { network.forward(g, ids) }
}

/// Centred mean contextual vectors of every item: [items + 1, lastLayers × H], row 0 (padding) and
/// items that never occur in `dataset` are zero; `occurrences[i]` counts item i's positions. `lastLayers` is clamped to 1...encoderSize.layers.
public func contextualItemVectors(_ model: ContextualEncoder, dataset: Dataset, itemCount: Int,
                                  lastLayers: Int, batchSize: Int = 64) -> (vectors: Tensor, occurrences: [Int]) {
    let n = max(1, min(lastLayers, model.encoderSize.layers))
    let h = model.encoderSize.hidden
    let width = model.encoderSize.maxLength
    let dims = n * h
    // Windows of at most `width` items, in user order then time order: a fixed, data-only order.
    var windows: [ArraySlice<Int32>] = []
    for u in 1...max(dataset.userCount, 1) where u <= dataset.userCount {
        let s = dataset.sequence(of: u)
        var start = s.startIndex
        while start < s.endIndex {
            let end = min(start + width, s.endIndex)
            windows.append(s[start..<end])
            start = end
        }
    }
    var sums = [Double](repeating: 0, count: (itemCount + 1) * dims)
    var counts = [Int](repeating: 0, count: itemCount + 1)
    let g = Graph()
    var first = 0
    while first < windows.count {
        let part = windows[first..<min(first + batchSize, windows.count)]
        first += part.count
        // Every batch has the same width, so a window's states never depend on its batch-mates' shapes.
        var ids = [Int32](repeating: 0, count: part.count * width)
        for (b, w) in part.enumerated() { for (c, item) in w.enumerated() { ids[b * width + c] = item } }
        g.reset()
        g.withoutRecording {
            let out = model.encoderForward(g, IndexTensor(shape: [part.count, width], values: ids))
            let states = out.layers.suffix(n)
            for (b, w) in part.enumerated() {
                for (c, item) in w.enumerated() where item > 0 && Int(item) <= itemCount {
                    let row = Int(item) * dims
                    counts[Int(item)] += 1
                    for (j, layer) in states.enumerated() {
                        let source = layer.pointer + (b * width + c) * h
                        for d in 0..<h { sums[row + j * h + d] += Double(source[d]) }
                    }
                }
            }
        }
    }
    let occurring = (0...itemCount).filter { $0 > 0 && counts[$0] > 0 }
    var centre = [Double](repeating: 0, count: dims)
    for i in occurring { for d in 0..<dims { centre[d] += sums[i * dims + d] / Double(counts[i]) } }
    for d in 0..<dims { centre[d] /= Double(max(occurring.count, 1)) }
    let vectors = Tensor(zeros: [itemCount + 1, dims], name: "contextual_item_vectors")
    for i in occurring {
        for d in 0..<dims { vectors.pointer[i * dims + d] = Float(sums[i * dims + d] / Double(counts[i]) - centre[d]) }
    }
    return (vectors, counts)
}
