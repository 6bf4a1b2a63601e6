/// What the retained state topic says of an asset.
public enum AssetState: String, Sendable, Codable, CaseIterable {
    /// The detector is still collecting warm-up data; no alarm can be raised yet.
    case learning
    /// Scored, and no alarm is open.
    case normal
    /// An alarm is open.
    case alarm
}
