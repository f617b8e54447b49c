// What a run was, in the words a report's header uses: the run's record in the store (script hash,
// SeqLab version, machine, numeric identity) and the data it used — files with the sizes and
// SHA-256 the store recorded when they were read, and every dataset the notebook holds with the
// fingerprint of its contents (synthetic worlds have no file to hash).

import Foundation
import Script
import Store

extension RunSession {
    /// Header rows describing this run, read back from the store so the page says what the record
    /// says: run, notebook, SeqLab, machine, numerics, then one row per dataset file and per dataset
    /// held in a variable of `interpreter`. A store that cannot be read leaves out its rows and says so.
    public func identity(interpreter: Interpreter) -> [(label: String, value: String)] {
        var rows: [(label: String, value: String)] = []
        let detail: RunDetail
        do { detail = try store.run(runID) } catch {
            return [("run", "#\(runID) in \(store.path) (its record could not be read back: \(error))")] + datasetRows(interpreter)
        }
        let info = detail.run.info
        rows.append(("run", "#\(runID) in \(store.path), started \(Self.utcText(detail.run.startedAt))"))
        rows.append(("notebook", (info.scriptPath ?? "standard input") + ", sha256 " + detail.run.scriptSHA256))
        rows.append(("SeqLab", info.version + (info.gitCommit.map { ", commit " + String($0.prefix(12)) } ?? "")))
        rows.append(("machine", "\(info.cpuModel), host \(info.hostname)"))
        // Architecture, BLAS and its kernel set, split version and threads: what decides the bits.
        rows.append(("numerics", info.numerics))
        for file in detail.datasets {
            rows.append(("data file", "\(file.name): \(file.path), \(file.bytes) bytes, sha256 \(file.sha256)"))
        }
        return rows + datasetRows(interpreter)
    }

    /// One row per dataset reachable from a global variable (directly or as a split's source).
    private func datasetRows(_ interpreter: Interpreter) -> [(label: String, value: String)] {
        var order: [ObjectIdentifier] = [], held: [ObjectIdentifier: (DatasetObject, [String])] = [:]
        for (name, value) in interpreter.variables {
            let dataset: DatasetObject
            switch value {
            case .object(let d as DatasetObject): dataset = d
            case .object(let s as SplitObject): dataset = s.source
            default: continue
            }
            let key = ObjectIdentifier(dataset)
            if held[key] == nil { order.append(key) }
            held[key, default: (dataset, [])].1.append(name)
        }
        return order.map { key in
            let (object, names) = held[key]!
            let d = object.dataset
            let origin = object.path.map { "read from \($0)" } ?? "made in the notebook"
            let fingerprint = String(d.fingerprint, radix: 16)
            return ("dataset", "\(d.name) (\(names.joined(separator: ", "))): \(d.userCount) users, \(d.itemCount) items, "
                    + "\(d.interactionCount) interactions, \(origin); content fingerprint \(String(repeating: "0", count: 16 - fingerprint.count))\(fingerprint)")
        }
    }

    /// A time as `2026-12-07 16:41:05 UTC`.
    private static func utcText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }
}
