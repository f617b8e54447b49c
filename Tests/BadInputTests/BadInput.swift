// One bad input of the corpus: what is fed to a session, and the one error it must give.
//
// A case names its category (so the corpus can be counted), the files it writes, the statements that
// set the session up, the bad statement, and the error text. The text is matched against
// `line:column: message` with `$DIR` standing for the case's scratch directory, so every expectation
// says where (the statement's position, and the file and line for data) as well as what.

import Foundation
import Store

/// What a case does to trigger its error.
enum Trigger: Sendable {
    /// Runs this source in the session after the setup.
    case script(String)
    /// Opens the run store at this path (relative to the case directory) before any statement.
    case openStore(String)
}

/// Everything a case's `prepare` step may touch before the session starts.
struct CaseContext: Sendable {
    /// The case's scratch directory (`$DIR` in scripts and expectations).
    let directory: String
    /// The path of the case's run store (`$DIR/runs.sqlite`).
    var storePath: String { directory + "/runs.sqlite" }
}

/// One entry of the bad-input table.
struct BadInput: Sendable {
    /// What kind of input is bad ("data/recbole", "syntax", ...); the first path component groups.
    let category: String
    /// A short name, unique within the category.
    let name: String
    /// Files written into the case directory before anything runs: relative path and bytes.
    var files: [(String, [UInt8])] = []
    /// Statements that must succeed before the bad input (a value `keep = 41` is always defined first).
    var setup: String = ""
    /// The bad input.
    let trigger: Trigger
    /// Text the one error must contain, as `line:column: message` (`$DIR` for the case directory);
    /// for store cases, the store's error message.
    let expected: String
    /// A statement run after the error in the same session, and the output it must show.
    var after: String = "keep + 1"
    /// What `after` must print.
    var afterOutput: [String] = ["42"]
    /// Environment variables set while the case runs (restored afterwards).
    var environment: [String: String] = [:]
    /// Work done on the case directory or store before the session opens (corrupt artifacts, rows).
    var prepare: (@Sendable (CaseContext) throws -> Void)?

    /// A case whose bad input is a script.
    init(_ category: String, _ name: String, files: [(String, [UInt8])] = [], setup: String = "", _ input: String,
         expect expected: String, after: String = "keep + 1", afterOutput: [String] = ["42"],
         environment: [String: String] = [:], prepare: (@Sendable (CaseContext) throws -> Void)? = nil) {
        self.category = category
        self.name = name
        self.files = files
        self.setup = setup
        self.trigger = .script(input)
        self.expected = expected
        self.after = after
        self.afterOutput = afterOutput
        self.environment = environment
        self.prepare = prepare
    }

    /// A case whose bad input is the run store file at `store` (relative to the case directory).
    init(store category: String, _ name: String, files: [(String, [UInt8])] = [], store: String,
         expect expected: String, prepare: (@Sendable (CaseContext) throws -> Void)? = nil) {
        self.category = category
        self.name = name
        self.files = files
        self.trigger = .openStore(store)
        self.expected = expected
        self.prepare = prepare
    }
}

/// The bytes of a text.
func text(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A session that has a small synthetic world and a split of it (the setup most model cases share).
let toySetup = """
w = synthetic("toy", seed: 1);
s = w.split(maxLength: 20);

"""

/// The toy setup plus a small NextItNet `m` (not trained).
let toyModelSetup = toySetup + "m = nextitnet(s, channels: 8, dilations: [1, 2], seed: 3);\n"
