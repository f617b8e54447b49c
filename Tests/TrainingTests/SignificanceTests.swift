// Paired t-test and Wilcoxon signed-rank test against scipy 1.17.1. The reference numbers come from:
//
//   import numpy as np
//   from scipy import stats
//   t = stats.ttest_rel(a, b)
//   w = stats.wilcoxon(a, b, correction=True, method='approx')
//   print(t.statistic, t.pvalue, t.df, w.statistic, w.pvalue, w.zstatistic, np.mean(a), np.mean(b))
//
// with `forty` made by
//   rng = np.random.default_rng(7)
//   a = np.round(rng.uniform(0, 1, 40), 4); b = np.round(np.clip(a + rng.normal(0.03, 0.1, 40), 0, 1), 4)

import Foundation
import XCTest
@testable import Training

final class SignificanceTests: XCTestCase {
    struct Reference {
        let a: [Double], b: [Double]
        let t: Double, tP: Double, df: Int
        let w: Double, wP: Double, z: Double, wN: Int
        let meanA: Double, meanB: Double
    }

    let references: [String: Reference] = [
        // No ties, no zero differences but one (0.10, 0.10) pair, which Wilcoxon drops.
        "small": Reference(
            a: [0.52, 0.31, 0.77, 0.10, 0.45, 0.63, 0.28, 0.91],
            b: [0.48, 0.35, 0.70, 0.10, 0.40, 0.50, 0.30, 0.85],
            t: 1.872499325087688, tP: 0.10329791722427752, df: 7,
            w: 3.0, wP: 0.07592696298255772, z: -1.7748239349298847, wN: 7,
            meanA: 0.49625, meanB: 0.45999999999999996),
        // NDCG-like values: several zero differences and tied |d| (average ranks, tie correction).
        "ties": Reference(
            a: [1, 0, 0.5, 0.5, 0, 1, 0.6309, 0.4307, 0, 1, 0.5, 0.3869],
            b: [0.5, 0, 0.5, 0, 0.4307, 1, 0.5, 0.4307, 0.3869, 0.6309, 0, 0],
            t: 1.3813820006903987, tP: 0.19457565562049695, df: 11,
            w: 8.5, wP: 0.2047815536258949, z: -1.2680459166174243, wN: 8,
            meanA: 0.49570833333333336, meanB: 0.3649333333333334),
        "forty": Reference(
            a: [0.6251, 0.8972, 0.7757, 0.2252, 0.3002, 0.8736, 0.0053, 0.8212, 0.7971, 0.4679, 0.303, 0.2784,
                0.2549, 0.4451, 0.5045, 0.5535, 0.9955, 0.7927, 0.6222, 0.989, 0.2153, 0.1602, 0.6125, 0.0439,
                0.0357, 0.5149, 0.4662, 0.9172, 0.6292, 0.5141, 0.4969, 0.2475, 0.0118, 0.1924, 0.692, 0.2006,
                0.3695, 0.0037, 0.83, 0.1545],
            b: [0.6439, 0.9382, 0.8121, 0.1327, 0.3378, 1.0, 0.0, 0.9371, 0.839, 0.4338, 0.533, 0.3846, 0.165,
                0.4826, 0.5922, 0.5646, 1.0, 0.816, 0.7189, 1.0, 0.1777, 0.2105, 0.5962, 0.0866, 0.0, 0.487,
                0.4766, 1.0, 0.7737, 0.4117, 0.4474, 0.3422, 0.0, 0.1761, 0.7123, 0.3563, 0.4684, 0.001,
                0.8231, 0.1595],
            t: -2.696872473436744, tP: 0.010282674987846584, df: 39,
            w: 227.0, wP: 0.014165586218412452, z: -2.453036758909265, wN: 40,
            meanA: 0.470885, meanB: 0.500945),
    ]

    func assertClose(_ x: Double, _ y: Double, _ what: String, relative: Double = 1e-6) {
        XCTAssertLessThanOrEqual(abs(x - y), relative * abs(y), "\(what): \(x) vs scipy \(y)")
    }

