// What SASRec's recommender (`SASRecRecommender`, the shared tied-item adapter over SASRec; see
// TransformerFamilies.swift) adds: a scoring pass that also hands out its attention maps. A query
// attends only to keys at or before it, so cutting the columns past a batch's longest row changes
// no real position's state.

import Datasets
import Models
import Tensors

extension TiedItemRecommender where Network == SASRec {
    /// Scores `batch` as `score(_:into:)` does and returns the attention maps of that same forward
    /// pass, one per layer [B, heads, W, W] (W = the columns read: the batch's longest history, at
    /// most maxLength; row b's real positions are 0 ..< min(length, maxLength)).
    public func scoreKeepingAttention(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        run(batch, into: scores).map { $0.detachedCopy() }
    }

    /// The evaluation forward: writes scores [B, N] and returns the maps (arena tensors).
    private func run(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) -> [Tensor] {
        let n = network.configuration.items
        graph.reset()
        return graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.maxLength)
            let out = network.forward(graph, window.take(batch.items))                       // [B, W, H]
            let logits = network.scores(graph, hidden: network.lastHidden(graph, out.hidden, lengths: window.lengths))   // [B, N]
            scores.update(from: logits.pointer, count: batch.count * n)
            return out.attention
        }
    }
}
