// The TF-IDF + truncated SVD fallback: idf and rows by hand on a tiny corpus, the randomised SVD
// against LAPACK's exact SVD, that related titles end up closer than unrelated ones, and that a
// seed always gives the same vectors.

import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Text

final class TfidfTests: XCTestCase {
    static let titles = [
        "Star Wars (1977)", "Return of the Jedi: Star Wars (1983)", "Empire Strikes Back, The: Star Wars (1980)",
        "Toy Story (1995)", "Toy Story 2 (1999)", "Babe (1995)", "Babe: Pig in the City (1998)",
        "Dead Man Walking (1995)", "Jurassic Park (1993)", "Lost World: Jurassic Park, The (1997)",
        "Godfather, The (1972)", "Godfather: Part II, The (1974)", "Sense and Sensibility (1995)",
        "Pride and Prejudice (1995)", "Free Willy (1993)", "Free Willy 2: The Adventure Home (1995)",
        "Batman (1989)", "Batman Returns (1992)", "Batman Forever (1995)", "Batman & Robin (1997)",
    ]

    func testIdfAndRowsFollowScikitLearnConventions() throws {
        let v = try TfidfVectorizer(fitting: ["Star Wars", "star trek!", "Café"])
        XCTAssertEqual(v.terms, ["cafe", "star", "star trek", "star wars", "trek", "wars"], "sorted; punctuation dropped")
        let idf1 = Float(log(4.0 / 2.0) + 1), idf2 = Float(log(4.0 / 3.0) + 1)   // df 1 and df 2 of n = 3
        XCTAssertEqual(v.idf, [idf1, idf2, idf1, idf1, idf1, idf1])
        let m = v.transform(["star star wars", "unknown words", ""])
        XCTAssertEqual(m.rows, 3)
        let star = 2 * idf2, wars = idf1, pair = idf1   // "star" twice, "wars" and "star wars" once
        let norm = (star * star + wars * wars + pair * pair).squareRoot()
        let dense = m.dense
        XCTAssertEqual(dense[1], star / norm, accuracy: 1e-6)
        XCTAssertEqual(dense[3], pair / norm, accuracy: 1e-6)
        XCTAssertEqual(dense[5], wars / norm, accuracy: 1e-6)
        XCTAssertEqual(dense[2], 0, "'star star' is a bigram the corpus does not have")
        XCTAssertEqual(Array(dense[6...]), [Float](repeating: 0, count: 12), "no known term: zero rows")

        let sublinear = try TfidfVectorizer(fitting: ["Star Wars", "star trek!", "Café"],
                                            options: .init(sublinearTF: true, bigrams: false))
        XCTAssertEqual(sublinear.terms, ["cafe", "star", "trek", "wars"])
        let s = sublinear.transform(["star star wars"]).dense
        XCTAssertEqual(s[1] / s[3], (1 + log(2)) * idf2 / idf1, accuracy: 1e-5)
        let pruned = try TfidfVectorizer(fitting: ["Star Wars", "star trek!", "Café"], options: .init(minDocumentFrequency: 2))
        XCTAssertEqual(pruned.terms, ["star"])
    }

    func testRandomizedSVDFindsTheExactLeadingSingularValues() throws {
        // A rank-6 60 × 40 matrix with singular values spread over two decades, plus a little noise.
        var random = Seed(11).stream("test.low-rank")
        let n = 60, d = 40, r = 6
        let left = try LinearAlgebra.orthonormalColumns((0..<(n * r)).map { _ in random.normal() }, rows: n, columns: r)
        let right = try LinearAlgebra.orthonormalColumns((0..<(d * r)).map { _ in random.normal() }, rows: d, columns: r)
        let sigma: [Float] = [50, 20, 9, 4, 1.5, 0.5]
        var a = (0..<(n * d)).map { _ in 1e-4 * random.normal() }
        for i in 0..<n { for j in 0..<d { for k in 0..<r { a[i * d + j] += left[i * r + k] * sigma[k] * right[j * r + k] } } }
        let exact = try LinearAlgebra.svd(a, rows: n, columns: d)
        var stream = Seed(3).stream(TfidfSVDEncoder.streamName)
        let f = try RandomizedSVD.factorize(SparseMatrix(dense: a, rows: n, columns: d), rank: 4, oversampling: 4,
                                            powerIterations: 2, random: &stream)
        XCTAssertEqual(f.rank, 4)
        for k in 0..<4 { XCTAssertEqual(f.s[k], exact.s[k], accuracy: 1e-4 * exact.s[0], "singular value \(k)") }
        // The factors reconstruct the leading part: ‖A − U S Vᵀ‖ is about the dropped σ5, σ6.
        var residual: Float = 0
        for i in 0..<n {
            for j in 0..<d {
                var x = a[i * d + j]
                for k in 0..<4 { x -= f.u[i * 4 + k] * f.s[k] * f.vt[k * d + j] }
                residual += x * x
            }
        }
        XCTAssertEqual(residual.squareRoot(), (1.5 * 1.5 + 0.5 * 0.5 as Float).squareRoot(), accuracy: 0.01)
        // Asking for more than min(n, d) gives min(n, d).
        var again = Seed(3).stream(TfidfSVDEncoder.streamName)
        XCTAssertEqual(try RandomizedSVD.factorize(SparseMatrix(dense: a, rows: n, columns: d), rank: 100, random: &again).rank, 40)
    }

