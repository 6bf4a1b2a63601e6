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

    /// The most connection attempts a backoff from `initial` to `maximum` can make in `window`,
    /// the first included: the fastest schedule starts over at the window's start and draws every
    /// delay at the bottom of its range. A bound for tests and operators ("no reconnect storm").
    public static func mostAttempts(in window: Duration, initial: Duration, maximum: Duration) -> Int {
        var backoff = ReconnectBackoff(initial: initial, maximum: maximum)
        var elapsed = Duration.zero
        var attempts = 1
        while true {
            let exponent = min(backoff.attempt, 30)
            backoff.attempt += 1
            let shortest = min(backoff.maximum, backoff.initial * (1 << exponent)) / 2
            guard elapsed + shortest <= window, shortest > .zero else { return attempts }
            elapsed += shortest
            attempts += 1
        }
    }

    /// Starts over after a successful connection.
    public mutating func reset() {
        attempt = 0
    }
}
