// Amazon review dumps (McAuley et al., 2014 and 2018): JSON lines with `reviewerID`, `asin` and
// `unixReviewTime`; optional metadata JSON lines with `asin` and `title` give the item text.

import Foundation

/// Reads Amazon review JSON lines.
public enum AmazonReviews {
    /// Reads `reviews` (one JSON object per line) and, if given, `metadata` for titles. Items without
    /// metadata get empty text; metadata of items nobody reviewed is ignored.
    public static func read(reviews: String, metadata: String? = nil, name: String? = nil) throws -> Dataset {
        let file = try TextFile.read(reviews)
        _ = try firstLine(file, expecting: "one JSON review object per line")
        var builder = DatasetBuilder(expectedEvents: file.bytes.count / 200)
        try file.forEachLine { number, range in
            let object = try jsonObject(file, range, line: number)
            let user = try stringField(object, "reviewerID", file, line: number)
            let item = try stringField(object, "asin", file, line: number)
            guard let time = (object["unixReviewTime"] as? NSNumber)?.doubleValue, time.isFinite else {
                throw DataError(file: reviews, line: number, "expected a number field 'unixReviewTime' (Unix seconds)")
            }
            guard time >= 0 else {
                let text = time == time.rounded() && abs(time) < 1e15 ? String(Int64(time)) : String(time)
                throw DataError(file: reviews, line: number, "negative unixReviewTime \(text); expected Unix seconds (0 or later)")
            }
            builder.add(user: user, item: item, time: time)
        }
        var dataset = builder.build(name: name ?? stem(reviews))
        if let metadata {
            let meta = try TextFile.read(metadata)
            _ = try firstLine(meta, expecting: "one JSON metadata object per line")
            var text = [String](repeating: "", count: dataset.items.count)
            try meta.forEachLine { number, range in
                let object = try jsonObject(meta, range, line: number)
                let asin = try stringField(object, "asin", meta, line: number)
                if let id = dataset.items.id(of: asin), let title = object["title"] as? String {
                    text[Int(id)] = title
                }
            }
            dataset.itemText = text
        }
        return dataset
    }

    static func jsonObject(_ file: TextFile, _ range: Range<Int>, line: Int) throws -> [String: Any] {
        let data = Data(file.bytes[range])
        guard let value = try? JSONSerialization.jsonObject(with: data), let object = value as? [String: Any] else {
            throw DataError(file: file.path, line: line,
                            "expected one JSON object per line (the 2014 metadata files are Python literals: convert them with ast.literal_eval and json.dumps)")
        }
        return object
    }

    static func stringField(_ object: [String: Any], _ key: String, _ file: TextFile, line: Int) throws -> String {
        guard let s = object[key] as? String, !s.isEmpty else {
            throw DataError(file: file.path, line: line, "expected a non-empty string field '\(key)'")
        }
        return s
    }
}
