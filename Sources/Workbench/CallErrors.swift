// Library errors become script errors at the call that caused them, so a notebook's error points at
// the statement with the caret. Every builtin uses this one conversion, and `rethrowing` is the one
// place that lets a script error (already located) pass through unchanged.

import Datasets
import Script
import Tensors

/// A library error as a script error at the call. A data file's error keeps its "file:line:" form
/// (without a second "error:", which the script error adds) and points at the argument that named
/// the file when there is one; any other message loses a leading "error: ".
func scriptError(_ error: Error, _ args: Arguments) -> ScriptError {
    if let e = error as? DataError {
        guard !e.file.isEmpty else { return args.error(e.message) }
        let text = e.localizedDescriptionWithoutPrefix
        // The argument whose string is the file (or the directory holding it) gets the caret.
        for p in args.spec.parameters {
            if case .string(let s) = args.value(p.name), !s.isEmpty, e.file == s || e.file.hasPrefix(s.hasSuffix("/") ? s : s + "/") {
                return args.error(p.name, text)
            }
        }
        return args.error(text)
    }
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
