/// When an asset's score opens, escalates and closes an alarm.
public struct AlarmPolicy: Hashable, Sendable {
    /// Score at or above which a tick counts as over the threshold.
    public var threshold: Double
    /// Consecutive ticks over the threshold needed to raise.
    public var minDuration: Int
    /// Score below which a tick counts towards clearing (hysteresis: at most `threshold`).
    public var clearBelow: Double
    /// Consecutive ticks below `clearBelow` needed to clear.
    public var clearAfter: Int
    /// After a clear, no new alarm is raised on the asset for this long (event time).
    public var cooldown: Duration
    /// Score at or above which the alarm is critical rather than a warning.
    public var criticalAbove: Double

    /// Creates a policy.
    public init(
        threshold: Double = 0.99,
        minDuration: Int = 3,
        clearBelow: Double = 0.9,
        clearAfter: Int = 3,
        cooldown: Duration = .seconds(600),
        criticalAbove: Double = 0.9999
    ) {
        precondition(clearBelow <= threshold && minDuration >= 1 && clearAfter >= 1)
        self.threshold = threshold
        self.minDuration = minDuration
        self.clearBelow = clearBelow
        self.clearAfter = clearAfter
        self.cooldown = cooldown
        self.criticalAbove = criticalAbove
    }
}
