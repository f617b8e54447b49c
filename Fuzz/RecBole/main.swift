// Fuzz target for the RecBole atomic reader: input parts (cut at 0xFF) are `fz.inter`, `fz.item`
// and `fz.user` of one dataset directory; a missing part is a missing file.

import Datasets
import DatasetSupport
import FuzzSupport

let names = ["fz.inter", "fz.item", "fz.user"]

FuzzDriver.run { bytes in
    let parts = ScratchFiles.parts(of: bytes, count: names.count)
    let dir = ScratchFiles.write(Array(zip(names, parts)).map { ($0.0, $0.1) }, in: "fz", clearing: names)
    if let dataset = try? RecBole.load(directory: dir) { DatasetExercise.run(dataset) }
}
