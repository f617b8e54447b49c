// The language's side of a model family: each family's descriptor (Training's `ModelFamily`) is
// extended here with the builtins that build its models, so the catalogue's list of families is
// also the list the language registers, and a new family needs no line in this module.

import Script
import Training

/// A model family that the language can build: it adds its own builtins (constructor, members).
protocol LanguageModelFamily: ModelFamily {
    /// Adds the family's builtins to `registry`.
    static func register(in registry: Registry)
}

extension Registry {
    /// The builtins of every family in the catalogue, in its order.
    func registerModelFamilies() {
        for family in ModelCatalog.families {
            guard let family = family as? any LanguageModelFamily.Type else {
                preconditionFailure("model family '\(family.kind)' has no builtins: extend it with LanguageModelFamily")
            }
            family.register(in: self)
        }
    }
}

extension Arguments {
    /// Integer `name`, checked against a family's bound.
    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        try int(name, min: range.lowerBound, max: range.upperBound)
    }

    /// The model's name: the `name:` argument, else `defaultName`; never empty.
    func modelName(default defaultName: String) throws -> String {
        let name = has("name") ? try string("name") : defaultName
        guard !name.isEmpty else { throw error("name", "the name must not be empty") }
        return name
    }
}
