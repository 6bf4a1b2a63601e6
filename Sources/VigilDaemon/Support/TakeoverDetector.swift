/// Tells a session takeover from an ordinary lost connection by its rate.
///
/// With MQTT 3.1.1, which Vigil speaks, a broker that hands a client id to another client just
/// closes the older connection; it gives no reason (libmosquitto reports the reason code 0x8E
/// "session taken over" only with MQTT v5). A broker restart or a network fault also closes it,
/// once. A device that connects with Vigil's client id closes it again each time Vigil reconnects,
/// so `threshold` losses within `window` are taken for a takeover.
///
/// A value fed with a client's running count of lost connections; times in milliseconds of the
/// monotonic clock.
public struct TakeoverDetector: Sendable {
    /// Losses within `window` that count as a takeover.
    public let threshold: Int
    /// The window, in milliseconds.
    public let window: Int64
    private var lastCount = 0
    private var losses: [Int64] = []

    /// Creates a detector: by default three losses within a minute.
    public init(threshold: Int = 3, window: Duration = .seconds(60)) {
        self.threshold = threshold
        self.window = window.components.seconds * 1000
    }

    /// Takes the client's count of lost connections at `now`; returns the losses per minute when
    /// they make a takeover, else nil.
    public mutating func observe(losses count: Int, at now: Int64) -> Double? {
        for _ in 0..<max(0, min(count - lastCount, 1000)) { losses.append(now) }
        lastCount = max(lastCount, count)
        losses.removeAll { now - $0 > window }
        guard losses.count >= threshold else { return nil }
        return Double(losses.count) * 60_000 / Double(window)
    }
}
