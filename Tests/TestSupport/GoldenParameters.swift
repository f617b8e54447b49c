// Golden files from the PyTorch generators store each parameter as `param.<name>`. Every golden
// test starts the same way: the model must have exactly those names, each of the stored shape, and
// then takes the stored values.

import Tensors
import XCTest

/// Overwrites `parameters` with `golden`'s `param.<name>` tensors, after asserting that the file
/// holds exactly these names (besides `absent`, names the file has and the model does not) and that
/// every shape matches. `label` starts each assertion message.
public func loadGoldenParameters(_ golden: SafetensorsFile, into parameters: [Tensor], absent: Set<String> = [],
                                 label: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
    let prefix = label.isEmpty ? "" : label + ": "
    let stored = golden.names.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst(6)) }.filter { !absent.contains($0) }
    XCTAssertEqual(parameters.map(\.name).sorted(), stored.sorted(), "\(prefix)parameter names", file: file, line: line)
    for p in parameters {
        let value = try golden.tensor("param.\(p.name)")
        XCTAssertEqual(value.shape, p.shape, "\(prefix)shape of \(p.name)", file: file, line: line)
        p.copy(from: value)
    }
}
