// A process-wide "stop at the next safe point" flag. The REPL's SIGINT handler sets it; long
// loops (training batches, evaluation blocks, text encoding batches, k-means and OPQ iterations,
// script loops) poll it and stop cleanly, leaving every value usable. Setting it is
// async-signal-safe (one atomic store).

import Synchronization

/// The interrupt flag polled by long-running work.
public enum Cancellation {
    private static let flag = Atomic<Bool>(false)

    /// True once an interrupt was requested and not yet cleared.
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Requests an interrupt (safe to call from a signal handler).
    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Clears the request (the REPL does this before each statement).
    public static func clear() { flag.store(false, ordering: .relaxed) }

    /// Throws `Interrupted` naming `operation` when an interrupt was requested; long loops call
    /// this once per batch or iteration, at a point where nothing is half updated.
    public static func check(_ operation: String) throws(Interrupted) {
        if isRequested { throw Interrupted(operation) }
    }
}

/// Work stopped by Ctrl-C at a safe point: nothing it was computing was kept.
public struct Interrupted: Error, CustomStringConvertible, Equatable, Sendable {
    /// What stopped ("text encoding", "k-means", ...).
    public let operation: String

    /// An interruption of `operation`.
    public init(_ operation: String) { self.operation = operation }

    /// The message shown at the prompt.
    public var description: String { "interrupted: \(operation) stopped by Ctrl-C; nothing was changed" }
}
