// Finding NaN and ±Inf in Float buffers. The trainer asks after every backward pass whether a
// gradient went bad, so the common answer ("all finite") must cost about one read of the buffer:
// x·0 is ±0 for every finite x and NaN for NaN and ±Inf, so a SIMD sum of x·0 is zero exactly
// when the buffer is finite. Only when it is not does a second, scalar pass find where and what.

/// NaN and ±Inf detection over Float buffers.
public enum Finiteness {
    /// True when no element of `p[0..<count]` is NaN or ±Inf.
    public static func allFinite(_ p: UnsafePointer<Float>, count: Int) -> Bool {
        var lanes = SIMD16<Float>(repeating: 0)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 16 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
            i += 16
        }
        var tail: Float = 0
        while i < count { tail += p[i] * 0; i += 1 }
        return (lanes.sum() + tail) == 0
    }

    /// True when every element of `values` is finite.
    public static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { allFinite($0.baseAddress!, count: $0.count) }
    }

    /// The index of the first NaN in `p[0..<count]`, or of the first ±Inf when there is no NaN; nil
    /// when all are finite. (NaN is reported first because it is the worse news: the value is lost.)
    public static func firstNonFinite(_ p: UnsafePointer<Float>, count: Int) -> Int? {
        var firstInfinite: Int?
        for i in 0..<count where !p[i].isFinite {
            if p[i].isNaN { return i }
            if firstInfinite == nil { firstInfinite = i }
        }
        return firstInfinite
    }
}
