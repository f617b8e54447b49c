// `attention(..., last: n)` shows the last n positions of a map computed over the whole sequence,
// and says so in the title; n at least the length shows the whole map.

import Script
import XCTest
@testable import Workbench

final class AttentionWindowTests: XCTestCase {
    func run(_ source: String) -> [String] {
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let run = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(run.errors, [])
        return run.outcomes.last?.output ?? []
    }

    func testLastShowsTheLastPositions() {
        let setup = """
        w = synthetic("toy", seed: 1);
        m = sasrec(w, hidden: 16, layers: 1, heads: 1, inner: 32, dropout: 0.2, seed: 3);
        items = ["Lost Canyon Sheriff", "Sheriff Outlaw", "Stagecoach Canyon"];

        """
        let corner = run(setup + "m.attention(items: items, last: 2)\n")
        XCTAssertEqual(corner.first, "sasrec attention, layer 1, head 1, 3 items given (rows attend to columns, last 2 of 3 positions)")
        // Matrix rows are the lines with a row label ("[id] title", cut), then cells: the last two items only.
        let labelled = corner.filter { $0.hasPrefix("[movies-") }
        XCTAssertEqual(labelled.count, 2, corner.joined(separator: "\n"))
        XCTAssertTrue(labelled[0].contains("Sher") && labelled[1].contains("Stag"), corner.joined(separator: "\n"))
        XCTAssertEqual(run(setup + "m.attention(items: items, last: 5)\n").first,
                       "sasrec attention, layer 1, head 1, 3 items given (rows attend to columns)")
    }
}
