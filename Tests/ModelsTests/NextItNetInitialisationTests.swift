// NextItNet's three initialisation schemes against PyTorch: Golden/nextitnet-init.json
// (Golden/make_nextitnet_init_golden.py) holds, for every parameter of a PyTorch NextItNet (N 2000,
// C 64, k 3, dilations [1, 4]) initialised by each scheme, the count, mean, std and largest |x| of
// its entries. SeqLab draws its own values (another generator), so the statistics are compared
// within what two independent samples of that size differ by:
// - std within 4 standard errors of a sample std plus 1% (std·(1/√(2n)) for a normal, smaller for
//   a uniform; the 1% allows the truncated normal's and the uniform's shapes);
// - mean within 5 standard errors (σ/√n) of PyTorch's, and of 0;
// - largest |x|: under a bounded scheme (uniform, truncated) never beyond PyTorch's bound by more than
//   what n draws leave below it (about bound/n), and near it; under the normal, above 3.5σ.
// A wrong scheme (N(0, 1) where PyTorch draws U(±1/√fan_in), a missing bias draw) fails the std.

import Foundation
import XCTest
@testable import Models
@testable import Tensors

final class NextItNetInitialisationTests: XCTestCase {
    struct Statistic: Decodable { let count: Int; let mean: Double; let std: Double; let maxAbs: Double }
    struct Golden: Decodable {
        let items: Int, channels: Int, kernel: Int, dilations: [Int]
        let schemes: [String: [String: Statistic]]
    }

    static let golden: Golden = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/nextitnet-init.json")
        return try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }()

    static func statistic(_ t: Tensor) -> Statistic {
        let v = t.scalars.map(Double.init), n = Double(v.count)
        let mean = v.reduce(0, +) / n
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return Statistic(count: v.count, mean: mean, std: variance.squareRoot(), maxAbs: v.map(abs).max() ?? 0)
    }

    func checkScheme(_ scheme: NextItNetInitialisation, normalParameters: Set<String> = []) throws {
        let g = Self.golden
        let expected = try XCTUnwrap(g.schemes[scheme.name], "no \(scheme) in the golden file")
        let model = NextItNet(NextItNetConfiguration(items: g.items, channels: g.channels, kernel: g.kernel,
                                                     dilations: g.dilations, initialisation: scheme), seed: Seed(3))
        XCTAssertEqual(Set(model.parameters.map(\.name)), Set(expected.keys), "\(scheme): parameter names")
        for p in model.parameters {
            guard let want = expected[p.name] else { continue }
            let got = Self.statistic(p)
            let what = "\(scheme) \(p.name)"
            XCTAssertEqual(got.count, want.count, "\(what): count")
            let n = Double(want.count)
            if want.std == 0 {
                XCTAssertEqual(got.maxAbs, want.maxAbs, accuracy: 1e-7, "\(what): constant \(want.mean), got max |x| \(got.maxAbs)")
                XCTAssertEqual(got.mean, want.mean, accuracy: 1e-7, "\(what): constant")
                continue
            }
            XCTAssertEqual(got.std, want.std, accuracy: want.std * (4 / (2 * n).squareRoot() + 0.01), "\(what): std")
            let se = want.std / n.squareRoot()
            XCTAssertEqual(got.mean, want.mean, accuracy: 5 * se * 2.squareRoot(), "\(what): mean")
            XCTAssertEqual(got.mean, 0, accuracy: 5 * se, "\(what): mean")
            if normalParameters.contains(p.name) {
                XCTAssertGreaterThan(got.maxAbs, 3.5 * want.std, "\(what): a normal's tails are missing")
            } else {
                // n draws come within about bound/n of the bound: both maxima lie that close to it.
                XCTAssertLessThanOrEqual(got.maxAbs, want.maxAbs * (1 + 10 / n),
                                         "\(what): beyond PyTorch's bound \(want.maxAbs)")
                XCTAssertGreaterThan(got.maxAbs, want.maxAbs * (n > 1000 ? 0.99 : 0.8), "\(what): PyTorch's bound \(want.maxAbs) not reached")
            }
        }
    }

    func testTFSchemeMatchesTruncatedNormal() throws { try checkScheme(.tf) }

    func testTorchSchemeMatchesPyTorchDefaults() throws { try checkScheme(.torch, normalParameters: ["embedding"]) }

    func testRecBoleSchemeMatchesRecBole() throws { try checkScheme(.recbole) }

    /// The schemes differ where the table says they do: a wrong choice cannot pass as another.
    func testSchemesDiffer() {
        let configuration = { (s: NextItNetInitialisation.Scheme) in
            NextItNetConfiguration(items: 300, channels: 16, dilations: [1], initialisation: NextItNetInitialisation(s))
        }
        let stds = NextItNetInitialisation.Scheme.allCases.map { s in
            Self.statistic(NextItNet(configuration(s), seed: Seed(1)).embedding).std
        }
        XCTAssertEqual(stds[0], 0.0176, accuracy: 0.001, "tf: truncated normal 0.02 has std 0.0176")
        XCTAssertEqual(stds[1], 1, accuracy: 0.03, "torch: N(0, 1)")
        XCTAssertEqual(stds[2], (1 / 300.0).squareRoot() / 3.0.squareRoot(), accuracy: 0.001, "recbole: U(±1/√N)")
    }

    /// A mixed initialisation draws each part as its own scheme would, with the same values.
    func testMixedSchemeDrawsEachPartAsItsScheme() {
        func net(_ i: NextItNetInitialisation) -> NextItNet {
            NextItNet(NextItNetConfiguration(items: 300, channels: 16, dilations: [1, 2], initialisation: i), seed: Seed(5))
        }
        let mixed = net(NextItNetInitialisation(embedding: .torch, convolutions: .tf, output: .recbole))
        let (torch, tf, recbole) = (net(.torch), net(.tf), net(.recbole))
        XCTAssertEqual(mixed.embedding.scalars, torch.embedding.scalars)
        XCTAssertEqual(mixed.blocks[1].conv2Weight.scalars, tf.blocks[1].conv2Weight.scalars)
        XCTAssertEqual(mixed.blocks[0].conv1Bias.scalars, tf.blocks[0].conv1Bias.scalars)
        XCTAssertEqual(mixed.outputWeight.scalars, recbole.outputWeight.scalars)
        XCTAssertEqual(NextItNetInitialisation(embedding: .torch, convolutions: .tf, output: .recbole).name,
                       "embedding torch, convolutions tf, output recbole")
        XCTAssertEqual(NextItNetInitialisation.recbole.name, "recbole")
    }
}
