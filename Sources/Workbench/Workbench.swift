// The full language: core builtins plus those of the library modules.

import Script

/// Assembles the language's registry from every module.
public enum Workbench {
    /// The registry with every builtin and method SeqLab has.
    public static func registry() -> Registry {
        let r = Registry.standard()
        r.registerData()
        r.registerRuns()
        r.registerModels()
        r.registerModelFamilies()
        r.registerAttention()
        r.registerFit()
        r.registerCheckpoints()
        r.registerInspection()
        r.registerTasks()
        r.registerPlots()
        r.registerComparisons()
        r.registerTables()
        r.registerResultMembers()
        r.registerText()
        r.registerMemory()
        return r
    }
}
