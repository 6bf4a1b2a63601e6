#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One prediction of a fault: a remaining useful life from a learned model, or the time until a
/// signal's trend crosses its limit. Times are seconds from the prediction's tick.
public struct Prediction: Hashable, Sendable, Codable {
    /// Where a prediction comes from.
    public enum Source: String, Hashable, Sendable, Codable {
        /// A remaining-useful-life model (`prognosis.model`).
        case rul
        /// The trend of a signal towards its limit (`signals[].limits`).
        case limit
    }

    /// Which side of a signal's range its limit bounds.
    public enum Bound: String, Hashable, Sendable, Codable {
        /// The signal must stay at or below the limit.
        case max
        /// The signal must stay at or above the limit.
        case min
    }

    /// What made the prediction.
    public var source: Source
    /// The signal, for a limit.
    public var signal: String?
    /// The limit, for a limit.
    public var limit: Double?
    /// Its side, for a limit.
    public var bound: Bound?
    /// Seconds until the failure (or the crossing) is expected.
    public var seconds: Double
    /// Lower bound of the interval, in seconds.
    public var lower: Double
    /// Upper bound of the interval, in seconds; nil when unbounded.
    public var upper: Double?
    /// The horizon the prediction is judged against, in seconds.
    public var horizon: Double
    /// Probability that the failure (or crossing) comes within the horizon, from the interval.
    public var probability: Double
    /// The remaining life in the model's steps, for a RUL.
    public var steps: Double?

    /// Creates a prediction.
    public init(
        source: Source,
        signal: String? = nil,
        limit: Double? = nil,
        bound: Bound? = nil,
        seconds: Double,
        lower: Double,
        upper: Double?,
        horizon: Double,
        probability: Double,
        steps: Double? = nil
    ) {
        self.source = source
        self.signal = signal
        self.limit = limit
        self.bound = bound
        self.seconds = seconds
        self.lower = lower
        self.upper = upper
        self.horizon = horizon
        self.probability = probability
        self.steps = steps
    }

    /// The probability that a quantity estimated at `estimate`, with a 90% interval from `lower` to
    /// `upper` (nil: unbounded), is at most `horizon`; each side of the interval read as a normal
    /// spread. It is 0.05 where the lower bound meets the horizon and 0.5 where the estimate does.
    public static func probability(within horizon: Double, estimate: Double, lower: Double, upper: Double?) -> Double {
        let z90 = 1.6448536269514722
        if horizon <= estimate {
            let spread = (estimate - lower) / z90
            guard spread > 0 else { return horizon >= estimate ? 1 : 0 }
            return normalCDF((horizon - estimate) / spread)
        }
        guard let upper, upper > estimate else { return 0.5 }
        return normalCDF((horizon - estimate) / ((upper - estimate) / z90))
    }

    /// Φ(x), the standard normal distribution function.
    static func normalCDF(_ x: Double) -> Double {
        0.5 * (1 + erf(x / 2.0.squareRoot()))
    }
}
