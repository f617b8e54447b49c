// The entry point every fuzz target shares.
//
// In a fuzz build (`make fuzz`: -sanitize=fuzzer -DSEQLAB_LIBFUZZER) it hands control to libFuzzer's
// driver, which takes libFuzzer's usual flags (-runs=, -max_len=, corpus directories). In a plain
// build there is no libFuzzer, so the same executable replays the files and directories it is given,
// once each: the committed corpus stays runnable without a fuzzing toolchain. The target's own main
// (not libFuzzer's) is the entry point either way, because SwiftPM links executables with
// `--defsym main=<module>_main`, which overrides the `main` libFuzzer's archive brings.

import Foundation
#if SEQLAB_LIBFUZZER
import CLibFuzzer
#endif

/// Runs one fuzz target: under libFuzzer, or as a replayer of inputs named on the command line.
public enum FuzzDriver {
    /// The target's body; a C callback cannot capture it, so it lives here for the process's life.
    nonisolated(unsafe) private static var body: ((UnsafeRawBufferPointer) -> Void)?

    /// Runs `body` on every input and exits. `body` must return normally on any input: a crash,
    /// a trap or a hang is what the fuzzer reports.
    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        Self.body = body
        #if SEQLAB_LIBFUZZER
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.body!(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
        #else
        exit(replay(Array(CommandLine.arguments.dropFirst())))
        #endif
    }

    /// Runs the body once on each file, and on each file inside each directory (sorted); returns the
    /// exit status.
    static func replay(_ paths: [String]) -> Int32 {
        let name = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "fuzz target"
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("""
                usage: \(name) FILE_OR_DIRECTORY...
                  replays each input once (this build has no libFuzzer; build with `make fuzz` to fuzz)

                """.utf8))
            return 64
        }
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("\(path): error: no such file or directory\n".utf8))
                return 66
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                data.withUnsafeBytes { body!($0) }
                count += 1
            }
        }
        print("\(name): replayed \(count) inputs without a crash")
        return 0
    }
}
