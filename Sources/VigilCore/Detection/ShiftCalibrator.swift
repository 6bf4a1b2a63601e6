#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns forecast errors into scores that stay up while a fault lasts: the calibration of the
/// multivariate default, where a fault is a lasting shift of a machine's operating point.
///
/// Each signal's forecast error is standardised with the mean and deviation of the model's errors
/// in training, and followed by two exponentially weighted averages (weight `smoothing`): of the
/// error (a bias: the machine no longer behaves as forecast) and of its square (the error's
/// energy). Each is compared with its spread in training, and the statistic S is the larger of the
/// root mean square over signals of the bias and of the excess energy, each divided by `limit`.
/// The score is 1 − 0.01^S: 0.99 at S = 1, 0.9 at S = 0.5. A slow baseline (`adaptation` per
/// tick) follows drift, but only while S is below 0.7 and no alarm is open.
public struct ShiftCalibrator: Sendable, Hashable, Codable {
    /// Settings.
    public struct Settings: Sendable, Hashable, Codable {
        /// Weight of the newest error in the averages.
        public var smoothing: Double
        /// Standardised bias or excess energy that makes S = 1.
        public var limit: Double
        /// Weight of the newest error in the drift baseline.
        public var adaptation: Double

        /// Creates settings.
        public init(smoothing: Double = 0.2, limit: Double = 3, adaptation: Double = 0.002) {
            self.smoothing = smoothing
            self.limit = limit
            self.adaptation = adaptation
        }
    }

    /// The settings.
    public let settings: Settings
    var errorMean: [Double]
    var errorDeviation: [Double]
    var biasDeviation: [Double]
    var energyMean: [Double]
    var energyDeviation: [Double]
    var bias: [Double]
    var energy: [Double]
    var baseline: [Double]

    /// A calibrator seeded with the model's errors in training.
    public init(settings: Settings, residuals: [[Double]]) {
        self.settings = settings
        let signals = residuals.first?.count ?? 0
        let stable = Array(residuals.dropFirst(min(50, residuals.count / 4)))
        errorMean = (0..<signals).map { signal in Statistics.mean(stable.map { $0[signal] }) }
        errorDeviation = (0..<signals).map { signal in
            max(Statistics.deviation(stable.map { $0[signal] }), 1e-9)
        }
        bias = Array(repeating: 0, count: signals)
        energy = Array(repeating: 1, count: signals)
        baseline = Array(repeating: 0, count: signals)
        biasDeviation = Array(repeating: 1, count: signals)
        energyMean = Array(repeating: 1, count: signals)
        energyDeviation = Array(repeating: 1, count: signals)
        var biases: [[Double]] = []
        var energies: [[Double]] = []
        for errors in residuals {
            for signal in 0..<signals {
                let u = (errors[signal] - errorMean[signal]) / errorDeviation[signal]
                bias[signal] += settings.smoothing * (u - bias[signal])
                energy[signal] += settings.smoothing * (u * u - energy[signal])
            }
            biases.append(bias)
            energies.append(energy)
        }
        for signal in 0..<signals {
            let b = biases.dropFirst(min(100, biases.count / 4)).map { $0[signal] }
            let e = energies.dropFirst(min(100, energies.count / 4)).map { $0[signal] }
            biasDeviation[signal] = max(Statistics.deviation(b), 1e-9)
            energyMean[signal] = Statistics.mean(e)
            energyDeviation[signal] = max(Statistics.deviation(e), 1e-9)
        }
    }

    /// Each signal's score and the asset's score for one tick's forecast errors (normalised units).
    public mutating func score(errors: [Double], learn: Bool) -> (signals: [Double], asset: Double) {
        var biasSquares = 0.0
        var energySquares = 0.0
        var signalScores: [Double] = []
        var raw: [Double] = []
        for signal in errors.indices {
            let u = (errors[signal] - errorMean[signal]) / errorDeviation[signal]
            raw.append(u)
            let centred = u - baseline[signal]
            bias[signal] += settings.smoothing * (centred - bias[signal])
            energy[signal] += settings.smoothing * (centred * centred - energy[signal])
            let zBias = bias[signal] / biasDeviation[signal]
            let zEnergy = max((energy[signal] - energyMean[signal]) / energyDeviation[signal], 0)
            biasSquares += zBias * zBias
            energySquares += zEnergy * zEnergy
            signalScores.append(Self.score(max(abs(zBias), zEnergy) / settings.limit))
        }
        let count = Double(max(errors.count, 1))
        let statistic = max((biasSquares / count).squareRoot(), (energySquares / count).squareRoot()) / settings.limit
        if learn && statistic < 0.7 {
            for signal in errors.indices { baseline[signal] += settings.adaptation * (raw[signal] - baseline[signal]) }
        }
        return (signalScores, Self.score(statistic))
    }

    /// 1 − 0.01^S.
    static func score(_ statistic: Double) -> Double {
        1 - pow(0.01, max(statistic, 0))
    }
}

/// Mean and population standard deviation, for the calibrations and normalisation.
enum Statistics {
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func deviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }
}