    func testAgainstScipy() throws {
        for name in references.keys.sorted() {
            let r = references[name]!
            let test = try PairedTest(r.a, r.b)
            assertClose(test.t, r.t, "\(name) t")
            assertClose(test.tP, r.tP, "\(name) t p")
            XCTAssertEqual(test.degreesOfFreedom, r.df, name)
            assertClose(test.wilcoxonW, r.w, "\(name) W")
            assertClose(test.wilcoxonZ, r.z, "\(name) z")
            assertClose(test.wilcoxonP, r.wP, "\(name) Wilcoxon p")
            XCTAssertEqual(test.wilcoxonN, r.wN, name)
            assertClose(test.meanA, r.meanA, "\(name) mean A", relative: 1e-12)
            assertClose(test.meanB, r.meanB, "\(name) mean B", relative: 1e-12)
            assertClose(test.meanDifference, r.meanA - r.meanB, "\(name) difference", relative: 1e-9)
        }
    }

    func testSwappingSamplesFlipsTheSignsNotThePValues() throws {
        let r = references["small"]!
        let forward = try PairedTest(r.a, r.b), backward = try PairedTest(r.b, r.a)
        XCTAssertEqual(forward.t, -backward.t, accuracy: 1e-12)
        XCTAssertEqual(forward.tP, backward.tP, accuracy: 1e-15)
        XCTAssertEqual(forward.wilcoxonP, backward.wilcoxonP, accuracy: 1e-15)
    }

    func testStudentTailsAgainstTheCauchyDistribution() {
        // With one degree of freedom Student's t is Cauchy: P(|T| ≥ t) = 1 − 2·atan(t)/π, in closed form.
        for t in [0.0, 0.1, 1, 3.5, 40, 1e4] {
            let exact = 1 - 2 * atan(t) / Double.pi
            XCTAssertLessThanOrEqual(abs(studentTwoSidedP(t: t, df: 1) - exact), 1e-9 * exact, "t = \(t)")
        }
        XCTAssertEqual(regularizedIncompleteBeta(x: 0.5, a: 3.5, b: 3.5), 0.5, accuracy: 1e-14)
    }

    func testDegenerateDifferences() throws {
        let same = try PairedTest([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])
        XCTAssertEqual(same.t, 0)
        XCTAssertEqual(same.tP, 1)
        XCTAssertEqual(same.wilcoxonN, 0)
        XCTAssertEqual(same.wilcoxonP, 1)
        let shifted = try PairedTest([1, 2, 3], [0, 1, 2])
        XCTAssertEqual(shifted.t, .infinity)
        XCTAssertEqual(shifted.tP, 0)
    }

    func testBadInputIsAnErrorThatSaysWhatToDo() {
        XCTAssertThrowsError(try PairedTest([1, 2, 3], [1, 2])) { error in
            XCTAssertEqual("\(error)", "A has 3 values and B has 2; a paired test needs one value per user from each, in the same user order")
        }
        XCTAssertThrowsError(try PairedTest([1], [2])) { error in
            XCTAssertEqual("\(error)", "a paired test needs at least 2 pairs, got 1")
        }
        XCTAssertThrowsError(try PairedTest([1, .nan], [2, 3])) { error in
            XCTAssertTrue("\(error)".contains("pair 1"), "\(error)")
        }
    }

    func testDescriptionIsASmallTable() throws {
        let r = references["small"]!
        let text = try PairedTest(r.a, r.b, nameA: "SASRec", nameB: "GRU4Rec").description
        XCTAssertEqual(text, """
            paired tests over 8 users (difference = SASRec − GRU4Rec)
            mean SASRec   0.496250
            mean GRU4Rec  0.460000
            difference    0.036250
            t-test        t = 1.872, df = 7, p = 0.1033
            Wilcoxon      W = 3, z = -1.775, p = 0.07593, n = 7 non-zero
            """)
    }
}
