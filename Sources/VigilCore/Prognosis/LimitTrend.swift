/// When a signal's trend will cross its limit: a robust straight line through the last `window`
/// values (the learned forecast where the asset's detector forecasts, else the readings),
/// extrapolated to the limit, with an interval from the slope's uncertainty.
///
/// The line is a least-squares fit reweighted once with Tukey's bisquare, so that spikes do not
/// tilt it. The slope's standard error comes from the residuals' robust spread, inflated by their
/// autocorrelation time (a forecast's errors are smooth, and a smooth wander must not pass for a
/// trend). A crossing is only predicted when the slope towards the limit is at least
/// `significance` standard errors: a flat noisy signal never predicts one.
public struct LimitTrend: Sendable, Hashable {
    /// The signal.
    public let signal: String
    /// The limit.
    public let limit: Double
    /// Its side.
    public let bound: Prediction.Bound
    /// Values the line is fitted to.
    public let window: Int
    /// Standard errors the slope must reach for a crossing to be predicted. High, because the
    /// standard error of a wander's slope estimated from one window is itself too small by up to
    /// half; a drift worth predicting is far beyond it (the demo's: 75).
    public static let significance = 8.0
    /// Independent residuals the window must hold (its length over their correlation time): a
    /// signal that wanders more slowly than that cannot be told from a trend by this window.
    public static let minimumIndependent = 20.0
    /// z of the 90% interval.
    static let z90 = 1.6448536269514722

    private var times: [Double] = []
    private var values: [Double] = []
    private var next = 0
    /// Seconds of the first time stamp seen, subtracted from every time to keep precision.
    private var origin: Double?

    /// Creates the trend of one signal's limit.
    public init(signal: String, limit: Double, bound: Prediction.Bound, window: Int) {
        precondition(window >= 10)
        self.signal = signal
        self.limit = limit
        self.bound = bound
        self.window = window
    }

    /// Adds the value of a tick.
    public mutating func add(_ value: Double, at time: Timestamp) {
        guard value.isFinite else { return }
        let seconds = Double(time.milliseconds) / 1000
        let origin = self.origin ?? seconds
        self.origin = origin
        if values.count < window {
            times.append(seconds - origin)
            values.append(value)
        } else {
            times[next] = seconds - origin
            values[next] = value
            next = (next + 1) % window
        }
    }

    /// Forgets the values (after a repair, the old trend says nothing).
    public mutating func reset() {
        times = []
        values = []
        next = 0
    }

    /// The line through the window: the level at its newest value and its standard error, the
    /// slope per second and its standard error; nil until half the window is filled, and while the
    /// residuals wander too slowly for the window to hold `minimumIndependent` of them.
    public func line() -> (level: Double, levelError: Double, slope: Double, standardError: Double)? {
        let n = values.count
        guard n >= max(10, window / 2) else { return nil }
        // Oldest first.
        let order = (0..<n).map { (next + $0) % n }
        let t = order.map { times[$0] }
        let y = order.map { values[$0] }
        let newest = t[n - 1]
        let first = Self.fit(t, y, weights: [Double](repeating: 1, count: n))
        let residuals = (0..<n).map { y[$0] - (first.intercept + first.slope * t[$0]) }
        let spread = Self.robustSpread(residuals)
        let weights: [Double] = residuals.map { r in
            guard spread > 0 else { return 1 }
            let u = r / (4.685 * spread)
            return abs(u) >= 1 ? 0 : (1 - u * u) * (1 - u * u)
        }
        let fit = Self.fit(t, y, weights: weights)
        let final = (0..<n).map { y[$0] - (fit.intercept + fit.slope * t[$0]) }
        let sigma = Self.robustSpread(final)
        let correlationTime = Self.correlationTime(final)
        guard Double(n) / correlationTime >= Self.minimumIndependent else { return nil }
        let inflation = correlationTime.squareRoot()
        guard fit.spreadOfTime > 0, fit.weight > 0 else { return nil }
        let standardError = sigma / fit.spreadOfTime.squareRoot() * inflation
        let offset = newest - fit.meanTime
        let levelError = sigma * inflation * (1 / fit.weight + offset * offset / fit.spreadOfTime).squareRoot()
        return (fit.intercept + fit.slope * newest, levelError, fit.slope, standardError)
    }

