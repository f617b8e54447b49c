// Token ↔ dense id maps. Id 0 is always padding; real tokens get 1, 2, 3, ... in order of first
// appearance, so ids never depend on hashing or on Dictionary order.

/// The spelling of the padding entry (id 0) in every vocabulary.
public let paddingToken = "[PAD]"

/// A map between tokens (raw user or item ids as written in a file) and dense ids; id 0 is padding.
public struct Vocabulary: Sendable, Equatable {
    /// `tokens[id]` is the token of `id`; `tokens[0]` is `paddingToken`.
    public private(set) var tokens: [String]
    // Lookup only; never iterated, so its order cannot reach a result.
    private var ids: [String: Int32]

    /// An empty vocabulary (padding only).
    public init() {
        tokens = [paddingToken]
        ids = [:]
    }

    /// A vocabulary with `tokens` at ids 1, 2, ...; repeated tokens keep their first id.
    public init<S: Sequence>(_ tokens: S) where S.Element == String {
        self.init()
        for t in tokens { _ = intern(t) }
    }

    /// A vocabulary holding `tokens` exactly, one id each, even where Swift's canonical string
    /// equality would merge two different byte spellings; lookup returns the first.
    init(distinct tokens: [String]) {
        self.tokens = [paddingToken] + tokens
        ids = [:]
        ids.reserveCapacity(tokens.count)
        for (k, t) in tokens.enumerated() where ids[t] == nil { ids[t] = Int32(k + 1) }
    }

    /// Number of ids including padding.
    public var count: Int { tokens.count }

    /// The id of `token`, or nil if it has none.
    public func id(of token: String) -> Int32? { ids[token] }

    /// The token of `id`, or nil if `id` is out of range.
    public func token(_ id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The id of `token`, giving it the next free id if it is new.
    public mutating func intern(_ token: String) -> Int32 {
        if let id = ids[token] { return id }
        let id = Int32(tokens.count)
        tokens.append(token)
        ids[token] = id
        return id
    }

    /// The vocabulary restricted to the ids where `keep` is true, renumbered in the same order;
    /// also returns old id → new id (0 for dropped ids).
    func compacted(keep: [Bool]) -> (Vocabulary, [Int32]) {
        var result = Vocabulary()
        var map = [Int32](repeating: 0, count: tokens.count)
        for id in 1..<tokens.count where keep[id] { map[id] = result.intern(tokens[id]) }
        return (result, map)
    }

    /// Two vocabularies are equal when they give the same ids to the same tokens.
    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.tokens == b.tokens }
}

/// Interns tokens given as bytes, without making a `String` for tokens already seen.
///
/// Open addressing over FNV-1a hashes of the bytes; ids in first-appearance order from 1.
struct TokenInterner {
    private var slots: [Int32]            // 0 = empty, else an id
    private var hashes: [UInt64] = [0]    // per id
    private var arena: [UInt8] = []       // token bytes, back to back
    private var starts: [Int] = [0, 0]    // id i occupies arena[starts[i]..<starts[i+1]]; id 0 is empty
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of ids including padding.
    var count: Int { hashes.count }

    /// The id of the bytes in `range`, interning them if new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range {
            h ^= UInt64(bytes[i])
            h = h &* 0x0000_0100_0000_01b3
        }
        var slot = Int(truncatingIfNeeded: h) & mask
        let length = range.count
        while true {
            let id = slots[slot]
            if id == 0 { break }
            if hashes[Int(id)] == h {
                let s = starts[Int(id)], e = starts[Int(id) + 1]
                if e - s == length {
                    var same = true
                    var k = 0
                    while k < length {
                        if arena[s + k] != bytes[range.lowerBound + k] { same = false; break }
                        k += 1
                    }
                    if same { return id }
                }
            }
            slot = (slot + 1) & mask
        }
        let id = Int32(hashes.count)
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        starts.append(arena.count)
        slots[slot] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of `token`, interning it if new.
    mutating func intern(_ token: String) -> Int32 {
        let bytes = Array(token.utf8)
        return bytes.withUnsafeBufferPointer { intern($0, 0..<$0.count) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for id in 1..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// The tokens as a vocabulary (same ids).
    func vocabulary() -> Vocabulary {
        var tokens = [String]()
        tokens.reserveCapacity(hashes.count - 1)
        for id in 1..<hashes.count {
            tokens.append(String(decoding: arena[starts[id]..<starts[id + 1]], as: UTF8.self))
        }
        return Vocabulary(distinct: tokens)
    }
}
