// Fuzz target for the language: the input is a script, lexed, parsed and run as a notebook in a
// fresh session with the core builtins only (no data, no models, no files, no network), under a
// step limit so that `for x in range(1e7) { }` ends with an error instead of a hang. Then the
// notebook machinery (recorded outputs, comparison, re-recording) runs over the same text.

import FuzzSupport
import Script

/// The registry is immutable after construction; one serves every input.
let registry = Registry.standard()

/// Steps per input: enough for the loops of the golden scripts, small enough for about a thousand inputs
/// a second (the parse of a 4 KB input costs about as much as 5,000 steps).
let stepLimit = 5_000

FuzzDriver.run { bytes in
    let source = String(decoding: bytes, as: UTF8.self)
    let interpreter = Interpreter(registry: registry, output: { _ in }, diagnostics: { _ in })
    interpreter.stepLimit = stepLimit
    let run = Notebook.run(source, interpreter: interpreter)
    // Comparing and re-recording parse the text again; only worth it when something ran.
    if !run.outcomes.isEmpty {
        _ = Notebook.firstDifference(source: source, run: run, tolerance: 1e-6)
        _ = Notebook.recorded(source: source, run: run)
    }
    // The first and the last error as the command line shows them (all of them would cost O(errors × size)).
    for error in [run.errors.first, run.errors.last].compactMap({ $0 }) { _ = error.rendered(file: "fuzz.seqlab", source: source) }
}
