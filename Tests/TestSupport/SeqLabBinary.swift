// Where the `seqlab` executable is, for tests that drive it as a user would.

import Foundation

/// The seqlab binary built next to the test bundle (`make test` builds it first), or nil.
public var seqlabBinary: String? {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if url.lastPathComponent.hasSuffix(".xctest") { url = url.deletingLastPathComponent() }
    for candidate in [url, url.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("seqlab").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// Starts `seqlab run script --store store` with standard output to a pipe (read it after the
/// process ends) or, without `captureOutput`, discarded like standard error; throws when the
/// binary is not built.
public func startSeqlabRun(script: String, store: String, captureOutput: Bool = true) throws -> (process: Process, output: Pipe) {
    guard let binary = seqlabBinary else { throw SeqlabBinaryMissing() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["run", script, "--store", store]
    let output = Pipe()
    process.standardOutput = captureOutput ? output : FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return (process, output)
}

/// The seqlab binary is not next to the tests (tests that need it skip on `seqlabBinary == nil` first).
public struct SeqlabBinaryMissing: Error, CustomStringConvertible {
    public var description: String { "seqlab binary not built next to the tests; run `make test`" }
}
