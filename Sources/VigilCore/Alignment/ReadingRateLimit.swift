/// How many readings one signal may take per second of event time: a budget that holds one
/// second's worth and refills continuously, counted in exact integer arithmetic.
///
/// Event time, not arrival time, so that the backlog a broker delivers at full speed after an
/// outage (readings with their own, spread-out time stamps) is taken in full, while a device that
/// floods one signal, stamped on arrival or with time stamps crowded together, is held to the rate.
///
/// ```swift
/// var limit = ReadingRateLimit(perSecond: 10)
/// limit.take(at: 0)  // true, ten times in a row; then false until 100 ms later
/// ```
public struct ReadingRateLimit: Sendable, Hashable {
    /// Readings allowed per second of event time; 0 means no limit.
    public let perSecond: Int
    /// What is left, in thousandths of a reading.
    private var level: Int64
    /// Event time (ms) the level was last brought up to.
    private var time: Int64?

    /// Creates a full budget.
    public init(perSecond: Int) {
        precondition(perSecond >= 0)
        self.perSecond = perSecond
        level = Int64(perSecond) * 1000
    }

    /// Takes one reading at event time `milliseconds` if the budget allows it; a refused reading
    /// leaves the budget as it was.
    public mutating func take(at milliseconds: Int64) -> Bool {
        guard perSecond > 0 else { return true }
        let capacity = Int64(perSecond) * 1000
        var level = self.level
        if let time {
            // A second refills the whole budget, so longer gaps need not be multiplied out.
            let (difference, overflow) = milliseconds.subtractingReportingOverflow(time)
            let elapsed = overflow ? (milliseconds > time ? 1000 : 0) : min(max(difference, 0), 1000)
            level = min(capacity, level + elapsed * Int64(perSecond))
        }
        guard level >= 1000 else { return false }
        self.level = level - 1000
        time = max(time ?? milliseconds, milliseconds)
        return true
    }
}
