/// An estimate of remaining useful life, in steps, with its interval.
public struct RULEstimate: Sendable, Hashable {
    /// The estimate (at most the model's cap: "at least this long" when it is at the cap).
    public var value: Double
    /// Lower bound of the interval (at least 0).
    public var lower: Double
    /// Upper bound of the interval; nil when unbounded (near the cap).
    public var upper: Double?

    /// Creates an estimate.
    public init(value: Double, lower: Double, upper: Double?) {
        self.value = value
        self.lower = lower
        self.upper = upper
    }
}
