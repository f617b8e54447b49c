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
