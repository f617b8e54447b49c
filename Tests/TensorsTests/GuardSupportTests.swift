// The small pieces the guards stand on: finding NaN/Inf in buffers (fast path and where-is-it
// path agree), the memory bound's units, checks and blocks, and the interrupt check.

import Foundation
import Support
import XCTest
@testable import Tensors

final class GuardSupportTests: XCTestCase {
    func testFinitenessFindsEveryKindOfBadValueAtEveryPosition() {
        for count in [0, 1, 15, 16, 17, 100] {
            let values = (0..<count).map { Float($0 % 7 - 3) * 1e38 }   // large but finite
            XCTAssertTrue(Finiteness.allFinite(values), "count \(count)")
            for position in 0..<count {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var v = values
                    v[position] = bad
                    XCTAssertFalse(Finiteness.allFinite(v), "\(bad) at \(position) of \(count)")
                    XCTAssertEqual(v.withUnsafeBufferPointer { Finiteness.firstNonFinite($0.baseAddress!, count: count) }, position)
                }
            }
        }
        // NaN is reported before an earlier Inf: it is the worse news.
        let mixed: [Float] = [1, .infinity, 2, .nan]
        XCTAssertEqual(mixed.withUnsafeBufferPointer { Finiteness.firstNonFinite($0.baseAddress!, count: 4) }, 3)
    }

    func testGradientNormTellsNaNFromInfAndClipsAsBefore() {
        let p = Tensor(shape: [3], scalars: [1, 1, 1], name: "p", isParameter: true)
        let g = Graph()
        g.backward(g.sum(g.mul(p, Tensor(shape: [3], scalars: [3, 4, 0]))))
        XCTAssertEqual(gradientNorm([p]), 5)
        XCTAssertEqual(clipGradientNorm([p], maxNorm: 1), 5)
        let coefficient: Float = 1 / (5 + 1e-6)
        let expected: [Float] = [3 * coefficient, 4 * coefficient, 0]
        XCTAssertEqual(Array(UnsafeBufferPointer(start: p.grad!.pointer, count: 3)), expected)
        p.grad!.pointer[2] = .infinity
        XCTAssertEqual(gradientNorm([p]), .infinity)
        p.grad!.pointer[1] = .nan
        XCTAssertTrue(gradientNorm([p]).isNaN)
    }

    func testMemorySizesParseAndPrint() throws {
        XCTAssertEqual(try MemoryLimit.parse("2GiB"), 2 << 30)
        XCTAssertEqual(try MemoryLimit.parse("512 MB"), 512 << 20)
        XCTAssertEqual(try MemoryLimit.parse("1.5g"), 3 << 29)
        XCTAssertEqual(try MemoryLimit.parse("1000"), 1000)
        XCTAssertEqual(try MemoryLimit.parse("64k"), 64 << 10)
        for bad in ["", "lots", "-1GB", "2XB", "0"] {
            XCTAssertThrowsError(try MemoryLimit.parse(bad), bad) { error in
                XCTAssertTrue("\(error)".contains("write a size such as \"2GiB\""), "\(error)")
            }
        }
        XCTAssertEqual(MemoryLimit.describe(2 << 30), "2 GiB")
        XCTAssertEqual(MemoryLimit.describe(3 << 29), "1.5 GiB")
        XCTAssertEqual(MemoryLimit.describe(100), "100 bytes")
    }

    func testTheBoundRefusesAndSizesBlocks() throws {
        let saved = MemoryLimit.bytes
        defer { MemoryLimit.bytes = saved }
        MemoryLimit.bytes = 1 << 20
        XCTAssertNoThrow(try MemoryLimit.check(1 << 20, for: "exactly the bound"))
        XCTAssertThrowsError(try MemoryLimit.check(3 << 20, for: "the score matrix of 943 users × 1682 items")) { error in
            XCTAssertEqual("\(error)", "the score matrix of 943 users × 1682 items would need 3 MiB, more than the memory limit of 1 MiB; "
                           + "raise it with memoryLimit(\"4MiB\") (or SEQLAB_MEMORY_LIMIT) if the machine has the memory, or make the operation smaller")
        }
        XCTAssertEqual(try MemoryLimit.rows(ofBytes: 1000, atMost: 256, for: "x"), 256)
        XCTAssertEqual(try MemoryLimit.rows(ofBytes: 100_000, atMost: 256, for: "x"), 10)
        XCTAssertThrowsError(try MemoryLimit.rows(ofBytes: 2 << 20, atMost: 256, for: "one row of scores"))
    }

    func testTheInterruptCheckThrowsOnlyWhenRequested() {
        Cancellation.clear()
        XCTAssertNoThrow(try Cancellation.check("k-means"))
        Cancellation.request()
        defer { Cancellation.clear() }
        XCTAssertThrowsError(try Cancellation.check("k-means")) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted("k-means"))
            XCTAssertEqual("\(error)", "interrupted: k-means stopped by Ctrl-C; nothing was changed")
        }
    }
}
