#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a signal's channels become scores.
public struct CalibrationSettings: Sendable, Hashable, Codable {
    /// Ticks in the moving average of the error and seasonal channels.
    public var averaging: Int
    /// Ticks of each channel's history that its current value is compared with.
    public var history: Int
    /// After a score, smaller raw scores within this many ticks score 0 (0: off): an excursion is
    /// reported at its onset and when it grows, not on every tick it lasts.
    public var suppression: Int
    /// Seasonal periods in ticks (a day, a week) of the "same time one period ago" channels.
    public var periods: [Int]
    /// A seasonal channel counts only while the signal's correlation with itself one period ago is
    /// at least this.
    public var seasonalCorrelation: Double
    /// A value beyond everything seen by more than this share of the seen range scores through the
    /// range channel (0 turns it off).
    public var rangeTolerance: Double
    /// Ticks every channel learns before it scores.
    public var quiet: Int
    /// Ticks in the windows of the pattern channels (empty: none).
    public var patternWindows: [Int]
    /// Segments a pattern window is summarised in.
    public var patternSegments: Int
    /// Earlier windows each pattern channel remembers.
    public var patternMemory: Int
    /// Ticks of the recent level that the shift channel compares with the seven times longer
    /// stretch before it (0 turns it off).
    public var shiftWindow: Int
    /// How far above its record (as a share of it) a channel scores 0.99; equal to it scores 0.5.
    public var recordMargin: Double

    /// Creates settings.
    public init(
        averaging: Int = 20,
        history: Int = 5000,
        suppression: Int = 500,
        periods: [Int] = [],
        seasonalCorrelation: Double = 0.3,
        rangeTolerance: Double = 0.05,
        quiet: Int = 150,
        patternWindows: [Int] = [8, 32, 128],
        patternSegments: Int = 8,
        patternMemory: Int = 1000,
        shiftWindow: Int = 8,
        recordMargin: Double = 0.03
    ) {
        precondition(recordMargin > 0)
        self.averaging = averaging
        self.history = history
        self.suppression = suppression
        self.periods = periods
        self.seasonalCorrelation = seasonalCorrelation
        self.rangeTolerance = rangeTolerance
        self.quiet = quiet
        self.patternWindows = patternWindows
        self.patternSegments = patternSegments
        self.patternMemory = patternMemory
        self.shiftWindow = shiftWindow
        self.recordMargin = recordMargin
    }
}

/// Turns what an asset's signals do into calibrated scores in [0, 1], from the first ticks.
///
/// Every signal is seen through several channels, each comparing a magnitude with its own
/// records (`RecordChannel`, the largest value of its last `history` ticks), in engineering units:
/// - the forecast error: of the last value until a learned model forecasts, then of the model;
/// - for each seasonal period (a day, a week, when the tick divides it), the difference from the
///   value one period ago, while the signal has that rhythm (`SeasonalChannel`);
/// - the distance of the recent window's shape from the nearest shape seen before, for short and
///   long windows (`PatternChannel`);
/// - a change of the median level (`ShiftChannel`);
/// - range novelty: a value beyond the range seen so far.
///
/// The asset's raw score is the largest ratio of any channel; with suppression it counts only when
/// it exceeds every raw score of the last `suppression` ticks. The score grows with the ratio: 0.5
/// when a channel equals its record, 0.99 when it is `recordMargin` (3%) above it. Every tick is
/// learned, also under an alarm, so a lasting change becomes the new normal.
public struct ErrorCalibrator: Sendable, Hashable, Codable {
    /// The channels of one signal.
    struct SignalChannels: Sendable, Hashable, Codable {
        var forecast: RecordChannel
        var seasonal: [SeasonalChannel]
        var patterns: [PatternChannel]
        var shift: ShiftChannel?
        var range: ClosedRange<Double>?
        var seen = 0

        init(settings: CalibrationSettings) {
            forecast = RecordChannel(averaging: settings.averaging, history: settings.history, quiet: settings.quiet)
            seasonal = settings.periods.map { SeasonalChannel(period: $0, settings: settings) }
            patterns = settings.patternWindows.map { PatternChannel(window: $0, settings: settings) }
            shift = settings.shiftWindow > 0 ? ShiftChannel(settings: settings) : nil
        }

        /// The largest ratio of the signal's channels for `value` (and its forecast `error`, when
        /// there was a forecast).
        mutating func ratio(value: Double, error: Double?, settings: CalibrationSettings) -> Double {
            var ratio = error.map { forecast.ratio(abs($0)) } ?? 0
            for index in seasonal.indices { ratio = max(ratio, seasonal[index].ratio(value)) }
            for index in patterns.indices { ratio = max(ratio, patterns[index].ratio(value)) }
            if shift != nil { ratio = max(ratio, shift!.ratio(value)) }
            if settings.rangeTolerance > 0, let range, seen >= settings.quiet {
                let span = max(range.upperBound - range.lowerBound, 1e-12)
                let excess = max(value - range.upperBound, range.lowerBound - value, 0) / span
                if excess > settings.rangeTolerance { ratio = max(ratio, 1.1 + excess) }
            }
            range = range.map { min($0.lowerBound, value)...max($0.upperBound, value) } ?? value...value
            seen += 1
            return ratio
        }
    }

    /// The settings.
    public let settings: CalibrationSettings
    var signals: [SignalChannels]
    var onset: OnsetFilter

    /// A calibrator for `signals` signals that has learned nothing yet.
    public init(settings: CalibrationSettings, signals: Int) {
        self.settings = settings
        onset = OnsetFilter(horizon: settings.suppression)
        self.signals = (0..<signals).map { _ in SignalChannels(settings: settings) }
    }

    /// Whether any channel scores yet: the asset has left its learning phase.
    public var isScoring: Bool { signals.contains { $0.forecast.isScoring || $0.seen > settings.quiet } }

    /// A new forecaster took over: the error channels start again, having learned the forecaster's
    /// errors on its training ticks (`residuals`, engineering units, oldest first).
    public mutating func restartForecasts(residuals: [[Double]]) {
        for signal in signals.indices {
            var channel = RecordChannel(averaging: settings.averaging, history: settings.history, quiet: settings.quiet)
            for row in residuals where signal < row.count { _ = channel.ratio(abs(row[signal])) }
            signals[signal].forecast = channel
        }
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

    /// Scores one tick: `values` and forecast `errors` in engineering units (nil before the first
    /// forecast). Returns each signal's score (unsuppressed, for the contributions), the asset's
    /// score, and its level (the score before suppression).
    public mutating func score(values: [Double], errors: [Double]?) -> (signals: [Double], asset: Double, level: Double)
    {
        var ratios: [Double] = []
        ratios.reserveCapacity(values.count)
        for index in values.indices {
            // Mutated in place: a copy of the channels would copy their memories on every tick.
            ratios.append(signals[index].ratio(value: values[index], error: errors?[index], settings: settings))
        }
        let raw = ratios.max() ?? 0
        return (ratios.map(score(ratio:)), score(ratio: onset.filter(raw)), score(ratio: raw))
    }
}
