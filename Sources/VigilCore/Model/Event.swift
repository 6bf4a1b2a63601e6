/// What kind of condition an alarm reports.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    /// The asset behaves unlike its learned normal.
    case anomaly
    /// A model predicts a fault within its horizon.
    case faultPredicted = "fault_predicted"
    /// A sensor itself looks broken (for example stuck at one value).
    case sensorFault = "sensor_fault"
}

/// The transition an event records.
public enum AlarmTransition: String, Sendable, Codable, CaseIterable {
    /// A new alarm opened.
    case raised
    /// An open alarm changed severity.
    case updated
    /// An open alarm closed.
    case cleared
}

/// How urgent an alarm is.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    /// Score above the alarm threshold.
    case warning
    /// Score above the critical threshold.
    case critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .critical }
}

/// How much one signal drove a score: the value seen, the value expected, and its own score.
public struct SignalContribution: Hashable, Sendable, Codable {
    /// Signal name.
    public var signal: String
    /// The value at the tick.
    public var value: Double
    /// What the detector expected.
    public var expected: Double
    /// This signal's score in [0, 1].
    public var score: Double

    /// Creates a contribution.
    public init(signal: String, value: Double, expected: Double, score: Double) {
        self.signal = signal
        self.value = value
        self.expected = expected
        self.score = score
    }
}

/// One alarm state change: the unit stored in history and published as an alert.
public struct Event: Hashable, Sendable {
    /// Stable id shared by the raised, updated and cleared events of one alarm.
    public var alarmID: String
    /// The asset.
    public var asset: String
    /// What the alarm reports.
    public var kind: EventKind
    /// The transition.
    public var transition: AlarmTransition
    /// Severity at this transition.
    public var severity: Severity
    /// The score at the tick of the transition.
    public var score: Double
    /// The highest score the alarm has reached so far.
    public var peakScore: Double
    /// Event time of the transition.
    public var time: Timestamp
    /// First tick of the alarm's window (the first tick over the threshold).
    public var windowStart: Timestamp
    /// Last tick of the window so far.
    public var windowEnd: Timestamp
    /// Signals, the strongest contributor first.
    public var contributions: [SignalContribution]
    /// The detector that scored the asset.
    public var detector: String
    /// For `fault_predicted`: the predictions behind the alarm, the likeliest first.
    public var predictions: [Prediction]

    /// Creates an event.
    public init(
        alarmID: String,
        asset: String,
        kind: EventKind,
        transition: AlarmTransition,
        severity: Severity,
        score: Double,
        peakScore: Double,
        time: Timestamp,
        windowStart: Timestamp,
        windowEnd: Timestamp,
        contributions: [SignalContribution],
        detector: String,
        predictions: [Prediction] = []
    ) {
        self.alarmID = alarmID
        self.asset = asset
        self.kind = kind
        self.transition = transition
        self.severity = severity
        self.score = score
        self.peakScore = peakScore
        self.time = time
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.contributions = contributions
        self.detector = detector
        self.predictions = predictions
    }
}
