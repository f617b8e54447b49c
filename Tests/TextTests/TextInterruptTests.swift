// Ctrl-C during text encoding: the MiniLM encoder checks the interrupt flag before every batch and
// TF-IDF before its product and every SVD power iteration; each throws `Interrupted` and returns
// no vectors, and encoding after the flag is cleared gives the same vectors as before.

import Foundation
import Support
import Tensors
import XCTest
@testable import Text

final class TextInterruptTests: XCTestCase {
    override func tearDown() { Cancellation.clear() }

    func testTfidfFittingAndEncodingStopAndThenWorkUnchanged() throws {
        let titles = TfidfTests.titles
        let encoder = try TfidfSVDEncoder(fitting: titles, options: .init(width: 8, seed: 5))
        let before = try encoder.encode(titles)
        Cancellation.request()
        XCTAssertThrowsError(try encoder.encode(titles)) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted("text encoding (TF-IDF)"))
        }
        XCTAssertThrowsError(try TfidfSVDEncoder(fitting: titles, options: .init(width: 8, seed: 5))) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted("TF-IDF fitting (truncated SVD)"))
        }
        Cancellation.clear()
        XCTAssertEqual(try encoder.encode(titles), before)
    }

    func testMiniLMStopsBeforeItsFirstBatch() throws {
        let encoder = try MiniLMEncoder(directory: miniLMDirectory(), batchRows: 16)
        let texts = ["Star Wars (1977)", "Fargo (1996)", "Toy Story (1995)", "Heat (1995)"]
        let before = try encoder.encode(texts)
        Cancellation.request()
        XCTAssertThrowsError(try encoder.encode(texts)) { error in
            XCTAssertEqual("\(error)", "interrupted: text encoding (MiniLM, 0 of 4 texts done) stopped by Ctrl-C; nothing was changed")
        }
        Cancellation.clear()
        XCTAssertEqual(try encoder.encode(texts), before)
    }
}
