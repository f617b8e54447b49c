// `memoryLimit(...)`: the bound on what one operation may allocate at once (see
// Tensors/Support/MemoryLimit.swift). Evaluation scores in blocks under it; operations that
// cannot be split refuse with a message naming what they would need.

import Script
import Support
import Tensors

extension Registry {
    func registerMemory() {
        register(BuiltinSpec("memoryLimit", topic: "runs", parameters: [
            Parameter("size", .oneOf([.string, .integer]), positional: true, default: Value.none,
                      help: "the new bound: \"2GiB\", \"512MB\" or a number of bytes; without it, shows the bound"),
        ], help: "The most memory one operation may allocate at once (default 2 GiB, or SEQLAB_MEMORY_LIMIT).") { args, _ in
            if args.has("size") {
                let bytes: Int
                switch args.value("size") {
                case .string(let text):
                    do { bytes = try MemoryLimit.parse(text) } catch { throw args.error("size", "\(error)") }
                default:
                    bytes = try args.int("size", min: 1)
                }
                MemoryLimit.bytes = bytes
            }
            return .string(MemoryLimit.describe(MemoryLimit.bytes))
        })
    }
}
