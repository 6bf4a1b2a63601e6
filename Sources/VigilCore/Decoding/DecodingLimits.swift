/// Bounds every payload must respect before it can become a reading.
public struct DecodingLimits: Hashable, Sendable {
    /// Largest payload accepted, in bytes; checked before any parsing.
    public var maxPayloadBytes: Int
    /// How far past its arrival time a payload's time stamp may lie (clock skew allowance).
    public var maxFutureSkew: Duration
    /// Earliest plausible time stamp; anything before is a bad time stamp (default 2000-01-01).
    public var earliest: Timestamp

    /// Creates limits; the defaults suit a plant network.
    public init(
        maxPayloadBytes: Int = 65_536,
        maxFutureSkew: Duration = .seconds(300),
        earliest: Timestamp = Timestamp(milliseconds: 946_684_800_000)
    ) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxFutureSkew = maxFutureSkew
        self.earliest = earliest
    }
}
