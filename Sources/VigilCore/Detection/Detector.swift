/// Whether a detector can already judge its asset.
public enum DetectorPhase: String, Sendable, Hashable {
    /// Still collecting warm-up data; its scores must not raise alarms.
    case learning
    /// Scoring.
    case active
}

/// A detector's verdict on one tick.
public struct Detection: Hashable, Sendable {
    /// Anomaly score in [0, 1]; 0 while learning.
    public var score: Double
    /// What the score points at.
    public var kind: EventKind
    /// Per-signal detail, the strongest contributor first.
    public var contributions: [SignalContribution]

    /// Creates a detection.
    public init(score: Double, kind: EventKind, contributions: [SignalContribution]) {
        self.score = score
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
    /// Scores a tick and learns from it. It may wait for a model being trained in the background
    /// (at a tick fixed in event time, so that results never depend on how fast the CPU is).
    mutating func score(_ tick: Tick) async -> Detection
}
