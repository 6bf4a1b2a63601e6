#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How forecast errors become scores.
public struct CalibrationSettings: Sendable, Hashable, Codable {
    /// Ticks in the moving average of an error channel.
    public var averaging: Int
    /// Learned ticks of each channel's history that its current value is compared with.
    public var history: Int
    /// After a score, smaller raw scores within this many ticks score 0 (0: off): an excursion is
    /// reported at its onset and when it grows, not on every tick it lasts.
    public var suppression: Int
    /// Seasonal periods in ticks (a day, a week) of the "same time one period ago" channels.
    public var periods: [Int]
    /// A value beyond everything seen by more than this share of the seen range scores through the
    /// range channel (0 turns it off).
    public var rangeTolerance: Double
    /// Learned ticks every channel collects of its own before it scores.
    public var quiet: Int
    /// Ticks in the window of the pattern channel (0 turns it off).
    public var patternWindow: Int
    /// Segments the pattern window is summarised in.
    public var patternSegments: Int
    /// Normal windows the pattern channel remembers.
    public var patternMemory: Int
    /// Ticks between two windows the pattern channel remembers.
    public var patternEvery: Int
    /// How far above its record (as a share of it) a channel scores 0.99; equal to it scores 0.5.
    public var recordMargin: Double

    /// Creates settings.
    public init(
        averaging: Int = 20,
        history: Int = 5000,
        suppression: Int = 500,
        periods: [Int] = [],
        rangeTolerance: Double = 0.05,
        quiet: Int = 300,
        patternWindow: Int = 64,
        patternSegments: Int = 8,
        patternMemory: Int = 1000,
        patternEvery: Int = 8,
        recordMargin: Double = 0.03
    ) {
        precondition(recordMargin > 0)
        self.averaging = averaging
        self.history = history
        self.suppression = suppression
        self.periods = periods
        self.rangeTolerance = rangeTolerance
        self.quiet = quiet
        self.patternWindow = patternWindow
        self.patternSegments = patternSegments
        self.patternMemory = patternMemory
        self.patternEvery = patternEvery
        self.recordMargin = recordMargin
    }
}

/// Turns forecast errors into calibrated scores in [0, 1].
///
/// Every signal is seen through several channels, each a `RecordChannel` that compares a
/// magnitude with its own records:
/// - the forecast error of the model;
/// - for each seasonal period (a day, a week, when the tick divides it), the difference from the
///   value one period ago (`SeasonalChannel`);
/// - the distance of the recent window's shape from the nearest window seen in normal operation
///   (`PatternChannel`);
/// - range novelty: a value beyond the range seen so far.
///
/// With several signals, the root mean square of all forecast errors is one more channel. The
/// asset's raw score is the largest ratio of any channel; with suppression it counts only when it
/// exceeds every raw score of the last `suppression` ticks. The score grows with the ratio: 0.5 when
/// the channel equals its record, 0.99 when it is `recordMargin` (3%) above it. While an alarm is
/// open nothing is learned, so a lasting fault keeps scoring against the records of normal
/// operation; what the channels saw under an alarm that has cleared is learned then, so that an
/// excursion the asset got over does not alarm again and again.
public struct ErrorCalibrator: Sendable, Hashable, Codable {
    /// The channels of one signal.
    struct SignalChannels: Sendable, Hashable, Codable {
        var forecast: RecordChannel
        var seasonal: [SeasonalChannel]
        var pattern: PatternChannel?
        var lowest: Double
        var highest: Double
        /// The range seen while an alarm was open, learned once it has cleared.
        var deferredRange: ClosedRange<Double>?

        /// The largest ratio of the signal's channels for `value` (and its forecast `error`, when
        /// the model forecast this tick).
        mutating func ratio(value: Double, error: Double?, rangeTolerance: Double, learn: Bool) -> Double {
            var ratio = error.map { forecast.ratio(abs($0), learn: learn) } ?? 0
            for season in seasonal.indices {
                ratio = max(ratio, seasonal[season].ratio(value, learn: learn))
            }
            if pattern != nil { ratio = max(ratio, pattern!.ratio(value, learn: learn)) }
            if rangeTolerance > 0 {
                let span = max(highest - lowest, 1e-12)
                let excess = max(value - highest, lowest - value, 0) / span
                if excess > rangeTolerance { ratio = max(ratio, 1.1 + excess) }
                // Values seen under an alarm widen the range once it has cleared.
                let seen = deferredRange.map { min($0.lowerBound, value)...max($0.upperBound, value) }
                if learn {
                    lowest = min(lowest, seen?.lowerBound ?? value)
                    highest = max(highest, seen?.upperBound ?? value)
                    deferredRange = nil
                } else {
                    deferredRange = seen ?? value...value
                }
            }
            return ratio
        }
    }

