// Fuzz target for PyTorch checkpoints. An input starting "PK" is a whole `.pth` file (torch.save's
// zip archive of data.pkl and storages); any other input is the pickle data.pkl of an archive that
// also holds storages "0" to "23" of 256 bytes each, since a mutated member of a whole file almost
// always fails its CRC-32 first and the pickle reader behind it would be reached only by the seeds.
// When the checkpoint parses, the root and every value of a dict at the root (where RecBole's
// trainer keeps its state_dict) are read as state dicts and every tensor of each is read as floats
// and as integers; every recorded call is tried as a tensor too; then the checkpoint is imported as
// RecBole's own model and as a bare SASRec and GRU4Rec state dict, without a dataset. The work is
// bounded: at most 64 entries and 256 calls, tensors of at most 65,536 elements.

import Foundation
import FuzzSupport
import Tensors
import Training

/// The most elements of one tensor read (a view with zero strides may claim billions).
let elementBound = 1 << 16

/// The storages beside a pickle input: keys "0" to "23" (the seeds' state dicts use up to 20), 64
/// float32 (or 256 bytes) each; few and small, since writing them is most of an input's cost.
let storages: [(name: String, data: Data)] = (0..<24).map { k in
    ("archive/data/\(k)", Data((0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ k) }))
}

/// The checkpoint file an input stands for.
func file(_ input: UnsafeRawBufferPointer) -> Data {
    let data = Data(input)
    if data.starts(with: [0x50, 0x4B]) { return data }
    return ZipWriter.archive([("archive/data.pkl", data), ("archive/byteorder", Data("little".utf8))] + storages)
}

func read(_ checkpoint: TorchCheckpoint, _ tensor: TorchTensorReference, _ name: String) {
    guard tensor.count <= elementBound else { return }
    _ = try? checkpoint.floatTensor(tensor, name: name)
    _ = try? checkpoint.integers(tensor, name: name)
}

FuzzDriver.run { bytes in
    guard let checkpoint = try? TorchCheckpoint(data: file(bytes), path: "fuzz.pth") else { return }
    let pickle = checkpoint.pickle
    var roots = [pickle.root]
    if let dict = pickle.dict(pickle.root) { roots += dict.entries.prefix(64).map(\.value) }
    for value in roots {
        _ = checkpoint.describe(value)
        guard let entries = try? checkpoint.stateDict(value) else { continue }
        for (name, tensor) in entries.prefix(64) { read(checkpoint, tensor, name) }
    }
    for k in 0..<min(pickle.objects.count, 256) {
        if let tensor = try? checkpoint.tensorReference(.object(k)) { read(checkpoint, tensor, "object \(k)") }
    }
    for model in [nil, "sasrec", "gru4rec"] as [String?] {
        _ = try? RecBoleInterop.importModel(checkpoint, model: model, seed: Seed(1))
    }
}
