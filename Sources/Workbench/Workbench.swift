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
        r.registerImports()
        r.registerInspection()
        r.registerTasks()
        r.registerPlots()
        r.registerComparisons()
        r.registerTables()
        r.registerResultMembers()
        r.registerText()
        r.registerMemory()
        r.describeTopic("naming", namingRule)
        // Values that print as text blocks; help(Type) and help(value) reach them too.
        r.describeType("Summary", "a model's architecture and parameter counts, as text")
        r.describeType("Attention", "attention heatmaps of one sequence, as text (file: writes the SVG)")
        r.describeType("Learned", "what a Conure task learned and kept, as text")
        r.describeType("Table", "a Conure forgetting table: each task's metric after each later task")
        r.describeType("Neighbours", "the texts closest to one text under a text encoder")
        return r
    }
}
