/// Robust per-signal normalisation: (value − median) / scale, where the scale is the larger of
/// 1.4826 × MAD and IQR / 1.349, or the standard deviation when that robust spread is under a
/// quarter of it (a quantised signal resting on one value), floored so that a flat signal does
/// not divide by zero. Normalised
/// values are clipped to ±`limit` so that one absurd reading cannot saturate the model.
public struct SignalNormalizer: Sendable, Hashable, Codable {
    /// Per-signal centre.
    public var medians: [Double]
    /// Per-signal scale (engineering units per normalised unit).
    public var scales: [Double]
    /// Largest magnitude of a normalised value.
    public var limit: Double

    /// Fits the normalisation to `rows` (`[T][signals]`).
    public init(fitting rows: [[Double]], limit: Double = 10) {
        let signals = rows.first?.count ?? 0
        var medians: [Double] = []
        var scales: [Double] = []
        for signal in 0..<signals {
            let sorted = rows.map { $0[signal] }.sorted()
            let median = Self.quantile(sorted, 0.5)
            let deviations = sorted.map { abs($0 - median) }.sorted()
            let mad = 1.4826 * Self.quantile(deviations, 0.5)
            let iqr = (Self.quantile(sorted, 0.75) - Self.quantile(sorted, 0.25)) / 1.349
            let deviation = Statistics.deviation(sorted)
            // A quantised signal that rests on one value most of the time has MAD and IQR near 0:
            // then the standard deviation is the honest spread.
            let robust = max(mad, iqr)
            let floor = 1e-6 * max(abs(median), 1)
            medians.append(median)
            scales.append(max(robust > 0.25 * deviation ? robust : deviation, floor))
        }
        self.medians = medians
        self.scales = scales
        self.limit = limit
    }

    /// The normalised value of signal `index`.
    public func normalize(_ value: Double, signal index: Int) -> Double {
        min(max((value - medians[index]) / scales[index], -limit), limit)
    }

    /// A normalised value back in engineering units.
    public func denormalize(_ value: Double, signal index: Int) -> Double {
        medians[index] + value * scales[index]
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
