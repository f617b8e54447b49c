// Fuzz target for the safetensors reader: the input is a whole file (8-byte little-endian header
// length, JSON header, tensor bytes); every entry it declares is then read as a float tensor and
// as an index tensor.

import Foundation
import FuzzSupport
import Tensors

FuzzDriver.run { bytes in
    guard let file = try? SafetensorsFile(data: Data(bytes)) else { return }
    for name in file.names {
        _ = try? file.tensor(name)
        _ = try? file.indices(name)
    }
}
