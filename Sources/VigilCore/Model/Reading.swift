/// One decoded measurement: a value of one signal of one asset at an event time.
public struct Reading: Hashable, Sendable {
    /// The asset (machine) the value belongs to, e.g. `pump-1`.
    public var asset: String
    /// The signal of that asset, e.g. `pressure`.
    public var signal: String
    /// The measured value, always finite.
    public var value: Double
    /// When the value was measured (from the payload, or the arrival time when it has none).
    public var time: Timestamp
    /// Index of the asset profile (the config entry) that governs this asset.
    public var profile: Int
    /// Whether `time` is the payload's own time stamp; only then can a repeat be recognised as a
    /// redelivery (`duplicate`).
    public var stamped: Bool

    /// Creates a reading.
    public init(asset: String, signal: String, value: Double, time: Timestamp, profile: Int = 0, stamped: Bool = true) {
        self.asset = asset
        self.signal = signal
        self.value = value
        self.time = time
        self.profile = profile
        self.stamped = stamped
    }
}
