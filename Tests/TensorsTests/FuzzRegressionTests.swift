// Inputs that crashed the torch.save reader, found while writing its fuzz target (Fuzz/Pth, `make fuzz`),
// each with the error it must now give instead; the inputs are kept in Fuzz/corpus/pth as well.

import Foundation
import XCTest
@testable import Tensors

final class FuzzRegressionTests: XCTestCase {
    /// A dict whose 'w' is a `_rebuild_parameter` call whose
    /// arguments are a list the call itself is then appended to. Reading 'w' as a tensor recursed
    /// through the parameter forever and overflowed the stack.
    func testParameterWrappingItselfIsAnError() throws {
        func string(_ s: String) -> [UInt8] { [0x58] + withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian, Array.init) + Array(s.utf8) }
        var p: [UInt8] = [0x80, 0x02, 0x7D] + string("w") + [0x5D, 0x71, 0]   // {}, 'w', [] memo 0
        p += Array("ctorch._utils\n_rebuild_parameter\n".utf8)
        p += [0x68, 0, 0x52, 0x71, 1]   // _rebuild_parameter(*list) memo 1
        p += [0x61, 0x30, 0x68, 1, 0x73, 0x2E]   // list.append(call); pop the list; dict['w'] = call
        let data = ZipWriter.archive([("archive/data.pkl", Data(p)), ("archive/byteorder", Data("little".utf8))])
        let c = try TorchCheckpoint(data: data, path: "cycle.pth")
        XCTAssertThrowsError(try c.stateDict(c.pickle.root)) {
            XCTAssertEqual("\($0)", "cycle.pth: error: a tensor (torch._utils._rebuild_parameter) wraps parameters in parameters "
                           + "more than 8 deep (or in itself): the file is damaged")
        }
    }
}
