// A bound on the memory one operation may ask for at once. Work that can run in blocks (scoring
// all items for many rows) sizes its blocks to fit under it; work that cannot (one users × items
// matrix, an all-pairs similarity table) asks `MemoryLimit.check` first and refuses with a message
// naming the operation, what it would need, and how to raise the bound, instead of being killed by
// the kernel half way. The bound is 2 GiB unless SEQLAB_MEMORY_LIMIT (e.g. "8GiB", "512MB") or
// `memoryLimit(...)` in the language sets another.

import Foundation
import Synchronization

/// The process-wide bound on one operation's allocation.
public enum MemoryLimit {
    /// 2 GiB: well under the machines SeqLab runs on, far above what the tutorials need.
    public static let defaultBytes = 2 << 30

    private static let bound = Atomic<Int>(fromEnvironment() ?? defaultBytes)

    /// The bound in bytes.
    public static var bytes: Int {
        get { bound.load(ordering: .relaxed) }
        set { bound.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Throws `MemoryLimitError` when `bytes` exceed the bound; `operation` names what would
    /// allocate them ("the score matrix of 943 users × 1682 items").
    public static func check(_ bytes: Int, for operation: String) throws(MemoryLimitError) {
        if bytes > self.bytes { throw MemoryLimitError(operation: operation, bytes: bytes, limit: self.bytes) }
    }

    /// How many rows of `bytesPerRow` fit under the bound, between 1 and `atMost`; for work done in
    /// blocks of rows. Throws when even one row does not fit.
    public static func rows(ofBytes bytesPerRow: Int, atMost: Int, for operation: String) throws(MemoryLimitError) -> Int {
        try check(bytesPerRow, for: operation)
        return max(1, min(atMost, bytes / max(1, bytesPerRow)))
    }

    /// Reads SEQLAB_MEMORY_LIMIT; nil when unset or unreadable (a bad value must not stop start-up).
    static func fromEnvironment() -> Int? {
        guard let text = ProcessInfo.processInfo.environment["SEQLAB_MEMORY_LIMIT"] else { return nil }
        return try? parse(text)
    }

    /// Bytes in "2GiB", "512 MB", "1.5g", "1000000" (binary units for K/M/G/T, with or without "iB").
    public static func parse(_ text: String) throws(MemoryLimitError) -> Int {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        var unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        for suffix in ["ib", "b"] where unit.hasSuffix(suffix) { unit = String(unit.dropLast(suffix.count)); break }
        let scale: Double
        switch unit {
        case "": scale = 1
        case "k": scale = Double(1 << 10)
        case "m": scale = Double(1 << 20)
        case "g": scale = Double(1 << 30)
        case "t": scale = Double(1 << 40)
        default: throw MemoryLimitError.unreadable(text)
        }
        guard let value = Double(digits), value > 0, (value * scale).isFinite, value * scale < 9e18 else {
            throw MemoryLimitError.unreadable(text)
        }
        return max(1, Int(value * scale))
    }

    /// "1.5 GiB", "640 MiB", "12 KiB", "100 bytes".
    public static func describe(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(Double(1 << 40), "TiB"), (Double(1 << 30), "GiB"), (Double(1 << 20), "MiB"), (1024, "KiB")]
        for (size, name) in units where Double(bytes) >= size {
            let v = Double(bytes) / size
            return (v >= 100 ? String(Int(v.rounded())) : String(format: "%.3g", v)) + " " + name
        }
        return "\(bytes) bytes"
    }
}

/// An operation refused because it would allocate more than `MemoryLimit.bytes`.
public struct MemoryLimitError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What would have allocated the memory.
    public let operation: String
    /// What it would need, and the bound, in bytes (0 for an unreadable setting).
    public let bytes: Int, limit: Int
    /// Set for a bound that could not be read.
    let unreadableText: String?

    /// A refusal of `operation`, which needs `bytes` under a bound of `limit`.
    public init(operation: String, bytes: Int, limit: Int) {
        self.operation = operation
        self.bytes = bytes
        self.limit = limit
        unreadableText = nil
    }

    private init(unreadable text: String) {
        operation = ""; bytes = 0; limit = 0; unreadableText = text
    }

    static func unreadable(_ text: String) -> MemoryLimitError { MemoryLimitError(unreadable: text) }

    /// What was refused and how to allow it.
    public var description: String {
        if let unreadableText {
            return "cannot read the memory limit \"\(unreadableText)\"; write a size such as \"2GiB\", \"512MB\" or a number of bytes"
        }
        return "\(operation) would need \(MemoryLimit.describe(bytes)), more than the memory limit of \(MemoryLimit.describe(limit)); "
            + "raise it with memoryLimit(\"\(MemoryLimit.describe(suggested).replacingOccurrences(of: " ", with: ""))\") "
            + "(or SEQLAB_MEMORY_LIMIT) if the machine has the memory, or make the operation smaller"
    }

    /// A bound that would allow the operation: the next power of two above what it needs.
    var suggested: Int {
        var s = 1 << 20
        while s < bytes && s < Int.max / 2 { s <<= 1 }
        return s
    }
}
