// The PeterRec family's descriptor. Its checkpoints cannot be restored yet: a transfer model's checkpoint does not hold its base network.

/// PeterRec (Yuan et al., SIGIR 2020: a pretrained NextItNet or GRec encoder moved to a new task through model patches, or one of the fine-tuning baselines).
public enum PeterRecFamily: UnrestorableModelFamily {
    public static let kind = "transfer"
}
