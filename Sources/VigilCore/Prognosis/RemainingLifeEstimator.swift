/// A learned remaining-useful-life model as the pipeline sees it: it reads the last steps of an
/// asset's signals (and how far into its life the asset is, and how its life began) and estimates
/// how many steps remain, with an interval. `VigilPrognosis` provides the ensemble Vigil trains;
/// tests provide simple stand-ins.
public protocol RemainingLifeEstimator: Sendable {
    /// The signals each step must give, in order.
    var columns: [String] { get }
    /// Steps the model reads (fewer are padded by the model).
    var window: Int { get }
    /// Steps at the start of a life the model takes as the asset's healthy baseline (0: none).
    var baselineSteps: Int { get }
    /// What identifies the model (its file's digest), for logs and equality.
    var identity: String { get }
    /// The estimate, in steps, from the most recent steps (oldest first, each in `columns`
    /// order), the last of which is `lastAge` steps after the start of the asset's life, and the
    /// first steps of that life (up to `baselineSteps`).
    func estimate(recent: [[Double]], lastAge: Int, first: [[Double]]) -> RemainingLife
}

/// A remaining life in steps with its interval.
public struct RemainingLife: Hashable, Sendable {
    /// The estimate.
    public var value: Double
    /// Lower bound of the interval.
    public var lower: Double
    /// Upper bound; nil when unbounded.
    public var upper: Double?

    /// Creates one.
    public init(value: Double, lower: Double, upper: Double?) {
        self.value = value
        self.lower = lower
        self.upper = upper
    }
}
