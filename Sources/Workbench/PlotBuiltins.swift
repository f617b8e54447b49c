// `plot(history, "loss")`: learning curves drawn in the terminal (Braille dots) and, with `file:`,
// as an SVG. Several histories in a list draw one curve each, to compare runs on one chart.

import Plots
import Script
import Support
import Tensors
import Training

/// A chart that prints as terminal art and may have been written to a file.
final class PlotObject: ScriptObject {
    let text: String
    let title: String
    init(text: String, title: String) {
        self.text = text
        self.title = title
    }
    var typeName: String { "Plot" }
    var summary: String { text }
    var oneLine: String { "plot: \(title)" }
}

extension Registry {
    func registerPlots() {
        describeType("Plot", "a chart drawn in the terminal (and written as SVG with file:)")

        register(BuiltinSpec("plot", topic: "models", parameters: [
            Parameter("history", .oneOf([.object("History"), .list]), positional: true,
                      help: "what fit returned (or model.history), or a list of them"),
            Parameter("what", .string, positional: true, default: .string("loss"),
                      help: "\"loss\" (training loss per epoch) or \"valid\" (the validation metric per epoch)"),
            Parameter("file", .string, default: Value.none, help: "also write an SVG to this file (replaced atomically)"),
            Parameter("width", .integer, default: .number(64), help: "terminal width in characters"),
            Parameter("height", .integer, default: .number(12), help: "terminal height in lines"),
        ], help: "Draws learning curves per epoch in the terminal; file: writes an SVG too.") { args, interpreter in
            let histories: [HistoryObject]
            switch args.value("history") {
            case .object(let h as HistoryObject): histories = [h]
            case .list(let items):
                histories = try items.map { v in
                    guard case .object(let h as HistoryObject) = v else { throw args.error("history", "the list must hold histories (what fit returns)") }
                    return h
                }
                guard !histories.isEmpty else { throw args.error("history", "the list is empty") }
            default: throw args.error("history", "give a history (what fit returns)")
            }
            let what = try args.string("what", choices: ["loss", "valid"])
            let metric = histories[0].metric
            // Two runs of one model would share a legend entry: number the repeats.
            let labels = histories.map(\.label)
            let names = labels.enumerated().map { k, label in
                labels.filter({ $0 == label }).count > 1 ? "\(label) #\(labels[...k].filter { $0 == label }.count)" : label
            }
            let series = zip(histories, names).map { h, name in
                Series(name: histories.count > 1 ? name : (what == "loss" ? "train loss" : "valid \(metric)"),
                       points: h.records.compactMap { r in
                           let y = what == "loss" ? r.loss : r.valid
                           return y.map { (x: Double(r.epoch), y: $0) }
                       })
            }
            let yLabel = what == "loss" ? "loss" : "\(metric)"
            let title = histories.count == 1 ? "\(histories[0].label): \(what == "loss" ? "training loss" : "validation \(metric)") per epoch"
                                             : "\(what == "loss" ? "training loss" : "validation \(metric)") per epoch"
            let chart = LinePlot(title: title, xLabel: "epoch", yLabel: yLabel, series: series)
            if args.has("file") {
                let file = try args.string("file")
                let svg = chart.renderSVG()
                do { try AtomicFile.write(svg, to: file) } catch { throw args.error("file", "\(error)") }
                interpreter.output("wrote \(file) (SVG, \(series.count) series, \(byteCount(svg.utf8.count)))")
            }
            FigureCollector.of(interpreter)?.add(title: title) { chart.renderSVG() }
            let text = chart.renderTerminal(width: try args.int("width", min: 20, max: 400), height: try args.int("height", min: 4, max: 200))
            return .object(PlotObject(text: text, title: title))
        })
    }
}
