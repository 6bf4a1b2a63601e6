/// Whether a detector can already judge its asset.
public enum DetectorPhase: String, Sendable, Hashable {
    /// Still collecting warm-up data; its scores must not raise alarms.
    case learning
    /// Scoring.
    case active
}

/// A detector's verdict on one tick.
public struct Detection: Hashable, Sendable {
    /// Anomaly score in [0, 1]; 0 while learning. Raises alarms.
    public var score: Double
    /// How anomalous the tick still is, in [0, 1]: what keeps an open alarm open. Equal to `score`
    /// unless the detector reports only the onset of an excursion in `score` (suppression).
    public var level: Double
    /// What the score points at.
    public var kind: EventKind
    /// Per-signal detail, the strongest contributor first.
    public var contributions: [SignalContribution]

    /// Creates a detection.
    public init(score: Double, level: Double? = nil, kind: EventKind, contributions: [SignalContribution]) {
        self.score = score
        self.level = level ?? score
        self.kind = kind
        self.contributions = contributions
    }
}

/// Scores the ticks of one asset. Implementations keep their own state and read no clock.
public protocol Detector: Sendable {
    /// A short identifier recorded in events, e.g. `robust-mad`.
    var name: String { get }
    /// Whether scores can raise alarms yet.
    var phase: DetectorPhase { get }
    /// Whether the asset should say `learning`: still collecting data for its model (it may
    /// already score, and alarm, with a fallback meanwhile).
    var isLearning: Bool { get }
    /// Where the detector's learned model is in its lifecycle; nil for a detector without one.
    var modelLifecycle: LSTMDetector.ModelState? { get }
    /// Scores a tick and learns from it, unless `alarmOpen` (an open alarm freezes learning, so a
    /// persistent fault is not learned as normal). It may wait for a model being trained in the
    /// background, at a tick fixed in event time, so results never depend on the CPU's speed.
    mutating func score(_ tick: Tick, alarmOpen: Bool) async -> Detection
    /// Forgets what was learned and learns the behaviour from now on as normal (the operator's
    /// "accept new normal").
    mutating func acceptNewNormal()
    /// What the detector has learned, as bytes to persist across restarts; nil when there is
    /// nothing worth keeping.
    func snapshot() -> [UInt8]?
    /// Continues from a snapshot; false (and unchanged) when it does not fit this detector.
    mutating func restore(snapshot: [UInt8]) -> Bool
}

extension Detector {
    /// By default, learning until scores can raise alarms.
    public var isLearning: Bool { phase == .learning }

    /// By default, no learned model.
    public var modelLifecycle: LSTMDetector.ModelState? { nil }

    /// By default, nothing is persisted.
    public func snapshot() -> [UInt8]? { nil }

    /// By default, nothing can be restored.
    public mutating func restore(snapshot: [UInt8]) -> Bool { false }
}
