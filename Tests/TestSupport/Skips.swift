// How a test gives up when something it needs is not on the machine. Every skip prints one line
// "skipping: <why>" to standard output (XCTest's own skip notice is easy to miss and `make test`
// counts these lines), and what lives beside the repository in ../shared (the real data, the
// PyTorch goldens) is a failure, not a skip, where it must be there: CI sets
// SEQLAB_REQUIRE_SHARED=1, because there a missing ../shared means the goldens silently stopped
// running.

import Foundation
import XCTest

/// The package root: three levels above this file (Tests/TestSupport/Skips.swift).
public let packageRootDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Where the shared references are: ../shared beside the package root, or $SEQLAB_SHARED (which
/// also lets a check point it at a missing directory to see the tests skip or fail as they should).
public var sharedRootDirectory: String {
    if let root = ProcessInfo.processInfo.environment["SEQLAB_SHARED"], !root.isEmpty { return root }
    return URL(fileURLWithPath: packageRootDirectory).appendingPathComponent("../shared").standardized.path
}

/// True when the environment asks for ../shared to be present (SEQLAB_REQUIRE_SHARED=1, as in CI).
public var sharedIsRequired: Bool { ProcessInfo.processInfo.environment["SEQLAB_REQUIRE_SHARED"] == "1" }

/// A reference outside the repository was missing where SEQLAB_REQUIRE_SHARED=1 requires it.
public struct SharedReferenceMissing: Error, CustomStringConvertible {
    /// What was missing, and the file and line of the test that needed it.
    public let reason: String, file: String, line: UInt
    /// "file:line: error: <reason>", as the compiler and the notebook checker write positions.
    public var description: String {
        "\(file):\(line): error: \(reason) (SEQLAB_REQUIRE_SHARED=1 requires it; CI runs from a checkout beside shared/)"
    }
}

/// Ends the calling test as skipped, after printing "skipping: <why>".
public func skipTest(_ why: String) throws -> Never {
    print("skipping: \(why)")
    throw XCTSkip(why)
}

/// Ends the calling test because a reference from ../shared is missing: skipped with a printed
/// reason, or, with SEQLAB_REQUIRE_SHARED=1, failed at the caller's line.
public func skipOrRequireShared(_ why: String, file: StaticString = #filePath, line: UInt = #line) throws -> Never {
    if sharedIsRequired {
        let error = SharedReferenceMissing(reason: why, file: "\(file)", line: line)
        XCTFail("\(error)", file: file, line: line)
        throw error
    }
    try skipTest(why)
}

/// The path of `relative` inside ../shared (`sharedRootDirectory`) when it exists; otherwise skips
/// or, under SEQLAB_REQUIRE_SHARED=1, fails the calling test.
public func sharedPath(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let path = URL(fileURLWithPath: sharedRootDirectory).appendingPathComponent(relative).standardized.path
    guard FileManager.default.fileExists(atPath: path) else {
        try skipOrRequireShared("\(path) is absent (it lives outside the repository, in ../shared)", file: file, line: line)
    }
    return path
}