    /// The predicted crossing judged against a horizon in seconds: at once (probability 1) when
    /// the trend's level is already beyond the limit; nil when the trend does not head for the
    /// limit significantly.
    public func prediction(horizon: Double) -> Prediction? {
        guard let line = line() else { return nil }
        let distance = bound == .max ? limit - line.level : line.level - limit
        let toward = bound == .max ? line.slope : -line.slope
        func make(_ seconds: Double, _ lower: Double, _ upper: Double?, _ probability: Double) -> Prediction {
            Prediction(
                source: .limit,
                signal: signal,
                limit: limit,
                bound: bound,
                seconds: seconds,
                lower: lower,
                upper: upper,
                horizon: horizon,
                probability: probability
            )
        }
        if distance <= 0 { return make(0, 0, 0, 1) }
        guard toward > 0, toward >= Self.significance * line.standardError else { return nil }
        let seconds = distance / toward
        // The nearest the level may be, reached at the fastest the slope may be; and the reverse.
        let lower = max(0, distance - Self.z90 * line.levelError) / (toward + Self.z90 * line.standardError)
        let slowest = toward - Self.z90 * line.standardError
        let upper = slowest > 0 ? (distance + Self.z90 * line.levelError) / slowest : nil
        return make(
            seconds,
            lower,
            upper,
            Prediction.probability(within: horizon, estimate: seconds, lower: lower, upper: upper)
        )
    }

    /// A weighted least-squares line.
    struct Fit {
        var intercept: Double
        var slope: Double
        /// Σ w.
        var weight: Double
        /// The weighted mean time.
        var meanTime: Double
        /// Σ w (t − t̄)².
        var spreadOfTime: Double
    }

    /// Weighted least squares.
    static func fit(_ t: [Double], _ y: [Double], weights: [Double]) -> Fit {
        var sw = 0.0
        var st = 0.0
        var sy = 0.0
        for i in t.indices {
            sw += weights[i]
            st += weights[i] * t[i]
            sy += weights[i] * y[i]
        }
        guard sw > 0 else { return Fit(intercept: 0, slope: 0, weight: 0, meanTime: 0, spreadOfTime: 0) }
        let tMean = st / sw
        let yMean = sy / sw
        var stt = 0.0
        var sty = 0.0
        for i in t.indices {
            let dt = t[i] - tMean
            stt += weights[i] * dt * dt
            sty += weights[i] * dt * (y[i] - yMean)
        }
        let slope = stt > 0 ? sty / stt : 0
        return Fit(intercept: yMean - slope * tMean, slope: slope, weight: sw, meanTime: tMean, spreadOfTime: stt)
    }

    /// The integrated autocorrelation time of residuals, 1 + 2 Σ ρₖ over the lags up to the first
    /// one whose autocorrelation is not positive (at most a quarter of the window): how many
    /// residuals count as one independent one. A smooth wander has a long one, so its slope's
    /// standard error grows by the square root of it.
    static func correlationTime(_ residuals: [Double]) -> Double {
        let n = residuals.count
        let mean = residuals.reduce(0, +) / Double(n)
        let centred = residuals.map { $0 - mean }
        let energy = centred.reduce(0) { $0 + $1 * $1 }
        guard energy > 0 else { return 1 }
        var time = 1.0
        for lag in 1..<max(2, min(n / 4, 100)) {
            var sum = 0.0
            for index in lag..<n { sum += centred[index] * centred[index - lag] }
            let rho = sum / energy
            guard rho > 0 else { break }
            time += 2 * rho
        }
        return time
    }

    /// 1.4826 × the median absolute deviation from the median: the standard deviation of normal
    /// residuals, unmoved by a few outliers.
    static func robustSpread(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let median = sorted[sorted.count / 2]
        let deviations = values.map { abs($0 - median) }.sorted()
        return 1.4826 * deviations[deviations.count / 2]
    }
}
