// Fuzz target for the GroupLens MovieLens reader. An input starting with the line `1M` is the 1M
// layout (`ratings.dat`, `movies.dat`, `users.dat`), any other the 100K layout (`u.data`, `u.item`,
// `u.user`); the rest is cut at 0xFF bytes into those files in that order.

import Datasets
import DatasetSupport
import FuzzSupport

let layout100K = ["u.data", "u.item", "u.user"]
let layout1M = ["ratings.dat", "movies.dat", "users.dat"]
let marker = Array("1M\n".utf8)

FuzzDriver.run { bytes in
    let is1M = bytes.count >= marker.count && Array(bytes.prefix(marker.count)) == marker
    let names = is1M ? layout1M : layout100K
    let body = UnsafeRawBufferPointer(rebasing: bytes[(is1M ? marker.count : 0)...])
    let parts = ScratchFiles.parts(of: body, count: names.count)
    let dir = ScratchFiles.write(Array(zip(names, parts)).map { ($0.0, $0.1) }, in: "ml", clearing: layout100K + layout1M)
    if let dataset = try? MovieLens.load(directory: dir) { DatasetExercise.run(dataset) }
}
