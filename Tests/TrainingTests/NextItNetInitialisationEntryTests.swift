// The initialisation a NextItNet was built with travels in its configuration entries (run store,
// checkpoints): a model rebuilt from them is the same model, TF's scheme when the entry is absent
// (every checkpoint written before there was a choice), and a damaged entry is an error.

import XCTest
@testable import Models
@testable import Tensors
@testable import Training

final class NextItNetInitialisationEntryTests: XCTestCase {
    func rebuilt(_ initialisation: NextItNetInitialisation) throws -> NextItNetRecommender {
        let model = NextItNetRecommender(NextItNetConfiguration(items: 50, channels: 8, dilations: [1], initialisation: initialisation),
                                         seed: Seed(4))
        let built = try ModelCatalog.build(model.configurationEntries, name: "copy", seed: Seed(4))
        return try XCTUnwrap(built as? NextItNetRecommender)
    }

    func testEntriesCarryTheInitialisation() throws {
        for initialisation in [NextItNetInitialisation.tf, .torch, .recbole, .sparseData,
                               NextItNetInitialisation(embedding: .recbole, convolutions: .torch, output: .tf)] {
            let copy = try rebuilt(initialisation)
            XCTAssertEqual(copy.network.configuration.initialisation, initialisation)
        }
        let sparse = NextItNetRecommender(NextItNetConfiguration(items: 50, channels: 8, dilations: [1],
                                                                 initialisation: .sparseData), seed: Seed(4))
        XCTAssertTrue(sparse.configurationEntries.contains { $0 == ("init", "torch/tf/tf") })
        let tf = NextItNetRecommender(NextItNetConfiguration(items: 50, channels: 8, dilations: [1]), seed: Seed(4))
        XCTAssertFalse(tf.configurationEntries.contains { $0.0 == "init" }, "TF's scheme leaves the entries as they were")
    }

    /// `reluBeforeOutput` (the TF graph's ReLU before the output layer) travels the same way, and
    /// only when set, so earlier entries are unchanged.
    func testEntriesCarryReluBeforeOutput() throws {
        let relu = NextItNetRecommender(NextItNetConfiguration(items: 50, channels: 8, dilations: [1], reluBeforeOutput: true),
                                        seed: Seed(4))
        XCTAssertTrue(relu.configurationEntries.contains { $0 == ("reluBeforeOutput", "true") })
        let copy = try XCTUnwrap(try ModelCatalog.build(relu.configurationEntries, name: "copy", seed: Seed(4)) as? NextItNetRecommender)
        XCTAssertTrue(copy.network.configuration.reluBeforeOutput)
        XCTAssertFalse(try rebuilt(.tf).configurationEntries.contains { $0.0 == "reluBeforeOutput" })
        XCTAssertThrowsError(try NextItNetFamily.network(ConfigurationEntries([("items", "50"), ("channels", "8"), ("kernel", "3"),
                                                                               ("dilations", "1"), ("reluBeforeOutput", "yes")]), causal: true))
    }

    func testMissingEntryIsTFAndADamagedOneIsAnError() throws {
        XCTAssertEqual(try NextItNetFamily.initialisation(ConfigurationEntries([])), .tf)
        for bad in ["xavier", "torch/tf", "torch/tf/tf/tf", ""] {
            XCTAssertThrowsError(try NextItNetFamily.initialisation(ConfigurationEntries([("init", bad)])), bad)
        }
    }

    func testAutomaticChoiceFollowsEventsPerItem() {
        XCTAssertEqual(NextItNetInitialisation.automatic(eventsPerItem: 8.4), .sparseData)
        XCTAssertEqual(NextItNetInitialisation.automatic(eventsPerItem: 19.99), .sparseData)
        XCTAssertEqual(NextItNetInitialisation.automatic(eventsPerItem: 20), .tf)
        XCTAssertEqual(NextItNetInitialisation.automatic(eventsPerItem: 59.5), .tf)
    }
}
