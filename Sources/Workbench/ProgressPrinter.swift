// Training progress on stderr, kept out of stdout so notebooks record only results. On a terminal
// one line redraws in place (bar, rate, loss, ETA); elsewhere each epoch prints one line. Notebook
// checks turn it off. Every finished epoch also goes to the run store.

import Foundation
import Script
import Store
import Training

/// How training reports progress.
public enum ProgressMode: String, Sendable {
    /// A redrawn bar on a terminal, one line per epoch otherwise.
    case auto
    /// Nothing.
    case quiet
}

extension Workbench {
    static let progressKey = "progressMode"

    /// Sets how `fit` reports progress in this interpreter (the front ends choose; the default is quiet).
    public static func setProgress(_ mode: ProgressMode, in interpreter: Interpreter) {
        interpreter.extensions[progressKey] = ProgressSetting(mode)
    }

    static func progressMode(_ interpreter: Interpreter) -> ProgressMode {
        (interpreter.extensions[progressKey] as? ProgressSetting)?.mode ?? .quiet
    }
}

/// The progress mode boxed for the interpreter's extension slots (which hold objects).
final class ProgressSetting {
    let mode: ProgressMode
    init(_ mode: ProgressMode) { self.mode = mode }
}

/// Draws progress and records epochs in the store.
final class ProgressPrinter: TrainingObserver {
    let mode: ProgressMode
    let terminal: Bool
    let label: String
    let session: RunSession?
    private var lastDraw = Date.distantPast
    private var drewBar = false
    /// Store write failures are reported once, not per epoch.
    private var storeFailed = false

    init(mode: ProgressMode, label: String, session: RunSession?) {
        self.mode = mode
        self.label = label
        self.session = session
        terminal = isatty(2) != 0
    }

    func batchFinished(_ p: TrainingProgress) {
        guard mode == .auto, terminal else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || p.batch == p.batches else { return }
        lastDraw = now
        let fraction = Double(p.batch) / Double(max(p.batches, 1))
        let cells = 24, filled = Int(fraction * Double(cells))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled)
        let rate = p.seconds > 0 ? Double(p.sequences) / p.seconds : 0
        // Remaining batches of this call at the rate so far (validation time not included).
        let epochsLeft = p.lastEpoch - p.epoch
        let batchesLeft = p.batches - p.batch + epochsLeft * p.batches
        let eta = Double(batchesLeft) * p.seconds / Double(max(p.done, 1))
        write("\r\u{1B}[2K\(label) epoch \(p.epoch)/\(p.lastEpoch) \(bar) \(Int(fraction * 100))%  \(Int(rate)) seq/s  loss \(fixed(p.loss, 4))  ETA \(clock(eta))")
        drewBar = true
    }

    func validationStarted(epoch: Int) {
        guard mode == .auto, terminal else { return }
        write("\r\u{1B}[2K\(label) epoch \(epoch): validating…")
        drewBar = true
    }

    func epochFinished(_ r: EpochRecord, metric: ValidationMetric) {
        if let session {
            var points = [MetricPoint(step: r.epoch, name: "\(label).loss", value: r.loss, epoch: r.epoch, split: "train")]
            if let v = r.valid { points.append(MetricPoint(step: r.epoch, name: "\(label).\(metric)", value: v, epoch: r.epoch, split: "valid")) }
            do { try session.store.logMetrics(session.runID, points) } catch {
                if !storeFailed { write("warning: cannot record epoch metrics in the store: \(error)\n") }
                storeFailed = true
            }
        }
        guard mode == .auto else { return }
        // A resumed epoch's time covers only the rows trained since the Ctrl-C.
        let rate = r.seconds > 0 ? Double(r.sequences - r.resumedSequences) / r.seconds : 0
        let valid = r.valid.map { ", valid \(metric) \(fixed($0, 4))\(r.improved ? " (best)" : "")" } ?? ""
        let resumed = r.resumedSequences > 0 ? " (finished after Ctrl-C: \(r.sequences - r.resumedSequences) of \(r.sequences) rows now)" : ""
        write((drewBar ? "\r\u{1B}[2K" : "") + "\(label) epoch \(r.epoch)\(resumed): loss \(fixed(r.loss, 4))\(valid), \(fixed(r.seconds, 1)) s, \(Int(rate)) seq/s\n")
        drewBar = false
    }

    /// Ends a redrawn line before other output.
    func finish() {
        if drewBar { write("\n") }
        drewBar = false
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    private func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
