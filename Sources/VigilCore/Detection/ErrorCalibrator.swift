#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How forecast errors become scores.
public struct CalibrationSettings: Sendable, Hashable, Codable {
    /// Ticks in the moving average of the scaled error.
    public var averaging: Int
    /// Ticks of error history the average is compared with.
    public var history: Int
    /// After a score, smaller raw scores within this many ticks score 0 (0: off): an excursion is
    /// reported at its onset and when it grows, not on every tick it lasts.
    public var suppression: Int
    /// Ticks per seasonal period (a day), for the seasonal channel; 0 turns it off.
    public var period: Int
    /// A value beyond everything seen by more than this share of the seen range scores through the
    /// range channel (0 turns it off).
    public var rangeTolerance: Double

    /// Creates settings.
    public init(
        averaging: Int = 20,
        history: Int = 2000,
        suppression: Int = 500,
        period: Int = 0,
        rangeTolerance: Double = 0.05
    ) {
        self.averaging = averaging
        self.history = history
        self.suppression = suppression
        self.period = period
        self.rangeTolerance = rangeTolerance
    }
}

/// The largest of the values pushed within the last `horizon` pushes, in amortised O(1) (a
/// monotonic queue of the values that can still become the maximum).
struct SlidingMaximum: Sendable, Hashable, Codable {
    struct Entry: Sendable, Hashable, Codable {
        var index: Int
        var value: Double
    }

    let horizon: Int
    private var entries: [Entry] = []
    private var count = 0

    init(horizon: Int) { self.horizon = horizon }

    /// The maximum of the last `horizon` values pushed, or nil when there are none.
    mutating func maximum() -> Double? {
        while let first = entries.first, first.index <= count - horizon { entries.removeFirst() }
        return entries.first?.value
    }

    mutating func push(_ value: Double) {
        while let last = entries.last, last.value <= value { entries.removeLast() }
        entries.append(Entry(index: count, value: value))
        count += 1
    }
}

/// Passes a score only at the onset of an excursion: when it exceeds every score of the last
/// `horizon` ticks; otherwise 0.
struct OnsetFilter: Sendable, Hashable, Codable {
    private var recent: SlidingMaximum

    init(horizon: Int) { recent = SlidingMaximum(horizon: horizon) }

    mutating func filter(_ score: Double) -> Double {
        guard recent.horizon > 0 else { return score }
        let passed = (recent.maximum().map { score > $0 } ?? true) ? score : 0
        recent.push(score)
        return passed
    }
}

/// Turns forecast errors into calibrated scores in [0, 1].
///
/// Every signal has up to three channels: the model's forecast error, the error of "the same
/// time yesterday" (when the tick divides a day and a day fits in the warm-up), and range novelty.
/// An error channel divides |error| by a slowly adapting typical error, averages it over
/// `averaging` ticks, and compares the average with the largest average of the last `history`
/// ticks (seeded with the errors seen in training): a ratio above 1 is a new record. A range
/// channel scores a value beyond the range seen so far. With several signals, the root mean
/// square of all forecast errors is one more channel. The asset's raw score is the largest ratio;
/// with suppression it counts only when it exceeds every raw score of the last `suppression`
/// ticks. The score is a logistic of the ratio: 0.5 when the error equals its past maximum, 0.99
/// when it is 10% above it. While an alarm is open nothing is learned, so a lasting fault keeps
/// scoring against the error levels of normal operation.
public struct ErrorCalibrator: Sendable, Hashable, Codable {
    /// One error channel: scale, moving average, and the sliding maximum of its history.
    struct Channel: Sendable, Hashable, Codable {
        var scale: Double
        var recent: [Double] = []
        var recentSum = 0.0
        /// The largest average of the history.
        var record: SlidingMaximum

        init(seed errors: [Double], settings: CalibrationSettings) {
            record = SlidingMaximum(horizon: settings.history)
            let mean = errors.isEmpty ? 1 : errors.reduce(0) { $0 + abs($1) } / Double(errors.count)
            scale = max(mean, 1e-9)
            for error in errors { _ = ratio(error, settings: settings, learn: true) }
        }

