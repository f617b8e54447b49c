// A process-wide "stop at the next safe point" flag. The REPL's SIGINT handler sets it; long
// loops (training batches, evaluation blocks, script loops) poll it and stop cleanly, leaving
// every value usable. Setting it is async-signal-safe (one atomic store).

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
}
