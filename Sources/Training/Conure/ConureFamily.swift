// The Conure family's descriptor. Conure is a learner over several tasks, not one model under one
// trainer: each phase of each task trains with a fresh trainer that is gone once the task is
// learned. It is saved as a whole learner (ConureCheckpoint.swift), which restores every task.

/// Conure (Yuan et al., SIGIR 2021: tasks learned one after another in one network by pruning and freezing weights).
public enum ConureFamily: ModelFamily {
    public static let kind = "conure"
}
