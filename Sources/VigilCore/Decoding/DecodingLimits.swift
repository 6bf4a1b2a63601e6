/// Bounds every payload must respect before it can become a reading.
public struct DecodingLimits: Hashable, Sendable {
    /// Largest payload accepted, in bytes; checked before any parsing.
    public var maxPayloadBytes: Int
    /// How far past its arrival time a payload's time stamp may lie (clock skew allowance). A
    /// reading ahead of its arrival moves its asset's clock ahead, and the genuine readings behind it
    /// become `late` until arrival catches up, so this also bounds what a forged time stamp costs.
    public var maxFutureSkew: Duration
    /// Earliest plausible time stamp; anything before is a bad time stamp (default 2000-01-01).
    public var earliest: Timestamp

    /// Creates limits; the defaults suit a plant network.
    public init(
        maxPayloadBytes: Int = 65_536,
        maxFutureSkew: Duration = DecodingLimits.defaultMaxFutureSkew,
        earliest: Timestamp = Timestamp(milliseconds: 946_684_800_000)
    ) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxFutureSkew = maxFutureSkew
        self.earliest = earliest
    }

    /// The default `maxFutureSkew`: 10 s, more than a clock kept by NTP is ever off, and little for a
    /// forged time stamp to take (`limits.max_clock_skew`).
    public static let defaultMaxFutureSkew = Duration.seconds(10)
}
