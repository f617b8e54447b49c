// Fuzz target for the NextItNet / PeterRec session CSV readers: the input is one file, read as
// sessions (with `0` as padding), as a fine-tuning file on its own, and as a fine-tuning file whose
// source tokens must come from the sessions' vocabulary.

import Datasets
import DatasetSupport
import FuzzSupport

FuzzDriver.run { bytes in
    let dir = ScratchFiles.write([("fz.csv", Array(bytes))], in: "sessions", clearing: [])
    let path = dir + "/fz.csv"
    let dataset = try? SessionCSV.read(path, padToken: "0")
    if let dataset { DatasetExercise.run(dataset) }
    _ = try? SessionCSV.readFineTuning(path, padToken: "0")
    if let dataset { _ = try? SessionCSV.readFineTuning(path, sourceItems: dataset.items) }
}
