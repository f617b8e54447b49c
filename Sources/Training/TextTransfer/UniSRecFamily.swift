// The UniSRec family's descriptor. Its checkpoints cannot be restored yet: its checkpoint does not hold the item text encoding.

/// UniSRec (Hou et al., KDD 2022: item vectors from item text through a mixture-of-experts adaptor).
public enum UniSRecFamily: UnrestorableModelFamily {
    public static let kind = "unisrec"
}
