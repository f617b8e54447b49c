// Fuzz target for the mapped CSV/TSV reader. The first byte of the input picks one of the column
// mappings below (by header name or position, comma, tab, `::` or the default for `.csv`, UTF-8 or
// Latin-1); the rest of the input is the file.

import Datasets
import DatasetSupport
import FuzzSupport

let mappings: [(ColumnMapping, TextEncoding)] = [
    (ColumnMapping(user: .name("userId"), item: .name("movieId"), time: .name("timestamp")), .utf8),
    (ColumnMapping(user: .index(0), item: .index(1), time: .index(3), delimiter: "\t", hasHeader: false), .utf8),
    (ColumnMapping(user: .name("user"), item: .name("item"), delimiter: ";"), .latin1),
    (ColumnMapping(user: .index(0), item: .index(1), time: .index(2), delimiter: "::", hasHeader: false), .latin1),
    (ColumnMapping(user: .index(2), item: .name("item"), time: .index(0), delimiter: ","), .utf8),
]

FuzzDriver.run { bytes in
    guard let first = bytes.first else { return }
    let (mapping, encoding) = mappings[Int(first) % mappings.count]
    let dir = ScratchFiles.write([("fz.csv", Array(bytes.dropFirst()))], in: "delimited", clearing: [])
    if let dataset = try? DelimitedFile.read(dir + "/fz.csv", mapping: mapping, encoding: encoding) {
        DatasetExercise.run(dataset)
    }
}
