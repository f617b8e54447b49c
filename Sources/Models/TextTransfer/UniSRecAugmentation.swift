// The augmented view of UniSRec's sequence-sequence task (`data/transform.py::PLMEmb`;
// reference/text-models.md §4.4). Once per batch, as the reference draws `random.random()` once:
//   with probability 0.9  ITEM DROP  each item after the first is kept with probability 0.8, the
//                                    first always; order kept, the survivors left-aligned
//   otherwise             WORD DROP  the same items, each position reading the item's word-dropped
//                                    text (`.feat2CLS`) with probability 0.2
// Departures, both deliberate:
//   - Item drop is the clean form of the reference's intent. Its scatter (`cumsum(mask) − 1` as
//     destination indices) sends a dropped item to the slot of the item kept before it, so on CPU
//     the survivor of each run is the run's last item and which items survive is shifted by one;
//     on CUDA the order of colliding writes is undefined. Here exactly the kept items survive, the
//     first item is always kept (so a view is never empty), and the view's length is their count.
//   - A row whose items have no word-dropped table (a domain without `.feat2CLS`) takes the item
//     drop view even in a word-drop batch; with no second table at all, every batch is item drop.
// Draws come from the caller's stream in a fixed order: the batch's coin, then row by row one
// uniform per real position (item drop: per position after the first).

import Tensors

/// The augmented histories of one batch: items, lengths, and which text each position reads.
public struct AugmentedView: Sendable, Equatable {
    /// Item ids [B, L], left-aligned, 0 = padding: what the encoder masks and positions count.
    public let items: IndexTensor
    /// Real items per row.
    public let lengths: [Int]
    /// Rows of the stacked text table [primary; word-dropped] per position [B, L] (item i's
    /// word-dropped text is row N + i); nil when every position reads its item's primary text.
    public let sources: IndexTensor?

    /// A view from its parts (a reference comparison passes its own).
    public init(items: IndexTensor, lengths: [Int], sources: IndexTensor?) {
        precondition(items.shape.count == 2 && lengths.count == items.shape[0], "AugmentedView: items [B, L] with B lengths")
        if let sources { precondition(sources.shape == items.shape, "AugmentedView: sources must be shaped as items") }
        self.items = items
        self.lengths = lengths
        self.sources = sources
    }
}

/// How UniSRec's pretraining augments a batch of histories.
public struct ContrastiveAugmentation: Sendable, Equatable {
    /// Probability that a batch takes the item-drop view (item_drop_coefficient).
    public var itemDropProbability: Double
    /// Probability that an item after the first is dropped (item_drop_ratio).
    public var itemDropRate: Double
    /// Probability that a position reads its item's word-dropped text in a word-drop batch
    /// (the reference uses item_drop_ratio for this mask too).
    public var wordDropRate: Double

    /// UniSRec's pretrain.yaml: item drop in 90% of batches, each rate 0.2 (`problem` checks values from users).
    public init(itemDropProbability: Double = 0.9, itemDropRate: Double = 0.2, wordDropRate: Double = 0.2) {
        self.itemDropProbability = itemDropProbability
        self.itemDropRate = itemDropRate
        self.wordDropRate = wordDropRate
    }

    /// Why these probabilities are unusable, or nil.
    public var problem: String? {
        for (name, p) in [("item drop probability", itemDropProbability), ("item drop rate", itemDropRate),
                          ("word drop rate", wordDropRate)] where !(p >= 0 && p <= 1) {
            return "the \(name) must be in [0, 1], got \(p)"
        }
        return nil
    }

    /// The augmented view of histories ids [B, L] (left-aligned, `lengths` real items each) whose
    /// items read `features`.
    public func view(of ids: IndexTensor, lengths: [Int], features: ItemTextFeatures, rng: inout RandomStream) -> AugmentedView {
        precondition(ids.shape.count == 2 && lengths.count == ids.shape[0], "ContrastiveAugmentation: ids [B, L] with B lengths")
        if let problem { preconditionFailure(problem) }
        let (b, l) = (ids.shape[0], ids.shape[1])
        let wordDrop = !rng.bernoulli(itemDropProbability) && features.secondary != nil
        var items = [Int32](repeating: 0, count: b * l)
        var sources = [Int32](repeating: 0, count: b * l)
        var viewLengths = [Int](repeating: 0, count: b)
        var readsSecondary = false
        let n = Int32(features.rows)
        for r in 0..<b {
            let row = ids.values[(r * l)..<(r * l + lengths[r])]
            if wordDrop, let first = row.first, features.hasSecondary[Int(first)] {
                for (c, item) in row.enumerated() {
                    items[r * l + c] = item
                    let dropped = rng.bernoulli(wordDropRate)
                    sources[r * l + c] = dropped ? n + item : item
                    readsSecondary = readsSecondary || dropped
                }
                viewLengths[r] = row.count
            } else {
                var kept = 0
                for (c, item) in row.enumerated() where c == 0 || !rng.bernoulli(itemDropRate) {
                    items[r * l + kept] = item
                    sources[r * l + kept] = item
                    kept += 1
                }
                viewLengths[r] = kept
            }
        }
        return AugmentedView(items: IndexTensor(shape: [b, l], values: items), lengths: viewLengths,
                             sources: readsSecondary ? IndexTensor(shape: [b, l], values: sources) : nil)
    }
}
