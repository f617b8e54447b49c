// Library errors become script errors at the call that caused them, so a notebook's error points at
// the statement with the caret. Every builtin uses this one conversion, and `rethrowing` is the one
// place that lets a script error (already located) pass through unchanged.

import Datasets
import Script
import Tensors

/// A library error as a script error at the call. A data file's error keeps its own
/// "file:line: error:" form, so the file it names reads like a compiler's; any other message loses
/// a leading "error: " (the script error adds its own).
func scriptError(_ error: Error, _ args: Arguments) -> ScriptError {
    if let e = error as? DataError { return args.error(e.file.isEmpty ? e.message : "\(e)") }
    return args.error(error.localizedDescriptionWithoutPrefix)
}

extension Arguments {
    /// The value of `body`; a script error it throws passes through, any other error becomes a
    /// script error at this call (`scriptError`).
    func rethrowing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ScriptError { throw e } catch { throw scriptError(error, self) }
    }
}

/// The seed a model builder uses: its `seed:` argument, else the session's (`seed(n)`).
func modelSeed(_ args: Arguments, _ interpreter: Interpreter) throws -> Seed {
    Seed(args.has("seed") ? UInt64(try args.int("seed", min: 0)) : interpreter.seed)
}

extension Error {
    /// The description without a leading "error: " (or the one after a file location), for
    /// messages that are wrapped in a script error, which adds its own.
    var localizedDescriptionWithoutPrefix: String {
        let text = "\(self)"
        if text.hasPrefix("error: ") { return String(text.dropFirst(7)) }
        if let marker = text.range(of: ": error: ") { return text.replacingCharacters(in: marker, with: ": ") }
        return text
    }
}
