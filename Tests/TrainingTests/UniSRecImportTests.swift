// A UniSRec checkpoint in the layout the authors release, imported: Tests/ModelsTests/Golden/
// UniSRecUpstream/unisrec-pretrained.pth is what make_unisrec_checkpoint.py saved as RecBole's
// trainer saves the authors' pretrained model (their own UniSRec in its pretrain stage, float32,
// the config a pickled config.Config), and unisrec-import.safetensors what the authors' code scores
// after loading it into an inductive model over another catalogue's text vectors (their
// finetune.py's transfer). SeqLab's import must score the same (columns 1 ..< N; SeqLab ranks
// padding at −inf) within 1e-5.

import Foundation
import TestSupport
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class UniSRecImportTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Golden/UniSRecUpstream").standardized

    func testTheAuthorsPretrainedCheckpointScoresAsTheirFineTuningDoes() throws {
        let golden = try SafetensorsFile(contentsOf: Self.folder.appendingPathComponent("unisrec-import.safetensors").path)
        let checkpoint = try TorchCheckpoint(contentsOf: Self.folder.appendingPathComponent("unisrec-pretrained.pth").path)
        let table = try golden.tensor("input.features")
        let features = FeatureMatrix(rows: table.shape[0], width: table.shape[1], values: table.scalars)
        let imported = try UniSRecAuthorsLayout.importModel(checkpoint, features: features, mode: .inductive, seed: Seed(1))
        XCTAssertEqual(imported.source, "the authors' UniSRec checkpoint (stage pretrain, epoch 300)")
        let net = try XCTUnwrap(imported.model as? UniSRecRecommender).network
        XCTAssertEqual(net.configuration.hidden, 8)
        XCTAssertEqual(net.configuration.experts, 3)

        let ids = try golden.indices("input.item_id_list")
        let lengths = try golden.indices("input.item_length").values.map(Int.init)
        let g = Graph(recording: false)
        var draws = UniSRecDraws.evaluation
        let h = net.sequenceVectors(g, ids, lengths: lengths, draws: &draws)
        let scores = net.cosineScores(g, sequences: h, catalogue: net.catalogue(g, draws: &draws))
        let expected = try golden.tensor("scores")
        XCTAssertEqual(scores.shape, expected.shape)
        let n = expected.shape[1]
        var worst: Float = 0
        for b in 0..<expected.rows { for i in 1..<n { worst = max(worst, abs(scores.pointer[b * n + i] - expected.pointer[b * n + i])) } }
        print("imported UniSRec vs the authors' scores after their transfer: worst difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-5)

        // Transductive: the checkpoint's item table is another catalogue's, so the table starts fresh.
        let transductive = try UniSRecAuthorsLayout.importModel(checkpoint, features: features, mode: .transductive, seed: Seed(1))
        XCTAssertNotNil(try XCTUnwrap(transductive.model as? UniSRecRecommender).network.itemEmbedding)
        // Text vectors of another width are refused with what to do.
        let narrow = FeatureMatrix(rows: 7, width: 5, values: [Float](repeating: 0.5, count: 35))
        XCTAssertThrowsError(try UniSRecAuthorsLayout.importModel(checkpoint, features: narrow, mode: .inductive, seed: Seed(1))) {
            XCTAssertTrue("\($0)".contains("the data's item features are 5-d but the checkpoint's adaptor reads 6-d vectors"), "\($0)")
        }
    }
}
