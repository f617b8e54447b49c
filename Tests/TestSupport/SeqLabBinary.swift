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

/// Runs seqlab with `arguments` (and `environment` over the test's own) to the end; its exit status,
/// standard output and standard error. Skips, with the reason printed, when the binary is not built.
public func runSeqlab(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
    guard let binary = seqlabBinary else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The seqlab binary is not next to the tests (tests that need it skip on `seqlabBinary == nil` first).
public struct SeqlabBinaryMissing: Error, CustomStringConvertible {
    public var description: String { "seqlab binary not built next to the tests; run `make test`" }
}
