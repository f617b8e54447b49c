// `seqlab bench data`: how long loading and splitting take, and how much memory they need.
// Goals (release build): ml-100k load + leave-one-out <= 0.3 s; a 1M-interaction CSV <= 2 s.

import Datasets
import Foundation

/// Loading and splitting benchmarks, one JSON object per line.
public enum DataBenchmark {
    /// Where the ml-100k atomic files are: `Data/ml-100k` (from `make data`), else `../shared/data/ml-100k`.
    public static func defaultML100K() -> String? {
        ["Data/ml-100k", "../shared/data/ml-100k"].first { FileManager.default.fileExists(atPath: $0 + "/ml-100k.inter") }
    }

    /// Runs the benchmarks and returns their JSON lines. `ml100k` is the directory of the RecBole
    /// ml-100k files (skipped with a JSON note when absent); the synthetic CSV is generated in a
    /// temporary directory and removed afterwards. Times are the best of `repeats` runs.
    public static func run(ml100k: String? = defaultML100K(), syntheticSpec: WorldSpec = .large,
                           repeats: Int = 3) throws -> [String] {
        var lines: [String] = []
        if let dir = ml100k, FileManager.default.fileExists(atPath: dir + "/ml-100k.inter") {
            var best = Double.infinity
            var counts = (0, 0, 0, 0, 0)
            for _ in 0..<max(1, repeats) {
                let t0 = now()
                let dataset = try RecBole.load(directory: dir)
                let split = try dataset.leaveOneOut(maxLength: 50)
                best = min(best, now() - t0)
                counts = (dataset.userCount, dataset.itemCount, dataset.interactionCount, split.valid.count, split.test.count)
            }
            lines.append(json([
                ("bench", "\"data.ml100k.load+loo\""), ("path", "\"\(dir)\""), ("seconds", fmt(best)), ("goal_seconds", "0.3"),
                ("users", "\(counts.0)"), ("items", "\(counts.1)"), ("interactions", "\(counts.2)"),
                ("valid_rows", "\(counts.3)"), ("test_rows", "\(counts.4)"), ("peak_rss_mb", fmt(peakMegabytes())),
            ]))
        } else {
            lines.append(json([("bench", "\"data.ml100k.load+loo\""), ("skipped", "\"no ml-100k files at \(ml100k ?? "(none)"); run make data\"")]))
        }

        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let t0 = now()
        let csv = tmp + "/synthetic.csv"
        do {  // the world is freed before loading, so the loading peak is the loader's own
            let world = try SyntheticWorld.generate(syntheticSpec)
            try DatasetWriter.writeCSV(world.domains[0], path: csv)
        }
        let generateSeconds = now() - t0
        let bytes = (try? FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0
        let rssBeforeLoad = peakMegabytes()
        var best = Double.infinity
        var counts = (0, 0, 0, 0, 0)
        let mapping = ColumnMapping(user: .name("user_id"), item: .name("item_id"), time: .name("timestamp"))
        for _ in 0..<max(1, repeats) {
            let t1 = now()
            let dataset = try DelimitedFile.read(csv, mapping: mapping)
            let split = try dataset.leaveOneOut(maxLength: 50)
            best = min(best, now() - t1)
            counts = (dataset.userCount, dataset.itemCount, dataset.interactionCount, split.train.count, split.test.count)
        }
        lines.append(json([
            ("bench", "\"data.synthetic-csv.load+loo\""), ("seconds", fmt(best)), ("goal_seconds", "2"),
            ("file_mb", fmt(Double(bytes) / 1_048_576)), ("users", "\(counts.0)"), ("items", "\(counts.1)"),
            ("interactions", "\(counts.2)"), ("train_rows", "\(counts.3)"), ("test_rows", "\(counts.4)"),
            ("generate_and_write_seconds", fmt(generateSeconds)),
            ("peak_rss_mb_before_load", fmt(rssBeforeLoad)), ("peak_rss_mb", fmt(peakMegabytes())),
        ]))
        return lines
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Peak resident memory of this process so far (getrusage ru_maxrss, kilobytes on Linux).
    static func peakMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)  // bytes on macOS
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4f", x) }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