    func testSimilarTitlesAreCloserThanUnrelatedOnes() throws {
        let encoder = try TfidfSVDEncoder(fitting: Self.titles, options: .init(width: 12))
        XCTAssertEqual(encoder.width, 12)
        let v = try encoder.encode(["Star Wars", "Return of the Jedi: Star Wars", "Toy Story", "Toy Story 2", "Batman"])
        let starWars = cosine(row(v, 0, width: 12), row(v, 1, width: 12))
        let toyStory = cosine(row(v, 2, width: 12), row(v, 3, width: 12))
        let unrelated = cosine(row(v, 0, width: 12), row(v, 2, width: 12))
        XCTAssertGreaterThan(starWars, 0.5)
        XCTAssertGreaterThan(toyStory, 0.5)
        XCTAssertLessThan(unrelated, 0.2)
        XCTAssertGreaterThan(starWars, unrelated + 0.4)
        XCTAssertLessThan(abs(cosine(row(v, 4, width: 12), row(v, 0, width: 12))), 0.2)
    }

    func testSameSeedSameVectorsAndDocumentedEdgeCases() throws {
        let a = try TfidfSVDEncoder(fitting: Self.titles, options: .init(width: 8, seed: 5))
        let b = try TfidfSVDEncoder(fitting: Self.titles, options: .init(width: 8, seed: 5))
        let c = try TfidfSVDEncoder(fitting: Self.titles, options: .init(width: 8, seed: 6))
        XCTAssertEqual(try a.encode(Self.titles), try b.encode(Self.titles), "bit for bit")
        XCTAssertEqual(a.components, b.components)
        XCTAssertNotEqual(a.components, c.components, "the seed reaches the test matrix")
        // Rows of a fitted text are U·S normalised; the empty text and unknown words give zero rows.
        let v = try a.encode(["", "zzz qqq", "Batman"])
        XCTAssertEqual(Array(v[0..<16]), [Float](repeating: 0, count: 16))
        XCTAssertEqual(row(v, 2, width: 8).reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        // The width is capped by the rank: three texts span at most three directions.
        let small = try TfidfSVDEncoder(fitting: ["star wars", "toy story", "batman"], options: .init(width: 384))
        XCTAssertEqual(small.width, 3)
        XCTAssertThrowsError(try TfidfSVDEncoder(fitting: ["", "!!"])) { error in
            XCTAssertTrue("\(error)".contains("hold no words"), "\(error)")
        }
    }

    /// Golden/tfidf-ml100k.json, written by Golden/make_tfidf_golden.py: scikit-learn's TF-IDF over a
    /// transcription of Google BERT's basic tokenizer, and numpy's exact float64 SVD of that matrix.
    struct Reference: Decodable {
        struct StarWars: Decodable {
            let row: Int, nearest: [Int], cosine_nearest: [Double], cosine_godfather: Double, godfather_row: Int, jedi_row: Int
        }
        let texts: Int, terms: Int, unigrams: Int, nonzeros: Int, idf_sum: Double, idf: [String: Double]
        let singular_values: [Double], rank: Int, star_wars: StarWars
    }

    func testFitsTheMl100kItemTexts() throws {
        let candidates = [URL(fileURLWithPath: packageRoot).appendingPathComponent("Data/ml-100k/ml-100k.item").path,
                          URL(fileURLWithPath: sharedRootDirectory).appendingPathComponent("data/ml-100k/ml-100k.item").path]
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            try skipOrRequireShared("no ml-100k.item in \(candidates.joined(separator: " or ")) (run make data)")
        }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/tfidf-ml100k.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: golden))
        let texts = try SampleItemTexts.ml100kItemTexts(path: path)
        XCTAssertEqual(texts.count, reference.texts)
        XCTAssertEqual(texts[0], "Toy Story 1995 Animation Children's Comedy", "the text of the MiniLM golden file")
        let start = Date()
        let encoder = try TfidfSVDEncoder(fitting: texts)
        let vectors = try encoder.encode(texts)
        print("tfidf-svd on ml-100k: \(encoder.vectorizer.terms.count) terms, width \(encoder.width), "
              + "fit + encode \(String(format: "%.2f", Date().timeIntervalSince(start))) s")

        // The vocabulary and idf: exact counts, idf to Float rounding.
        let terms = encoder.vectorizer.terms, idf = encoder.vectorizer.idf
        XCTAssertEqual(terms.count, reference.terms)
        XCTAssertEqual(terms.filter { !$0.contains(" ") }.count, reference.unigrams)
        XCTAssertEqual(encoder.vectorizer.transform(texts).values.count, reference.nonzeros)
        XCTAssertEqual(idf.reduce(0) { $0 + Double($1) }, reference.idf_sum, accuracy: reference.idf_sum * 1e-6)
        for (term, value) in reference.idf.sorted(by: { $0.key < $1.key }) {
            let column = try XCTUnwrap(terms.firstIndex(of: term), "term '\(term)'")
            XCTAssertEqual(Double(idf[column]), value, accuracy: value * 1e-6, "idf of '\(term)'")
        }

        // The randomised SVD against the exact spectrum. Where the spectrum is steep the leading
        // values are found to Float precision; towards the tail it flattens (σ380..σ384 within 0.2%),
        // and 10 extra directions with 4 power iterations leave the last ones a few percent low.
        // Measured (seed 0, pinned kernels): 1.5e-6, 1.4e-3, 0.039 and 0.073 for the four ranges;
        // each bound is under twice that (6× for the leading ten, which sit at Float rounding).
        XCTAssertEqual(encoder.width, 384)
        let exact = reference.singular_values, found = encoder.singularValues.map(Double.init)
        func worst(_ range: Range<Int>) -> Double { range.map { abs(found[$0] - exact[$0]) / exact[$0] }.max()! }
        print("tfidf-svd on ml-100k: relative error of σ1..σ10 \(worst(0..<10)), σ11..σ100 \(worst(10..<100)), "
              + "σ101..σ300 \(worst(100..<300)), σ301..σ384 \(worst(300..<384))")
        XCTAssertLessThanOrEqual(worst(0..<10), 1e-5)
        XCTAssertLessThanOrEqual(worst(10..<100), 2.5e-3)
        XCTAssertLessThanOrEqual(worst(100..<300), 0.06)
        XCTAssertLessThanOrEqual(worst(300..<384), 0.1)
        XCTAssertTrue(zip(found, exact).allSatisfy { $0 <= $1 * (1 + 1e-5) }, "a randomised SVD never overshoots")

        // LSA neighbours: exact LSA puts "Return of the Jedi" first for "Star Wars". The 384-d vectors
        // of the randomised SVD measured 0.7527 against the exact 0.7371 (the low tail directions
        // weigh a little less), and 0.0285 against 0.0279 for "Godfather, The".
        let sw = reference.star_wars
        func similarity(_ a: Int, _ b: Int) -> Double { cosine(row(vectors, a, width: 384), row(vectors, b, width: 384)) }
        let nearest = (0..<texts.count).filter { $0 != sw.row }.max { similarity(sw.row, $0) < similarity(sw.row, $1) }!
        XCTAssertEqual(nearest, sw.nearest[0], "nearest to Star Wars: \(texts[nearest])")
        XCTAssertEqual(sw.nearest[0], sw.jedi_row)
        print("tfidf-svd on ml-100k: cosine Star Wars–Jedi \(similarity(sw.row, sw.jedi_row)) (exact \(sw.cosine_nearest[0])), "
              + "Star Wars–Godfather \(similarity(sw.row, sw.godfather_row)) (exact \(sw.cosine_godfather))")
        XCTAssertEqual(similarity(sw.row, sw.jedi_row), sw.cosine_nearest[0], accuracy: 0.025)
        XCTAssertEqual(similarity(sw.row, sw.godfather_row), sw.cosine_godfather, accuracy: 0.002)
    }
}
