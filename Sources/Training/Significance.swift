// Paired significance tests for two models scored on the same users (per-user NDCG@10 of A and B):
//   paired t:  d = a − b,  t = mean(d) / (sd(d) / √n),  df = n − 1,
//              two-sided p = I_{df/(df+t²)}(df/2, 1/2)   (Student t through the incomplete beta)
//   Wilcoxon:  zero differences dropped, |d| ranked with average ranks for ties, W = min(R+, R−),
//              z = (W − n(n+1)/4 ∓ ½) / √(n(n+1)(2n+1)/24 − Σ(t³ − t)/48),  two-sided p = 2·Φ(−|z|)
// The conventions are scipy's (`ttest_rel(a, b)`, `wilcoxon(a, b, correction=True, method="approx")`),
// so numbers can be checked against it. Ranking metrics are bounded and lumpy (many users score 0),
// which is why the rank test sits beside the t-test.

import Foundation

/// Why a paired test could not be run; the message says what to change.
public struct SignificanceError: Error, CustomStringConvertible, Equatable {
    /// What is wrong and what to do.
    public let message: String

    /// The message, as printed to the user.
    public var description: String { message }
}

/// A paired t-test and a Wilcoxon signed-rank test of A against B on the same units (users).
public struct PairedTest: Sendable, CustomStringConvertible {
    /// The name of the first sample, in the description.
    public let nameA: String
    /// The name of the second sample, in the description.
    public let nameB: String
    /// The number of pairs.
    public let n: Int
    /// The mean of A.
    public let meanA: Double
    /// The mean of B.
    public let meanB: Double
    /// The mean of the differences a − b.
    public let meanDifference: Double
    /// The paired t statistic (positive when A is larger on average).
    public let t: Double
    /// The degrees of freedom of the t-test, n − 1.
    public let degreesOfFreedom: Int
    /// The two-sided p-value of the t-test.
    public let tP: Double
    /// The pairs with a non-zero difference: the Wilcoxon test's sample size.
    public let wilcoxonN: Int
    /// The Wilcoxon statistic W = min(R+, R−), the smaller sum of signed ranks.
    public let wilcoxonW: Double
    /// The normal approximation of W, tie- and continuity-corrected (scipy's sign: never positive).
    public let wilcoxonZ: Double
    /// The two-sided p-value of the Wilcoxon test.
    public let wilcoxonP: Double

    /// Both tests on pairs (a[i], b[i]).
    ///
    /// Needs two arrays of the same length, at least 2 pairs, all values finite. When every difference
    /// is the same the t-test has no spread: t is 0 with p = 1 if the differences are 0, otherwise
    /// ±infinity with p = 0. With no non-zero difference Wilcoxon reports W = 0, z = 0, p = 1.
    public init(_ a: [Double], _ b: [Double], nameA: String = "A", nameB: String = "B") throws {
        guard a.count == b.count else {
            throw SignificanceError(
                message: "\(nameA) has \(a.count) values and \(nameB) has \(b.count); "
                    + "a paired test needs one value per user from each, in the same user order")
        }
        guard a.count >= 2 else {
            throw SignificanceError(message: "a paired test needs at least 2 pairs, got \(a.count)")
        }
        if let i = a.indices.first(where: { !a[$0].isFinite || !b[$0].isFinite }) {
            throw SignificanceError(
                message: "pair \(i) is (\(a[i]), \(b[i])); every value must be finite, so drop or fix that user")
        }
        self.nameA = nameA
        self.nameB = nameB
        n = a.count
        meanA = a.reduce(0, +) / Double(n)
        meanB = b.reduce(0, +) / Double(n)
        let d = zip(a, b).map { $0 - $1 }
        let mean = d.reduce(0, +) / Double(n)
        meanDifference = mean
        degreesOfFreedom = n - 1

        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        if variance > 0 {
            t = mean / (variance / Double(n)).squareRoot()
            tP = studentTwoSidedP(t: t, df: Double(n - 1))
        } else {
            t = mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity)
            tP = mean == 0 ? 1 : 0
        }

        let w = wilcoxonSignedRank(d)
        wilcoxonN = w.n
        wilcoxonW = w.w
        wilcoxonZ = w.z
        wilcoxonP = w.p
    }

    /// A small table: the means, the difference, then one line per test.
    public var description: String {
        func f(_ x: Double) -> String { String(format: "%.6f", x) }
        func g(_ x: Double) -> String { String(format: "%.4g", x) }
        let width = max(10, nameA.count + 5, nameB.count + 5)
        func row(_ label: String, _ value: String) -> String {
            label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value
        }
        return [
            "paired tests over \(n) users (difference = \(nameA) − \(nameB))",
            row("mean \(nameA)", f(meanA)),
            row("mean \(nameB)", f(meanB)),
            row("difference", f(meanDifference)),
            row("t-test", "t = \(g(t)), df = \(degreesOfFreedom), p = \(g(tP))"),
            row("Wilcoxon", "W = \(g(wilcoxonW)), z = \(g(wilcoxonZ)), p = \(g(wilcoxonP)), n = \(wilcoxonN) non-zero"),
        ].joined(separator: "\n")
    }
}

/// Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½).
func studentTwoSidedP(t: Double, df: Double) -> Double {
    if t.isInfinite { return 0 }
    return regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
}

/// The Wilcoxon signed-rank test of differences `d` against 0, normal approximation.
func wilcoxonSignedRank(_ d: [Double]) -> (n: Int, w: Double, z: Double, p: Double) {
    let nonzero = d.filter { $0 != 0 }
    let n = nonzero.count
    if n == 0 { return (0, 0, 0, 1) }
    // Average ranks of |d|: a run of equal values shares the mean of the ranks it spans.
    let order = nonzero.indices.sorted { abs(nonzero[$0]) < abs(nonzero[$1]) }
    var ranks = [Double](repeating: 0, count: n)
    var tieTerm = 0.0
    var start = 0
    while start < n {
        var end = start + 1
        while end < n && abs(nonzero[order[end]]) == abs(nonzero[order[start]]) { end += 1 }
        let average = Double(start + end + 1) / 2  // ranks start+1 … end
        for k in start..<end { ranks[order[k]] = average }
        let size = Double(end - start)
        tieTerm += size * size * size - size
        start = end
    }
    var plus = 0.0, minus = 0.0
    for (value, rank) in zip(nonzero, ranks) {
        if value > 0 { plus += rank } else { minus += rank }
    }
    let w = min(plus, minus)
    let count = Double(n)
    let mean = count * (count + 1) / 4
    let sd = ((count * (count + 1) * (2 * count + 1)) / 24 - tieTerm / 48).squareRoot()
    guard sd > 0 else { return (n, w, 0, 1) }
    // Continuity correction: half a rank towards the mean.
    let shifted = w - mean
    let corrected = shifted == 0 ? 0 : shifted - 0.5 * (shifted > 0 ? 1 : -1)
    let z = corrected / sd
    let p = min(1, erfc(abs(z) / 2.0.squareRoot()))
    return (n, w, z, p)
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz),
/// on the side of x where the fraction converges fast. Relative error about 1e-14 for the
/// arguments the t-test uses.
func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
    }
    // I_x(a, b) = 1 − I_{1−x}(b, a); the fraction for the mirrored arguments converges here.
    let mirrored = exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    return 1 - mirrored
}

/// The continued fraction of the incomplete beta function (Numerical Recipes, betacf).
private func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
        let m = Double(m)
        let m2 = 2 * m
        var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15 { break }
    }
    return h
}
