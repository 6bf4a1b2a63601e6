/// A budget of `capacity` takes that refills continuously, completely in `period`: the rate limit
/// of commands, dead letters, new assets and QoS 0 messages. Times are milliseconds of a clock
/// that never goes back (the monotonic clock, or arrival times); integer arithmetic throughout.
///
/// ```swift
/// var bucket = TokenBucket(capacity: 10, period: .seconds(60))
/// bucket.take(at: 0)  // true ten times, then false until 6 s later
/// ```
public struct TokenBucket: Sendable, Hashable {
    /// Takes the full budget allows.
    public let capacity: Int
    /// How long an empty budget takes to refill completely, in milliseconds.
    public let periodMilliseconds: Int64
    /// What is left, in units of 1/`periodMilliseconds` of a take (exact: a millisecond refills
    /// `capacity` units).
    private var level: Int64
    private var time: Int64?

    /// Creates a full budget; `capacity` 0 allows nothing.
    public init(capacity: Int, period: Duration) {
        precondition(capacity >= 0 && period > .zero)
        self.capacity = capacity
        periodMilliseconds = max(
            1,
            period.components.seconds * 1000 + period.components.attoseconds / 1_000_000_000_000_000
        )
        level = Int64(capacity) * periodMilliseconds
    }

    /// Takes one if the budget allows it at `milliseconds`; a refused take changes nothing.
    public mutating func take(at milliseconds: Int64) -> Bool {
        refill(to: milliseconds)
        guard level >= periodMilliseconds else { return false }
        level -= periodMilliseconds
        return true
    }

    /// Whether the budget is full at `milliseconds` (a full budget is the same as a fresh one).
    public mutating func isFull(at milliseconds: Int64) -> Bool {
        refill(to: milliseconds)
        return level == Int64(capacity) * periodMilliseconds
    }

    private mutating func refill(to milliseconds: Int64) {
        let full = Int64(capacity) * periodMilliseconds
        if let time {
            // A whole period refills everything, so longer gaps need not be multiplied out.
            let elapsed = min(max(milliseconds &- time, 0), periodMilliseconds)
            level = min(full, level + elapsed * Int64(capacity))
        }
        time = max(time ?? milliseconds, milliseconds)
    }
}