    /// The settings.
    public let settings: CalibrationSettings
    var signals: [SignalChannels]
    var joint: RecordChannel?
    var onset: OnsetFilter

    /// A calibrator that has learned the normalised training rows and the model's in-sample
    /// forecast errors on them (`residuals`, aligned with the last rows): they fill the seasonal and
    /// pattern memories, the seen range and the records of every channel, as if scored and learned.
    public init(settings: CalibrationSettings, rows: [[Double]], residuals: [[Double]]) {
        self.settings = settings
        onset = OnsetFilter(horizon: settings.suppression)
        let count = rows.first?.count ?? 0
        signals = (0..<count).map { signal in
            SignalChannels(
                forecast: RecordChannel(
                    averaging: settings.averaging,
                    history: settings.history,
                    quiet: settings.quiet
                ),
                seasonal: settings.periods.map { SeasonalChannel(period: $0, settings: settings) },
                pattern: settings.patternWindow > 0 ? PatternChannel(settings: settings) : nil,
                lowest: rows.map { $0[signal] }.min() ?? 0,
                highest: rows.map { $0[signal] }.max() ?? 0,
                deferredRange: nil
            )
        }
        joint =
            count > 1
            ? RecordChannel(averaging: settings.averaging, history: settings.history, quiet: settings.quiet) : nil
        let unexplained = rows.count - residuals.count
        for (index, row) in rows.enumerated() {
            _ = ratios(values: row, errors: index >= unexplained ? residuals[index - unexplained] : nil, learn: true)
        }
    }

    static func rootMeanSquare(_ errors: [Double]) -> Double {
        (errors.reduce(0) { $0 + $1 * $1 } / Double(max(errors.count, 1))).squareRoot()
    }

    /// A channel ratio as a score: a logistic up to 0.99 at 1 + `recordMargin` (0.5 at 1), then
    /// 1 − 0.01 · ((1 + margin) / ratio)⁴, which keeps larger ratios apart instead of rounding them
    /// all to 1.
    func score(ratio: Double) -> Double {
        let knee = 1 + settings.recordMargin
        guard ratio > knee else {
            return ratio <= 0 ? 0 : 1 / (1 + exp(-(ratio - 1) * log(99.0) / settings.recordMargin))
        }
        let fraction = knee / ratio
        return 1 - 0.01 * fraction * fraction * fraction * fraction
    }

    /// Scores one tick: `values` normalised, `errors` the forecast errors (normalised). Returns each
    /// signal's score (unsuppressed, for the contributions), the asset's score, and its level (the
    /// score before suppression).
    public mutating func score(
        values: [Double],
        errors: [Double],
        learn: Bool
    ) -> (signals: [Double], asset: Double, level: Double) {
        let (signalRatios, raw) = ratios(values: values, errors: errors, learn: learn)
        let reported = onset.filter(raw)
        return (signalRatios.map(score(ratio:)), score(ratio: reported), score(ratio: raw))
    }

    /// Every signal's largest channel ratio, and the asset's (with the joint channel). Without
    /// `errors` (a tick before the model's first forecast) the error channels are left out.
    private mutating func ratios(values: [Double], errors: [Double]?, learn: Bool) -> (signals: [Double], raw: Double) {
        var signalRatios: [Double] = []
        signalRatios.reserveCapacity(values.count)
        for index in values.indices {
            // Mutated in place: a copy of the channels would copy their memories on every tick.
            let ratio = signals[index].ratio(
                value: values[index],
                error: errors?[index],
                rangeTolerance: settings.rangeTolerance,
                learn: learn
            )
            signalRatios.append(ratio)
        }
        var raw = signalRatios.max() ?? 0
        if joint != nil, let errors { raw = max(raw, joint!.ratio(Self.rootMeanSquare(errors), learn: learn)) }
        return (signalRatios, raw)
    }
}
