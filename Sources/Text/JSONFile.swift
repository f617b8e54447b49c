// Reading the small JSON configuration files of a model, with errors that name the file and key.

import Foundation

/// One JSON object read from a file, with typed accessors that fail with the file and key named.
struct JSONFile {
    let path: String
    let object: [String: Any]

    /// Reads `path`, which must hold a JSON object; `hint` says how to get the file when missing.
    init(_ path: String, hint: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextError(file: path, "file not found; \(hint)")
        }
        guard let value = try? JSONSerialization.jsonObject(with: data), let object = value as? [String: Any] else {
            throw TextError(file: path, "not a JSON object; the file is damaged (\(hint))")
        }
        self.path = path
        self.object = object
    }

    /// The integer at `key` (a JSON number without fraction).
    func int(_ key: String) throws -> Int {
        guard let n = object[key] as? NSNumber, let v = Int(exactly: n.doubleValue) else {
            throw TextError(file: path, "'\(key)' must be an integer, found \(describe(object[key]))")
        }
        return v
    }

    /// The integer at `key`, or `fallback` when the key is absent.
    func int(_ key: String, default fallback: Int) throws -> Int {
        object[key] == nil || object[key] is NSNull ? fallback : try int(key)
    }

    /// The number at `key`.
    func double(_ key: String) throws -> Double {
        guard let n = object[key] as? NSNumber else {
            throw TextError(file: path, "'\(key)' must be a number, found \(describe(object[key]))")
        }
        return n.doubleValue
    }

    /// The number at `key`, or `fallback` when the key is absent.
    func double(_ key: String, default fallback: Double) throws -> Double {
        object[key] == nil || object[key] is NSNull ? fallback : try double(key)
    }

    /// The string at `key`, or `fallback` when the key is absent.
    func string(_ key: String, default fallback: String) throws -> String {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let s = value as? String else {
            throw TextError(file: path, "'\(key)' must be a string, found \(describe(value))")
        }
        return s
    }

    /// The boolean at `key`, or `fallback` when the key is absent or null.
    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let b = value as? Bool else {
            throw TextError(file: path, "'\(key)' must be true or false, found \(describe(value))")
        }
        return b
    }

    private func describe(_ value: Any?) -> String {
        guard let value else { return "nothing (the key is missing)" }
        return "\(value)"
    }
}
