// Several domains' splits as one catalogue of distinct items, for multi-domain pretraining
// (UniSRec §4.4 and VQ-Rec §5.3 both pretrain on the shuffled union of five domains' rows, so every
// batch's in-batch negatives mix domains). Domain k's item i becomes union id offset_k + i (0 stays
// padding), so items of different domains are always distinct, even when their tokens coincide;
// users are renamed the same way. The item-side data (text tables, code tables) are concatenated in
// the same order by the model that owns them.

import Datasets

/// The union of several domains' rows, with each domain's item offset.
struct DomainUnion {
    /// Domain k's item i is union id offsets[k] + i (i ≥ 1).
    let offsets: [Int]
    /// Item ids of the union, padding included: 1 + Σ (items of each domain).
    let itemCount: Int
    /// The union's rows: training rows of every domain, and with `validation` their valid and test rows.
    let split: Split

    /// The union of `splits` (one per domain, named `names`); throws when there is none.
    init(names: [String], splits: [Split], validation: Bool) throws {
        guard !splits.isEmpty else { throw TrainingError("pretraining needs at least one domain") }
        var offsets: [Int] = [], total = 1
        for s in splits {
            offsets.append(total - 1)
            total += s.itemCount - 1
        }
        self.offsets = offsets
        itemCount = total
        let empty = try Rows(kind: .prefix, storage: [0], users: [], starts: [], ends: [])
        split = Split(
            protocolDescription: "pretraining union of " + names.joined(separator: ", ")
                + " (\(total - 1) distinct items; training rows of every domain shuffled together"
                + (validation ? ", validation over the union catalogue)" : ", no validation)"),
            train: try Self.union(splits.map(\.train), offsets: offsets),
            valid: validation ? try Self.union(splits.map(\.valid), offsets: offsets) : empty,
            test: validation ? try Self.union(splits.map(\.test), offsets: offsets) : empty,
            itemCount: total, maxLength: splits.map(\.maxLength).max()!)
    }

    /// The rows of every domain in one storage, items renamed by their domain's offset (0 stays
    /// padding) and users renamed to stay distinct.
    private static func union(_ parts: [Rows], offsets: [Int]) throws -> Rows {
        var storage: [Int32] = [], users: [Int32] = [], starts: [Int] = [], ends: [Int] = []
        var userOffset: Int32 = 0
        for (rows, offset) in zip(parts, offsets) {
            let base = storage.count, shift = Int32(offset)
            storage += rows.storage.map { $0 == 0 ? 0 : $0 + shift }
            users += rows.users.map { $0 + userOffset }
            starts += rows.starts.map { $0 + base }
            ends += rows.ends.map { $0 + base }
            userOffset += (rows.users.max() ?? 0) + 1
        }
        if storage.isEmpty { storage = [0] }
        return try Rows(kind: .prefix, storage: storage, users: users, starts: starts, ends: ends)
    }
}
