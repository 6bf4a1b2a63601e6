/// One configured source of readings: a topic pattern, how to name the asset and signal, how to
/// decode the payload, and the signal's plausible range.
public struct SignalRoute: Hashable, Sendable {
    /// The topic pattern, possibly with captures.
    public var pattern: TopicPattern
    /// The asset name, possibly with captures (`{asset}`, `line1-{asset}`).
    public var asset: String
    /// The signal name, possibly with captures; nil for SenML, where records name the signal.
    public var signal: String?
    /// The payload format.
    public var format: PayloadFormat
    /// Values outside this range are rejected as `outOfRange`.
    public var range: ClosedRange<Double>?
    /// The asset profile (config entry) the readings belong to.
    public var profile: Int
    /// How far past its arrival a reading's time stamp may lie for this route; nil: the decoder's limit.
    public var maxFutureSkew: Duration?

    /// Creates a route.
    public init(
        pattern: TopicPattern,
        asset: String,
        signal: String?,
        format: PayloadFormat,
        range: ClosedRange<Double>? = nil,
        profile: Int = 0,
        maxFutureSkew: Duration? = nil
    ) {
        self.pattern = pattern
        self.asset = asset
        self.signal = signal
        self.format = format
        self.range = range
        self.profile = profile
        self.maxFutureSkew = maxFutureSkew
    }
}
