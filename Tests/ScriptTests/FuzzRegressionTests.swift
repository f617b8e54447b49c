// Inputs that crashed the language before the fuzzing work (Fuzz/Script, `make fuzz`), each with the
// error it must now give instead. Each case runs as a notebook in a fresh session with the core
// builtins, as the fuzz target does; the inputs are kept in Fuzz/corpus/script as well.

import XCTest
@testable import Script

final class FuzzRegressionTests: XCTestCase {
    struct Case {
        /// What the input is and how it used to fail.
        let name: String
        let source: String
        /// The first error, as `line:column: message`.
        let firstError: String
        /// How many errors the run reports.
        let errorCount: Int
    }

    static let cases: [Case] = [
        Case(name: "300,000 control characters (a binary file run as a script): the lexer recursed once per character and overflowed the stack",
             source: String(repeating: "\u{1}", count: 300_000),
             firstError: "1:1: unexpected character '\u{1}'", errorCount: 51),
        Case(name: "190 recursive calls each inside a chain of 4,000 additions: evaluation overflowed the stack (segfault at 26,000 frames)",
             source: "fn f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)" + String(repeating: " + 1", count: 4_000) + "\n}\nf(190)\n",
             firstError: "3:4019: expressions nested deeper than 3000 levels through function calls; split long expressions into steps or recurse less deeply",
             errorCount: 1),
    ]

    func testEveryCrashingInputNowGivesAnError() {
        for c in Self.cases {
            let interpreter = Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in })
            let run = Notebook.run(c.source, interpreter: interpreter)
            let errors = run.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
            XCTAssertEqual(errors.first, c.firstError, c.name)
            XCTAssertEqual(errors.count, c.errorCount, c.name)
        }
    }

    func testTheErrorListIsCappedWithACount() {
        let run = Notebook.run(String(repeating: "\u{1}", count: 300_000),
                               interpreter: Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in }))
        XCTAssertEqual(run.errors.last?.message,
                       "300000 errors; stopped listing them after 50: fix these first (is this a SeqLab script?)")
        XCTAssertEqual(run.errors.last?.location, SourceLocation(line: 1, column: 51))
    }
}
