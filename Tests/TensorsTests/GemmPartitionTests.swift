// BLAS.gemm splits products by their shape alone, so its bits do not depend on the thread count,
// and the split products still compute op(A)·op(B) (checked against a double-precision sum) for
// every transpose, leading dimension and beta.

import XCTest
@testable import Tensors

final class GemmPartitionTests: XCTestCase {
    /// A deterministic operand of `count` floats in [-0.5, 0.5).
    func operand(_ count: Int, salt: Int) -> [Float] {
        (0..<count).map { Float(($0 * 7919 + salt * 104_729) % 1000) * 1e-3 - 0.5 }
    }

    /// C = alpha·op(A)·op(B) + beta·C0 through BLAS.gemm on `threads` threads; A, B and C have
    /// `pad` spare columns so leading dimensions are not the packed widths.
    func product(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, beta: Float, pad: Int, threads: Int) -> [Float] {
        let saved = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = saved }
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
        let a = operand(aRows * lda, salt: 1), b = operand(bRows * ldb, salt: 2)
        let c0 = operand(m * ldc, salt: 3)
        var c = c0
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: cp.baseAddress!, ldc: ldc)
        }
        // The reference, in double.
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for t in 0..<k {
                    let x = transA ? a[t * lda + i] : a[i * lda + t]
                    let y = transB ? b[j * ldb + t] : b[t * ldb + j]
                    sum += Double(x) * Double(y)
                }
                let expected = 0.5 * sum + Double(beta) * Double(c0[i * ldc + j])
                worst = max(worst, abs(expected - Double(c[i * ldc + j])))
            }
        }
        XCTAssertLessThan(worst, 1e-4 * Double(k), "m \(m) n \(n) k \(k) transA \(transA) transB \(transB)")
        return c
    }

    func testSplitProductsAreExactAtAnyThreadCountAndCorrect() {
        // One shape per axis the partition picks, and one too small to split.
        let shapes: [(m: Int, n: Int, k: Int, axis: GemmPartition.Axis)] = [
            (600, 130, 40, .m), (40, 700, 90, .n), (30, 50, 3000, .k), (20, 20, 20, .m),
        ]
        for (m, n, k, axis) in shapes {
            let partition = GemmPartition(m: m, n: n, k: k)
            XCTAssertEqual(partition.axis, axis, "\(m)×\(n)×\(k)")
            XCTAssertEqual(partition.parts > 1, m * n * k >= GemmPartition.serialWork, "\(m)×\(n)×\(k)")
            for transA in [false, true] {
                for transB in [false, true] {
                    for beta: Float in [0, 1] {
                        let one = product(m: m, n: n, k: k, transA: transA, transB: transB, beta: beta, pad: 3, threads: 1)
                        for threads in [2, 3] {
                            let other = product(m: m, n: n, k: k, transA: transA, transB: transB, beta: beta, pad: 3, threads: threads)
                            XCTAssertTrue(one.elementsEqual(other) { $0.bitPattern == $1.bitPattern },
                                          "\(m)×\(n)×\(k) transA \(transA) transB \(transB) beta \(beta): 1 and \(threads) threads differ")
                        }
                    }
                }
            }
        }
    }

    func testPartsCoverTheSplitDimensionOnAlignedStarts() {
        for (m, n, k) in [(2560, 201, 32), (32, 201, 2560), (64, 10_000, 209), (1600, 10_000, 64), (300, 300, 300)] {
            let p = GemmPartition(m: m, n: n, k: k)
            XCTAssertLessThanOrEqual(p.parts, GemmPartition.maxParts)
            XCTAssertEqual(p.start(0), 0)
            XCTAssertEqual(p.start(p.parts), p.length)
            for i in 0..<p.parts {
                XCTAssertLessThan(p.start(i), p.start(i + 1), "part \(i) of \(m)×\(n)×\(k) is empty")
                XCTAssertEqual(p.start(i) % GemmPartition.alignment, 0)
            }
        }
    }

    func testOpenBLASItselfStaysOnOneThread() {
        _ = BLAS.threads
        XCTAssertEqual(BLAS.openBLASThreadCount, 1, "SeqLab splits products itself; OpenBLAS threading them would make bits depend on the count")
        BLAS.withOpenBLASThreads(2) { XCTAssertEqual(BLAS.openBLASThreadCount, 2) }
        XCTAssertEqual(BLAS.openBLASThreadCount, 1)
    }
}
