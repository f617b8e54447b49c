// Item texts to encode when no dataset is at hand: the ml-100k items as "title year genres" (the
// text of ../shared/golden/minilm-ml100k.tsv) when the atomic files are there, else synthetic
// titles of the same shape from a seeded stream. The MiniLM benchmark and the text tests read them.

import Foundation
import Tensors

/// Sample item texts for encoders.
public enum SampleItemTexts {
    /// Where `ml-100k.item` is looked for: `make data`'s copy first, then the shared one.
    public static let itemFiles = ["Data/ml-100k/ml-100k.item", "../shared/data/ml-100k/ml-100k.item"]

    /// The ml-100k item texts "title year genres" in file order, or 1682 synthetic titles when no
    /// item file is found.
    public static func itemTexts() throws -> (source: String, texts: [String]) {
        guard let path = itemFiles.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return ("synthetic", syntheticTitles(1682, seed: 0))
        }
        return (path, try ml100kItemTexts(path: path))
    }

    /// Reads an ml-100k.item atomic file: the text of each item is its title, year and genres
    /// joined by spaces (empty fields skipped).
    public static func ml100kItemTexts(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TextError(file: path, "cannot read the file as UTF-8; run `make data` to refetch it")
        }
        var texts: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i == 0 || line.isEmpty { continue }   // the header names the columns
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4 else {
                throw TextError(file: path, line: i + 1, "expected 4 tab-separated fields (id, title, year, genres), found \(fields.count)")
            }
            texts.append(fields[1...3].filter { !$0.isEmpty }.joined(separator: " "))
        }
        return texts
    }

    /// `count` made-up movie titles shaped like ml-100k's ("Night of the Blue River 1994 Drama
    /// Thriller"), from the stream "bench.titles" of `seed`.
    public static func syntheticTitles(_ count: Int, seed: UInt64) -> [String] {
        let words = ["Night", "Day", "Blue", "River", "Return", "Last", "King", "Love", "War", "Star", "Dark", "City",
                     "Man", "Woman", "House", "Dead", "Story", "Big", "Little", "Secret", "Lost", "Game", "Heart",
                     "Journey", "Fire", "Island", "Ghost", "Dream", "Shadow", "Summer"]
        let genres = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
                      "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War",
                      "Western"]
        var random = Seed(seed).stream("bench.titles")
        return (0..<count).map { _ in
            var parts = (0..<(1 + random.int(below: 5))).map { _ in words[random.int(below: words.count)] }
            if random.bernoulli(0.3) { parts.insert("The", at: 0) }
            parts.append(String(1930 + random.int(below: 68)))
            parts += (0..<(1 + random.int(below: 3))).map { _ in genres[random.int(below: genres.count)] }
            return parts.joined(separator: " ")
        }
    }
}
