import Testing
@testable import Tensors

/// The LAPACK wrappers: factors reproduce the matrix, and bases are orthonormal.
struct LinearAlgebraTests {
    func matrix(_ m: Int, _ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomStream(seed: seed)
        return (0..<(m * n)).map { _ in rng.normal(std: 1) }
    }

    func product(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += a[i * k + p] * b[p * n + j] }; c[i * n + j] = s } }
        return c
    }

    @Test(arguments: [(7, 4), (4, 7), (5, 5)])
    func svdReconstructs(shape: (Int, Int)) throws {
        let (m, n) = shape, k = min(m, n)
        let a = matrix(m, n, seed: 3)
        let (u, s, vt) = try LinearAlgebra.svd(a, rows: m, columns: n)
        #expect(u.count == m * k && s.count == k && vt.count == k * n)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
        var us = u
        for i in 0..<m { for j in 0..<k { us[i * k + j] *= s[j] } }
        let back = product(us, vt, m: m, k: k, n: n)
        #expect(zip(back, a).map { abs($0 - $1) }.max()! < 1e-4)
        let utu = product(LinearAlgebra.transpose(u, rows: m, columns: k), u, m: k, k: m, n: k)
        for i in 0..<k { for j in 0..<k { #expect(abs(utu[i * k + j] - (i == j ? 1 : 0)) < 1e-4) } }
    }

    @Test func orthonormalColumnsSpansTheInput() throws {
        let (m, n) = (9, 3)
        let a = matrix(m, n, seed: 5)
        let q = try LinearAlgebra.orthonormalColumns(a, rows: m, columns: n)
        let qt = LinearAlgebra.transpose(q, rows: m, columns: n)
        let qtq = product(qt, q, m: n, k: m, n: n)
        for i in 0..<n { for j in 0..<n { #expect(abs(qtq[i * n + j] - (i == j ? 1 : 0)) < 1e-5) } }
        // Projecting A onto span(Q) gives A back: Q·(Qᵀ·A) = A.
        let back = product(q, product(qt, a, m: n, k: m, n: n), m: m, k: n, n: n)
        #expect(zip(back, a).map { abs($0 - $1) }.max()! < 1e-4)
    }

    @Test func nanInputIsAnErrorNotACrash() {
        var a = matrix(4, 3, seed: 1)
        a[5] = .nan
        #expect(throws: LinearAlgebraError.self) { _ = try LinearAlgebra.svd(a, rows: 4, columns: 3) }
    }
}
