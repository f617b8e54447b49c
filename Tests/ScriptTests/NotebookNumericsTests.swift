// A notebook records the numeric identity its outputs were computed under in one `#@ numerics:`
// line: recording puts it after the title (or replaces it), and checks read it back.

import XCTest
@testable import Script

final class NotebookNumericsTests: XCTestCase {
    let identity = "x86_64+avx2, OpenBLAS 0.3.21, Haswell kernels, split 1, 2 threads"

    func testRecordingInsertsTheLineAfterTheTitleAndKeepsOutputsUnderTheirStatements() {
        let source = "# Title\n# more title\n\nx = 1\nx\n#> 0\nprint(2)\n"
        let run = Notebook.run(source, interpreter: Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in }))
        let recorded = Notebook.recorded(source: source, run: run, numerics: identity)
        XCTAssertEqual(recorded, "# Title\n# more title\n#@ numerics: \(identity)\n\nx = 1\nx\n#> 1\nprint(2)\n#> 2\n")
        XCTAssertEqual(Notebook.recordedNumerics(recorded), identity)
        // Recording again replaces the line rather than adding one.
        let again = Notebook.recorded(source: recorded, run: Notebook.run(recorded, interpreter: Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in })),
                                      numerics: "arm64, OpenBLAS 0.3.26, NEOVERSEN1 kernels, split 1, 1 thread")
        XCTAssertEqual(again.components(separatedBy: "#@ numerics:").count, 2, again)
        XCTAssertEqual(Notebook.recordedNumerics(again), "arm64, OpenBLAS 0.3.26, NEOVERSEN1 kernels, split 1, 1 thread")
        XCTAssertNil(Notebook.firstDifference(source: again, run: Notebook.run(again, interpreter: Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in })), tolerance: nil))
    }

    func testANotebookWithoutATitleGetsTheLineFirstAndOneWithoutItSaysNothing() {
        XCTAssertEqual(Notebook.withNumerics("x = 1\n", identity), "#@ numerics: \(identity)\nx = 1\n")
        XCTAssertNil(Notebook.recordedNumerics("# Title\nx = 1\n#> 1\n"))
        // Recorded output lines are not a title.
        XCTAssertEqual(Notebook.withNumerics("#> stray\nx\n", identity), "#@ numerics: \(identity)\n#> stray\nx\n")
    }
}
