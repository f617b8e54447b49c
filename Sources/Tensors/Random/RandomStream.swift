// Seeded, named random streams.
//
// Randomness in SeqLab is never hidden global state: a run has one root seed, and every consumer
// (initialisation, shuffling, negative sampling, dropout, masking) draws from its own stream derived
// from that seed and a name. Adding draws in one place therefore never shifts another.
//
// The generator is xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Names are hashed with
// FNV-1a 64, which is stable across runs and platforms (Swift's `Hasher` is randomly seeded per
// process and must never be used for this).

import Foundation

/// A deterministic stream of random numbers (xoshiro256**), derived from a seed and a name.
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
    /// The four words of generator state; saved in checkpoints so that training resumes exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a stream from a 64-bit seed, expanded to the full state by SplitMix64.
    public init(seed: UInt64) {
        var sm = seed
        state = (splitMix64(&sm), splitMix64(&sm), splitMix64(&sm), splitMix64(&sm))
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }  // the all-zero state is absorbing
    }

    /// Creates the stream called `name` under the root seed `root`.
    public init(root: UInt64, name: String) {
        var sm = root ^ fnv1a64(name)
        self.init(seed: splitMix64(&sm))
    }

    /// Restores a stream from saved state words.
    public init(state words: [UInt64]) {
        precondition(words.count == 4, "RandomStream state has 4 words")
        precondition(words.contains { $0 != 0 }, "the all-zero state would produce zeros forever")
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as four words, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: RandomStream, b: RandomStream) -> Bool { a.stateWords == b.stateWords }

    /// A child stream named `name`: independent of this one and of children with other names.
    /// Does not advance this stream.
    public func derive(_ name: String) -> RandomStream {
        var sm = state.0 ^ rotl(state.1, 17) ^ rotl(state.2, 31) ^ rotl(state.3, 47) ^ fnv1a64(name)
        return RandomStream(seed: splitMix64(&sm))
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform integer in `0..<n` without modulo bias (Lemire's method). `n` must be positive.
    @inline(__always)
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "int(below:) needs a positive bound")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A uniform Float in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        let x = lo + (hi - lo) * nextFloat()
        return x < hi ? x : lo   // rounding can reach hi for wide ranges; keep the interval half-open
    }

    /// A normal sample (Box–Muller; one value per call so the state alone describes the stream).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return mean + std * Float(z)
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { nextDouble() < p }

    /// An index drawn with probability proportional to `weights[i]` (non-negative, not all zero).
    /// Linear in the number of weights; use `AliasTable` to draw many times from one distribution.
    public mutating func categorical(_ weights: [Float]) -> Int {
        var total = 0.0
        for w in weights {
            precondition(w >= 0 && w.isFinite, "categorical weights must be finite and non-negative")
            total += Double(w)
        }
        precondition(total > 0, "categorical needs a positive total weight")
        let target = nextDouble() * total
        var acc = 0.0
        for (i, w) in weights.enumerated() {
            acc += Double(w)
            if target < acc { return i }
        }
        return weights.lastIndex(where: { $0 > 0 })!
    }

    /// Shuffles `array` in place (Fisher–Yates). Our own, so results do not depend on the
    /// standard library's shuffle algorithm.
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count - 1
        while i > 0 {
            let j = int(below: i + 1)
            array.swapAt(i, j)
            i -= 1
        }
    }

    /// A random permutation of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}

/// The root seed of a run; hands out named, independent streams.
public struct Seed: Sendable, Equatable {
    /// The root value the user gave (`seed(7)` in the language).
    public let root: UInt64

    /// A root seed.
    public init(_ root: UInt64) { self.root = root }

    /// The stream called `name` (for example "init", "shuffle", "negatives", "dropout").
    public func stream(_ name: String) -> RandomStream { RandomStream(root: root, name: name) }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

@inline(__always)
private func splitMix64(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// FNV-1a 64-bit hash of the UTF-8 bytes of `s`: stable across processes, unlike `Hasher`.
public func fnv1a64(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}
