#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A detector built on robust statistics: each signal's value is compared with the median of its
/// recent window, in units of the window's median absolute deviation (MAD).
///
/// The robust z-score `z = |x − median| / (1.4826 · MAD)` becomes a score in [0, 1] as
/// `erf(z / (√2 · zScale))`, the two-sided Gaussian probability of `z / zScale`: with the default
/// `zScale` of 2, a score of 0.99 means about 5.2 robust standard deviations. Deviations smaller than
/// the signal's `minDeviation` (engineering units) score 0, so a near-flat signal does not alarm on
/// noise. A signal that has varied before and then repeats exactly the same value for `stuckAfter`
/// ticks, or for twice its longest earlier run that was not called stuck if that is longer, scores 1
/// as a `sensorFault`. The asset's score is its strongest signal's.
public struct RobustStatisticsDetector: Detector {
    /// Tuning of the detector.
    public struct Settings: Hashable, Sendable {
        /// Ticks in the rolling window.
        public var window: Int
        /// Ticks seen before scoring starts.
        public var warmup: Int
        /// Robust deviations that map to a score of about 0.68; larger is less sensitive.
        public var zScale: Double
        /// Identical consecutive values after which a signal is called stuck (0 turns this off).
        public var stuckAfter: Int
        /// Per-signal deviation below which the score is 0, in engineering units.
        public var minDeviation: [String: Double]

        /// Creates settings; the warm-up is half the window unless given.
        public init(
            window: Int = 120,
            warmup: Int? = nil,
            zScale: Double = 2,
            stuckAfter: Int = 30,
            minDeviation: [String: Double] = [:]
        ) {
            self.window = window
            self.warmup = warmup ?? window / 2
            self.zScale = zScale
            self.stuckAfter = stuckAfter
            self.minDeviation = minDeviation
        }
    }

    struct SignalState: Sendable, Codable {
        var window: RollingWindow
        var lastValue: Double?
        var repeats = 0
        var hasVaried = false
        /// The longest run of one repeated value that ended without being called stuck: a signal
        /// that rests on one value in normal operation (an idle load balancer at 0) is stuck only
        /// beyond twice that.
        var longestNormalRun = 0
        /// Whether the current run has been called stuck.
        var calledStuck = false
    }

    public let name = "robust-mad"
    /// The settings in use.
    public let settings: Settings
    private var states: [String: SignalState] = [:]
    private var ticksSeen = 0

    public var phase: DetectorPhase { ticksSeen >= settings.warmup ? .active : .learning }

    /// What the detector has learned, for persistence.
    struct Snapshot: Sendable, Codable {
        var states: [String: SignalState]
        var ticksSeen: Int
    }

    var learned: Snapshot {
        get { Snapshot(states: states, ticksSeen: ticksSeen) }
        set {
            states = newValue.states
            ticksSeen = newValue.ticksSeen
        }
    }

    /// Creates a detector.
    public init(settings: Settings = Settings()) {
        precondition(settings.window > 1 && settings.warmup >= 1, "window must exceed 1 and warmup be positive")
        self.settings = settings
    }

    public mutating func score(_ tick: Tick, alarmOpen: Bool) async -> Detection {
        scoreNow(tick)
    }

    public mutating func acceptNewNormal() {
        states = [:]
        ticksSeen = 0
    }

    /// `score(_:)` without suspension, for detectors that use this one as their fallback. With
    /// `normal`, the tick is known to be normal operation (the owner's warm-up): a flat run that
    /// ends is learned as normal even if it was called stuck.
    public mutating func scoreNow(_ tick: Tick, normal: Bool = false) -> Detection {
        let scoring = phase == .active
        var contributions: [SignalContribution] = []
        var stuck = false
        for (signal, value) in zip(tick.signals, tick.values) {
            var state = states[signal] ?? SignalState(window: RollingWindow(capacity: settings.window))
            var score = 0.0
            var expected = value
            if scoring, state.window.count > 1 {
                let (median, mad) = state.window.medianAndMAD()
                expected = median
                let deviation = abs(value - median)
                if deviation > (settings.minDeviation[signal] ?? 0) && deviation > 0 {
                    let sigma = max(1.4826 * mad, 1e-9 * max(abs(median), 1))
                    score = erf(deviation / sigma / (2.0.squareRoot() * settings.zScale))
                }
            }
            if let last = state.lastValue {
                if last == value {
                    state.repeats += 1
                } else {
                    // A run that ended without being called stuck was normal behaviour.
                    if !state.calledStuck || normal {
                        state.longestNormalRun = max(state.longestNormalRun, state.repeats)
                    }
                    state.repeats = 0
                    state.calledStuck = false
                    state.hasVaried = true
                }
            }
            let stuckAfter = max(settings.stuckAfter, 2 * state.longestNormalRun)
            if scoring, settings.stuckAfter > 0, state.hasVaried, state.repeats >= stuckAfter {
                score = 1
                stuck = true
                state.calledStuck = true
            }
            state.lastValue = value
            // A stuck sensor's repeated value is not the machine's behaviour: do not learn it.
            if !(state.hasVaried && settings.stuckAfter > 0 && state.repeats >= stuckAfter) {
                state.window.append(value)
            }
            states[signal] = state
            contributions.append(SignalContribution(signal: signal, value: value, expected: expected, score: score))
        }
        ticksSeen += 1
        contributions.sort { $0.score > $1.score }
        let top = contributions.first?.score ?? 0
        return Detection(score: top, kind: stuck && top >= 1 ? .sensorFault : .anomaly, contributions: contributions)
    }
}
