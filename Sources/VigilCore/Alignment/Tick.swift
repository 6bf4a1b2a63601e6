/// One asset's signals aligned on one grid point: the input of a detector.
public struct Tick: Hashable, Sendable {
    /// The asset.
    public var asset: String
    /// Start of the tick's interval in event time.
    public var time: Timestamp
    /// Signal names, in the order the asset first saw them.
    public var signals: [String]
    /// One value per signal, the last one seen at or before the tick (held across short gaps).
    public var values: [Double]

    /// Creates a tick.
    public init(asset: String, time: Timestamp, signals: [String], values: [Double]) {
        self.asset = asset
        self.time = time
        self.signals = signals
        self.values = values
    }
}
