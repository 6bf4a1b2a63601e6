/// What an asset entry predicts: a remaining useful life from a learned model, the time until
/// signals reach their limits, or both; and when that raises `fault_predicted`.
public struct PrognosisPlan: Hashable, Sendable {
    /// A remaining-useful-life model and the duration of one of its steps.
    public var remainingLife: RemainingLifeModel?
    /// Signal limits whose crossing is predicted from the trend.
    public var limits: [SignalLimit]
    /// `fault_predicted` is raised when a failure (or a crossing) may come within this long: when
    /// the interval's lower bound is inside it; the alarm is critical when the estimate itself is.
    public var horizon: Duration
    /// Values each limit's trend is fitted to (one per tick).
    public var trendWindow: Int
    /// Whether the trend is fitted to the detector's forecast (true) or to the readings.
    public var trendOfForecast: Bool
    /// How predictions raise, escalate and clear the alarm (score: the probability that the
    /// failure comes within the horizon).
    public var alarm: AlarmPolicy

    /// Creates a plan.
    public init(
        remainingLife: RemainingLifeModel? = nil,
        limits: [SignalLimit] = [],
        horizon: Duration,
        trendWindow: Int = 600,
        trendOfForecast: Bool = false,
        alarm: AlarmPolicy = PrognosisPlan.alarmPolicy(minDuration: 3, clearAfter: 3)
    ) {
        self.remainingLife = remainingLife
        self.limits = limits
        self.horizon = horizon
        self.trendWindow = trendWindow
        self.trendOfForecast = trendOfForecast
        self.alarm = alarm
    }

    /// The alarm policy of predictions: raised when the probability of a failure within the
    /// horizon reaches 0.05 (the interval's lower bound is inside it), critical from 0.5 (the
    /// estimate is), cleared when it falls back under 0.05.
    public static func alarmPolicy(minDuration: Int, clearAfter: Int) -> AlarmPolicy {
        AlarmPolicy(
            threshold: 0.05,
            minDuration: minDuration,
            clearBelow: 0.05,
            clearAfter: clearAfter,
            cooldown: .zero,
            criticalAbove: 0.5
        )
    }
}

/// A remaining-useful-life model of an asset entry.
public struct RemainingLifeModel: Hashable, Sendable {
    /// The model.
    public var estimator: any RemainingLifeEstimator
    /// How long one of its steps is: the asset's ticks within one step are averaged into one.
    public var step: Duration

    /// Creates one.
    public init(estimator: any RemainingLifeEstimator, step: Duration) {
        self.estimator = estimator
        self.step = step
    }

    public static func == (lhs: RemainingLifeModel, rhs: RemainingLifeModel) -> Bool {
        lhs.estimator.identity == rhs.estimator.identity && lhs.step == rhs.step
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(estimator.identity)
        hasher.combine(step)
    }
}

/// A limit on one signal.
public struct SignalLimit: Hashable, Sendable {
    /// The signal.
    public var signal: String
    /// The limit.
    public var value: Double
    /// Its side.
    public var bound: Prediction.Bound

    /// Creates a limit.
    public init(signal: String, value: Double, bound: Prediction.Bound) {
        self.signal = signal
        self.value = value
        self.bound = bound
    }
}
