// Fuzz target for the pre-split RecBole benchmark reader (UniSRec / VQ-Rec files): input parts (cut
// at 0xFF) are `fz.train.inter`, `fz.valid.inter`, `fz.test.inter`, `fz.item2index`,
// `fz.user2index`, `fz.text` and the raw float32 `fz.feat1CLS`; a missing part is a missing file.

import Datasets
import DatasetSupport
import FuzzSupport

let names = ["fz.train.inter", "fz.valid.inter", "fz.test.inter", "fz.item2index", "fz.user2index", "fz.text", "fz.feat1CLS"]

FuzzDriver.run { bytes in
    let parts = ScratchFiles.parts(of: bytes, count: names.count)
    let dir = ScratchFiles.write(Array(zip(names, parts)).map { ($0.0, $0.1) }, in: "fz", clearing: names)
    if let benchmark = try? PresplitBenchmark.load(directory: dir) { DatasetExercise.run(benchmark.dataset) }
}
