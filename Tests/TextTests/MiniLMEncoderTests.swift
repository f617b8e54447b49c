// The encoder on a tiny random BERT written to a temporary directory: its batched, padded BLAS
// forward pass against a plain one-token-at-a-time Double implementation of the same formulas, and
// the errors for missing or misshapen files. No download needed.

import Foundation
import Tensors
import XCTest
@testable import Text

final class MiniLMEncoderTests: XCTestCase {
    func testBatchedForwardMatchesTextbookFormulas() throws {
        let model = try TinyModel("forward")
        let sequences: [[Int32]] = [[2, 3], [2, 5, 6, 3], [2, 7, 8, 9, 10, 18, 5, 6, 3], [2, 11, 12, 13, 3], [2, 19, 3],
                                    [2, 1, 17, 14, 15, 16, 3]]
        for batchRows in [1, 12, 64] {
            let encoder = try MiniLMEncoder(directory: model.directory, batchRows: batchRows)
            let vectors = try encoder.encode(tokenIDs: sequences)
            for (i, s) in sequences.enumerated() {
                let expected = model.reference(s)
                for j in 0..<8 {
                    XCTAssertEqual(vectors[i * 8 + j], expected[j], accuracy: 2e-5, "batchRows \(batchRows), sequence \(i), coordinate \(j)")
                }
            }
        }
    }

