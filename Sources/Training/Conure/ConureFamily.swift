// The Conure family's descriptor. Its checkpoints cannot be restored yet: its checkpoint does not hold every task's masks and frozen sets.

/// Conure (Yuan et al., SIGIR 2021: tasks learned one after another in one network by pruning and freezing weights).
public enum ConureFamily: UnrestorableModelFamily {
    public static let kind = "conure"
}