        /// The average scaled error over the last ticks divided by its maximum over the history.
        mutating func ratio(_ error: Double, settings: CalibrationSettings, learn: Bool) -> Double {
            let magnitude = abs(error)
            let scaled = magnitude / scale
            recent.append(scaled)
            recentSum += scaled
            if recent.count > settings.averaging { recentSum -= recent.removeFirst() }
            let average = recentSum / Double(recent.count)
            let reference = record.maximum() ?? 0
            let result = reference > 0 ? average / reference : 0
            if learn {
                scale = 0.999 * scale + 0.001 * min(magnitude, 5 * scale)
                record.push(average)
            }
            return result
        }
    }

    /// The settings.
    public let settings: CalibrationSettings
    var forecast: [Channel]
    var seasonal: [Channel]
    var joint: Channel?
    /// The last `period` normalised values per signal, oldest first at `seasonalNext`.
    var past: [[Double]]
    var seasonalNext = 0
    var lowest: [Double]
    var highest: [Double]
    var onset: OnsetFilter

    static let logisticScale = 0.1 / log(99.0)

    /// A calibrator seeded from training: the normalised training rows and the model's in-sample
    /// forecast errors on them.
    public init(settings: CalibrationSettings, rows: [[Double]], residuals: [[Double]]) {
        self.settings = settings
        onset = OnsetFilter(horizon: settings.suppression)
        let signals = rows.first?.count ?? residuals.first?.count ?? 0
        forecast = (0..<signals).map { signal in Channel(seed: residuals.map { $0[signal] }, settings: settings) }
        joint =
            signals > 1
            ? Channel(seed: residuals.map { Self.rootMeanSquare($0) }, settings: settings) : nil
        let period = settings.period
        if period > 0 && rows.count > period + 1 {
            seasonal = (0..<signals).map { signal in
                Channel(
                    seed: (period..<rows.count).map { rows[$0][signal] - rows[$0 - period][signal] },
                    settings: settings
                )
            }
            past = (0..<signals).map { signal in rows.suffix(period).map { $0[signal] } }
        } else {
            seasonal = []
            past = []
        }
        lowest = (0..<signals).map { signal in rows.map { $0[signal] }.min() ?? 0 }
        highest = (0..<signals).map { signal in rows.map { $0[signal] }.max() ?? 0 }
    }

    static func rootMeanSquare(_ errors: [Double]) -> Double {
        (errors.reduce(0) { $0 + $1 * $1 } / Double(max(errors.count, 1))).squareRoot()
    }

    /// The logistic of a ratio: 0.5 at 1, 0.99 at 1.1.
    static func logistic(_ ratio: Double) -> Double {
        ratio <= 0 ? 0 : 1 / (1 + exp(-(ratio - 1) / logisticScale))
    }

    /// Scores one tick: `values` normalised, `errors` the forecast errors (normalised). Returns each
    /// signal's score (unsuppressed, for the contributions), the asset's score, and its level (the
    /// score before suppression).
    public mutating func score(
        values: [Double],
        errors: [Double],
        learn: Bool
    ) -> (signals: [Double], asset: Double, level: Double) {
        var signalRatios: [Double] = []
        signalRatios.reserveCapacity(values.count)
        for index in values.indices {
            var ratio = forecast[index].ratio(errors[index], settings: settings, learn: learn)
            if !seasonal.isEmpty {
                let yesterday = past[index][seasonalNext]
                ratio = max(ratio, seasonal[index].ratio(values[index] - yesterday, settings: settings, learn: learn))
            }
            if settings.rangeTolerance > 0 {
                let span = max(highest[index] - lowest[index], 1e-12)
                let excess = max(values[index] - highest[index], lowest[index] - values[index], 0) / span
                if excess > settings.rangeTolerance { ratio = max(ratio, 1.1 + excess) }
                if learn {
                    lowest[index] = min(lowest[index], values[index])
                    highest[index] = max(highest[index], values[index])
                }
            }
            signalRatios.append(ratio)
        }
        if !seasonal.isEmpty {
            for index in values.indices { past[index][seasonalNext] = values[index] }
            seasonalNext = (seasonalNext + 1) % settings.period
        }
        var raw = signalRatios.max() ?? 0
        if joint != nil { raw = max(raw, joint!.ratio(Self.rootMeanSquare(errors), settings: settings, learn: learn)) }
        let reported = onset.filter(raw)
        return (signalRatios.map(Self.logistic), Self.logistic(reported), Self.logistic(raw))
    }
}