    func testTextsAreTokenizedTruncatedAndReturnedInOrder() throws {
        let model = try TinyModel("texts")
        let encoder = try MiniLMEncoder(directory: model.directory)
        XCTAssertEqual(encoder.width, 8)
        XCTAssertEqual(encoder.tokenizer.tokens("Return of the Jedi: Star Wars"),
                       ["[CLS]", "return", "of", "the", "jedi", ":", "star", "wars", "[SEP]"])
        let texts = ["Star Wars", "", "Toy Storys 1995 Comedy Drama a a a a a a a a", "Return of the Jedi"]
        let vectors = try encoder.encode(texts)
        XCTAssertEqual(encoder.tokenizer.encode(texts[2]).count, 10, "truncated to max_seq_length 10")
        for (i, text) in texts.enumerated() {
            let expected = model.reference(encoder.tokenizer.encode(text))
            for j in 0..<8 { XCTAssertEqual(vectors[i * 8 + j], expected[j], accuracy: 2e-5, "text \(i)") }
        }
        XCTAssertEqual(try encoder.encode([]), [])
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[2, 20, 3]])) { error in
            XCTAssertTrue("\(error)".contains("outside the vocabulary"), "\(error)")
        }
    }

    func testMissingOrMisshapenWeightsAreNamed() throws {
        let missing = try TinyModel("missing") { list in list.removeAll { $0.name == "encoder.layer.1.output.dense.bias" } }
        XCTAssertThrowsError(try MiniLMEncoder(directory: missing.directory)) { error in
            XCTAssertEqual((error as? TextError)?.file, missing.directory + "/model.safetensors")
            XCTAssertTrue("\(error)".contains("no tensor named 'encoder.layer.1.output.dense.bias'"), "\(error)")
        }
        let misshapen = try TinyModel("misshapen") { list in
            let i = list.firstIndex { $0.name == "encoder.layer.0.intermediate.dense.weight" }!
            list[i].shape = [8, 16]
        }
        XCTAssertThrowsError(try MiniLMEncoder(directory: misshapen.directory)) { error in
            XCTAssertEqual((error as? TextError)?.file, misshapen.directory + "/model.safetensors")
            XCTAssertTrue("\(error)".contains("'encoder.layer.0.intermediate.dense.weight' has shape [8, 16]"), "\(error)")
            XCTAssertTrue("\(error)".contains("needs [16, 8]"), "\(error)")
        }
        let extra = try TinyModel("extra") { list in
            list.append(("encoder.layer.2.attention.self.query.weight", [8, 8], [Float](repeating: 0, count: 64)))
        }
        XCTAssertThrowsError(try MiniLMEncoder(directory: extra.directory)) { error in
            XCTAssertTrue("\(error)".contains("more than the 2 layers"), "\(error)")
        }
    }

    func testMissingFilesAndUnsupportedConfigurationsSayWhatToDo() throws {
        let absent = try scratchDirectory("absent") + "/nothing-here"
        XCTAssertThrowsError(try MiniLMEncoder(directory: absent)) { error in
            XCTAssertEqual("\(error)", "\(absent): error: no model directory here; looked in \(absent) (the model: argument)"
                           + (ProcessInfo.processInfo.environment["SEQLAB_MODELS"] == nil ? "; SEQLAB_MODELS is not set" : "")
                           + "; \(ModelDirectory.fetchHint)")
        }
        let model = try TinyModel("config")
        try FileManager.default.removeItem(atPath: model.directory + "/model.safetensors")
        XCTAssertThrowsError(try MiniLMEncoder(directory: model.directory)) { error in
            XCTAssertEqual("\(error)", "\(model.directory)/model.safetensors: error: file not found; \(ModelDirectory.fetchHint)")
        }
        try #"{"word_embedding_dimension": 8, "pooling_mode_cls_token": true}"#
            .write(toFile: model.directory + "/1_Pooling/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MiniLMConfiguration.read(directory: model.directory)) { error in
            XCTAssertTrue("\(error)".hasPrefix(model.directory + "/1_Pooling/config.json: error:"), "\(error)")
            XCTAssertTrue("\(error)".contains("only mean pooling"), "\(error)")
        }
        try #"{"hidden_size": 8}"#.write(toFile: model.directory + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MiniLMConfiguration.read(directory: model.directory)) { error in
            XCTAssertEqual("\(error)", "\(model.directory)/config.json: error: 'vocab_size' must be an integer, found nothing (the key is missing)")
        }
    }

    func testModelDirectoryResolution() {
        XCTAssertEqual(ModelDirectory.resolve(explicit: "/x/model", environment: ["SEQLAB_MODELS": "/models"], executable: nil, root: "/pkg"), "/x/model")
        XCTAssertEqual(ModelDirectory.resolve(environment: ["SEQLAB_MODELS": "/models"], executable: nil, root: "/pkg"), "/models/all-minilm-l6-v2")
        XCTAssertEqual(ModelDirectory.resolve(environment: ["SEQLAB_MODELS": ""], executable: nil, root: "/pkg"), "/pkg/Data/models/all-minilm-l6-v2")
        XCTAssertEqual(ModelDirectory.resolve(environment: [:], executable: nil, root: "/pkg"), "/pkg/Data/models/all-minilm-l6-v2")
    }

    /// Started from another directory, seqlab still finds the model `make models` put in its own
    /// checkout: the candidates go explicit, SEQLAB_MODELS, the executable's checkout, the current
    /// directory, and the first that exists wins.
    func testModelIsFoundFromAnyDirectory() throws {
        let checkout = try scratchDirectory("checkout")
        try "// swift-tools-version:5.9\n".write(toFile: checkout + "/Package.swift", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: checkout + "/.build/release", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: checkout + "/Data/models/all-minilm-l6-v2", withIntermediateDirectories: true)
        let elsewhere = try scratchDirectory("elsewhere")
        let executable = checkout + "/.build/release/seqlab"
        XCTAssertEqual(ModelDirectory.candidates(environment: ["SEQLAB_MODELS": "/models"], executable: executable, root: elsewhere).map(\.path),
                       ["/models/all-minilm-l6-v2"], "a SEQLAB_MODELS the user set is not silently passed over")
        XCTAssertEqual(ModelDirectory.candidates(environment: [:], executable: executable, root: elsewhere).map(\.path),
                       [checkout + "/Data/models/all-minilm-l6-v2", elsewhere + "/Data/models/all-minilm-l6-v2"])
        XCTAssertEqual(ModelDirectory.locate(environment: [:], executable: executable, root: elsewhere), checkout + "/Data/models/all-minilm-l6-v2")
        XCTAssertNil(ModelDirectory.locate(environment: [:], executable: elsewhere + "/seqlab", root: elsewhere))
        let message = "\(ModelDirectory.notFound(environment: [:]))"
        XCTAssertTrue(message.contains("SEQLAB_MODELS is not set"), message)
        XCTAssertTrue(message.contains("looked in "), message)
    }
}
