/// "The same time one period ago" as a view of a signal: the difference between a value and the
/// value one `period` earlier, scored as a `RecordChannel`. It starts once a whole period has been
/// seen, and it counts only while the signal resembles itself one period earlier (the correlation
/// of value and value a period ago is at least `minimumCorrelation`): a signal without a daily
/// rhythm is not judged by yesterday, where every difference is noise and a past anomaly would echo
/// a day later.
struct SeasonalChannel: Sendable, Hashable, Codable {
    let period: Int
    let minimumCorrelation: Double
    /// The last `period` values; `next` is the oldest once the ring is full.
    private var past: [Double]
    private var next = 0
    private var filled = 0
    private var channel: RecordChannel
    private var correlation: PairCorrelation

    init(period: Int, settings: CalibrationSettings) {
        precondition(period > 0)
        self.period = period
        minimumCorrelation = settings.seasonalCorrelation
        past = Array(repeating: 0, count: period)
        channel = RecordChannel(averaging: settings.averaging, history: settings.history, quiet: settings.quiet)
        correlation = PairCorrelation(horizon: settings.history)
    }

    /// Whether the channel scores: it has learned its records and the signal has its rhythm.
    var isScoring: Bool {
        channel.isScoring && correlation.count >= period && correlation.value >= minimumCorrelation
    }

    /// The record ratio of |value − value one period ago| (0 until a period has been seen, and
    /// while the signal shows no rhythm of this period).
    mutating func ratio(_ value: Double) -> Double {
        var result = 0.0
        if filled == period {
            let ago = past[next]
            let ratio = channel.ratio(abs(value - ago))
            correlation.add(value, ago)
            if isScoring { result = ratio }
        }
        past[next] = value
        next = (next + 1) % period
        filled = min(filled + 1, period)
        return result
    }
}

/// The correlation of pairs of values, exact over the first `horizon` pairs and exponentially
/// weighted with that horizon after them (Welford's updates, so a signal far from 0 loses no
/// precision).
struct PairCorrelation: Sendable, Hashable, Codable {
    let horizon: Int
    private(set) var count = 0
    private var meanA = 0.0
    private var meanB = 0.0
    private var varianceA = 0.0
    private var varianceB = 0.0
    private var covariance = 0.0

    init(horizon: Int) { self.horizon = max(horizon, 1) }

    mutating func add(_ a: Double, _ b: Double) {
        count += 1
        let weight = 1 / Double(min(count, horizon))
        let deltaA = a - meanA
        let deltaB = b - meanB
        meanA += weight * deltaA
        meanB += weight * deltaB
        varianceA = (1 - weight) * (varianceA + weight * deltaA * deltaA)
        varianceB = (1 - weight) * (varianceB + weight * deltaB * deltaB)
        covariance = (1 - weight) * (covariance + weight * deltaA * deltaB)
    }

    /// The correlation, 0 while either side has not varied.
    var value: Double {
        let scale = (varianceA * varianceB).squareRoot()
        return scale > 0 ? covariance / scale : 0
    }
}
