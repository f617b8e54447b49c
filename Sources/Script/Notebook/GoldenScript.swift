// Golden scripts: small programs that carry the output they must produce, the language's spec.
//   # expect: <line>            one line of output, in order
//   # expect error: L:C: <msg>  the error (line:column: message) that must stop the script;
//                               several for files with several syntax errors

import Foundation

/// A script with its expected output and errors, and the comparison with a run.
public struct GoldenScript {
    /// The source.
    public let source: String
    /// Expected output lines, in order.
    public let expectedOutput: [String]
    /// Expected errors as `line:column: message`.
    public let expectedErrors: [String]

    /// Reads the expectations out of `source`.
    public init(_ source: String) {
        self.source = source
        var output: [String] = [], errors: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("# expect error: ") { errors.append(String(t.dropFirst(16))) }
            else if t.hasPrefix("# expect: ") { output.append(String(t.dropFirst(10))) }
            else if t == "# expect:" { output.append("") }
        }
        expectedOutput = output
        expectedErrors = errors
    }

    /// Runs the script and returns what it printed and its errors in the expectation format.
    public func run(_ interpreter: Interpreter) -> (output: [String], errors: [String]) {
        let result = Notebook.run(source, interpreter: interpreter)
        return (result.outcomes.flatMap(\.output),
                result.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" })
    }
}


