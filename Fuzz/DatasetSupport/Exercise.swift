// What the dataset fuzz targets do with a dataset a reader accepted: the first steps every session
// takes (summary, fingerprint, deduplication, k-core, leave-one-out), so data that loads but breaks
// an invariant downstream is found too.

import Datasets

/// Follow-up work on a dataset a fuzz target managed to read.
public enum DatasetExercise {
    /// Runs the usual first preprocessing steps on `dataset`; errors are fine, traps are not.
    public static func run(_ dataset: Dataset) {
        _ = dataset.description
        _ = dataset.fingerprint
        _ = dataset.itemFrequencies()
        let deduplicated = dataset.deduplicated()
        let core = deduplicated.kCore(userCore: 2, itemCore: 2)
        _ = try? core.leaveOneOut(maxLength: 4)
        _ = try? dataset.temporalSplit(maxLength: 4)
        _ = dataset.truncated(toLast: 3).filtered(minLength: 2)
    }
}
