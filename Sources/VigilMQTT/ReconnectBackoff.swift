/// Capped exponential backoff with jitter, so a fleet of gateways does not reconnect in step.
///
/// The n-th delay is drawn uniformly from [½·d, d] where d = min(max, initial · 2ⁿ).
public struct ReconnectBackoff: Sendable {
    /// First delay.
    public let initial: Duration
    /// Longest delay.
    public let maximum: Duration
    private var attempt = 0

    /// Creates a backoff.
    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The next delay, using `random` for the jitter.
    public mutating func nextDelay(using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(attempt, 30)
        attempt += 1
        let ceiling = min(maximum, initial * (1 << exponent))
        let fraction = Double.random(in: 0.5...1.0, using: &random)
        return ceiling * fraction
    }

    /// Starts over after a successful connection.
    public mutating func reset() {
        attempt = 0
    }
}
