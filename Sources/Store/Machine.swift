// Facts about this machine and process that a run records, and the liveness test that decides on the
// next open whether a `running` run's process is still there. Linux-first: /proc is the source.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Identity of the machine and process a run executes on.
public enum Machine {
    /// The CPU model name from /proc/cpuinfo, or "unknown" where that file has none.
    public static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// This host's name from gethostname(2); Foundation's hostName may block on a DNS lookup.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This process's id.
    public static func processID() -> Int32 { getpid() }

    /// When a process started, in clock ticks since boot (field 22 of /proc/PID/stat), or nil off Linux.
    ///
    /// Recorded beside the pid so a later process that happens to get the same pid is not mistaken
    /// for the run's own.
    public static func processStartTicks(_ pid: Int32) -> Int64? {
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        return Int64(fields[19])
    }

    /// Whether a process with this pid (and, when given, this start time) is alive and not a zombie.
    public static func isAlive(pid: Int32, startTicks: Int64?) -> Bool {
        guard pid > 0 else { return false }
        // EPERM means the process exists but belongs to someone else: still alive.
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let fields = statFields(pid) else { return true }  // no /proc: trust kill(2)
        if fields.first == "Z" || fields.first == "X" { return false }
        if let startTicks, fields.count > 19, let actual = Int64(fields[19]), actual != startTicks { return false }
        return true
    }

    // The fields of /proc/PID/stat after the command name, starting at the state (field 3). The name
    // is cut at the last ")" because it may itself contain spaces and parentheses.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
