// Cached item tables (UniSRec's and VQ-Rec's item vectors for scoring) stay valid only while the
// weights they came from are unchanged. Comparing a copy of those weights on every use is cheap
// next to a full ranking, and unlike a version counter it also notices a trainer writing back its
// best weights.

import Foundation
import Tensors

/// Whether `tensors`, concatenated, hold exactly `values`.
func holdExactly(_ tensors: [Tensor], _ values: [Float]) -> Bool {
    guard tensors.reduce(0, { $0 + $1.count }) == values.count else { return false }
    return values.withUnsafeBytes { bytes in
        var offset = 0
        for t in tensors {
            if memcmp(t.pointer, bytes.baseAddress! + offset, t.count * MemoryLayout<Float>.size) != 0 { return false }
            offset += t.count * MemoryLayout<Float>.size
        }
        return true
    }
}
