// Golden scripts: each file in Scripts/ is a small program with the output it must produce.
//   # expect: <line>            one line of output, in order
//   # expect error: L:C: <msg>  the error (line:column: message) that must stop the script;
//                               several for files with several syntax errors
// The driver runs every file in a fresh interpreter; one failing file names itself.

import Foundation
import XCTest
@testable import Script

final class ScriptGoldenTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    func testEveryGoldenScript() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".seqlab") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 40, "the language spec needs at least 40 golden scripts")
        for file in files {
            let source = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
            var expectedOutput: [String] = [], expectedErrors: [String] = []
            for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("# expect error: ") { expectedErrors.append(String(t.dropFirst(16))) }
                else if t.hasPrefix("# expect: ") { expectedOutput.append(String(t.dropFirst(10))) }
                else if t == "# expect:" { expectedOutput.append("") }
            }
            let interpreter = Interpreter(registry: .standard(), diagnostics: { _ in })
            let run = Notebook.run(source, interpreter: interpreter)
            let output = run.outcomes.flatMap(\.output)
            let errors = run.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
            XCTAssertEqual(output, expectedOutput, "\(file): output")
            XCTAssertEqual(errors, expectedErrors, "\(file): errors")
        }
    }
}
