// Fuzz target for the Amazon review reader: input parts (cut at 0xFF) are the review JSON lines and,
// when present, the metadata JSON lines.

import Datasets
import DatasetSupport
import FuzzSupport

FuzzDriver.run { bytes in
    let parts = ScratchFiles.parts(of: bytes, count: 2)
    let names = ["reviews.json", "meta.json"]
    let dir = ScratchFiles.write(Array(zip(names, parts)).map { ($0.0, $0.1) }, in: "amazon", clearing: names)
    let dataset = try? AmazonReviews.read(reviews: dir + "/reviews.json", metadata: parts.count > 1 ? dir + "/meta.json" : nil)
    if let dataset { DatasetExercise.run(dataset) }
}
