// The VQ-Rec family's descriptor. Its checkpoints cannot be restored yet: its checkpoint does not hold the quantiser and the item codes.

/// VQ-Rec (Hou et al., WWW 2023: items as discrete codes of their text).
public enum VQRecFamily: UnrestorableModelFamily {
    public static let kind = "vqrec"
}
