// Errors from reading model files and encoding text.
//
// Like the rest of SeqLab, a bad model file gets one error value: which file, which line when the
// problem is on a line, what was expected and what to do. Nothing here traps on file contents.

/// A problem with a model file or an encoding request: where it happened and what to do.
public struct TextError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the caller named it (empty when the problem is not tied to a file).
    public let file: String
    /// The 1-based line, when the problem is on a line.
    public let line: Int?
    /// What was expected, what was found, and what to do.
    public let message: String

    /// An error at `line` of `file`.
    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// An error about arguments or data already in memory, not about a file.
    public static func invalid(_ message: String) -> TextError {
        TextError(file: "", message)
    }

    /// `file:line: error: message`, the form compilers use, so editors can jump to it.
    public var description: String {
        switch (file.isEmpty, line) {
        case (true, _): return "error: \(message)"
        case (false, nil): return "\(file): error: \(message)"
        case (false, let line?): return "\(file):\(line): error: \(message)"
        }
    }
}
