// Errors from reading and preparing data.
//
// A bad file gets exactly one error, and it is a value: which file, which line, what was expected
// there and what to do about it. Nothing in this module traps on input-derived data.

/// A problem with a data file or a data operation: where it happened and what was expected.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the caller named it (empty when the problem is not tied to a file).
    public let file: String
    /// The 1-based line, when the problem is on a line.
    public let line: Int?
    /// What was expected, what was found, and what to do.
    public let message: String

    /// An error at `line` of `file`.
    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// An error about arguments or data already in memory, not about a file.
    public static func invalid(_ message: String) -> DataError {
        DataError(file: "", line: nil, message)
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
