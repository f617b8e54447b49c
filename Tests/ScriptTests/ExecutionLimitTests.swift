// The interpreter's step limit (for untrusted and generated scripts, as the fuzzer runs them) and
// its bound on evaluation depth through recursion. Each case runs in a fresh session.

import XCTest
@testable import Script

final class ExecutionLimitTests: XCTestCase {
    /// Runs `source` with `stepLimit`; returns the output lines and the first error, if any.
    private func run(_ source: String, stepLimit: Int?) -> (output: [String], error: String?) {
        let interpreter = Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in })
        interpreter.stepLimit = stepLimit
        let result = Notebook.run(source, interpreter: interpreter)
        return (result.outcomes.flatMap(\.output),
                result.errors.first.map { "\($0.location.line):\($0.location.column): \($0.message)" })
    }

    private let limitMessage = "step limit of 1000 reached: the script does more work than this session allows (long loops, large ranges or lists); make it smaller"

    func testWorkWithinTheLimitRunsAsWithoutOne() {
        let source = "s = 0\nfor i in range(10) { s = s + i }\ns\n[1, [2, 3], {a: \"xy\"}]\n"
        let limited = run(source, stepLimit: 1000), unlimited = run(source, stepLimit: nil)
        XCTAssertNil(limited.error)
        XCTAssertEqual(limited.output, ["45", "[1, [2, 3], {a: \"xy\"}]"])
        XCTAssertEqual(limited.output, unlimited.output)
    }

    func testAHugeRangeStopsAtTheCallWithoutBuildingIt() {
        XCTAssertEqual(run("x = 1\ny = range(1e7)\n", stepLimit: 1000).error, "2:5: " + limitMessage)
    }

    func testNestedLoopsStopAtTheIterationThatRunsOut() {
        // 34 steps to start, 65 per outer iteration: the 22nd inner iteration of the 15th runs out.
        XCTAssertEqual(run("for i in range(30) {\n  for j in range(30) { }\n}\n", stepLimit: 1000).error,
                       "2:3: " + limitMessage)
    }

    func testDoublingAListCannotBuildAnExponentialValue() {
        // 2^40 elements reachable through sharing: each [a, a] is charged for what printing it would show.
        XCTAssertEqual(run("a = [1]\nfor i in range(40) { a = [a, a] }\na\n", stepLimit: 1000).error,
                       "2:26: " + limitMessage)
    }

    func testDoublingAStringIsChargedPerByte() {
        XCTAssertEqual(run("s = \"ab\"\nfor i in range(30) { s = s + s }\n", stepLimit: 1000).error,
                       "2:28: " + limitMessage)
    }

    func testConcatenatedListsAreChargedForTheirElements() {
        // 310 steps, then 600 for the first sum; the second runs out charging for its 600-element operand.
        XCTAssertEqual(run("a = range(300)\nb = a + a + a + a\n", stepLimit: 1000).error, "2:11: " + limitMessage)
    }

    func testWithoutALimitNothingIsCounted() {
        let interpreter = Interpreter(registry: .standard(), output: { _ in }, diagnostics: { _ in })
        _ = Notebook.run("for i in range(2000) { }\n", interpreter: interpreter)
        XCTAssertEqual(interpreter.steps, 0)
    }

    func testDeepExpressionsInsideDeepRecursionStopWithAnError() {
        // 150 nested calls, each inside a chain of 100 additions: 15,000 levels of evaluation.
        let chain = String(repeating: " + 1", count: 100)
        let source = "fn f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)\(chain)\n}\nf(150)\n"
        let error = run(source, stepLimit: nil).error
        XCTAssertEqual(error.map { String($0.drop { $0 != " " }.dropFirst()) },
                       "expressions nested deeper than 3000 levels through function calls; split long expressions into steps or recurse less deeply")
        XCTAssertEqual(run("fn f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)\(chain)\n}\nf(20)\n", stepLimit: nil).output, ["2000"])
    }
}
