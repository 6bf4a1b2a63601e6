/// What training minimises.
public enum Loss: String, Sendable, Hashable, Codable, CaseIterable {
    /// Mean squared error of the forecast; the network outputs one value per signal.
    case meanSquaredError = "mse"
    /// Gaussian negative log-likelihood; the network outputs a mean and a log-variance per signal,
    /// so that its own uncertainty calibrates the anomaly score.
    case gaussianNLL = "gaussian_nll"

    /// Network outputs needed for `signals` forecast signals.
    public func outputSize(signals: Int) -> Int {
        self == .meanSquaredError ? signals : 2 * signals
    }

    /// The mean loss over `rows` rows of `signals` targets, and its gradient with respect to the
    /// outputs (`[rows][outputSize]`). Rows whose `weights` entry is 0 are ignored (burn-in steps).
    @_specialize(exported:true,where Scalar == Float)
    public func evaluate<Scalar: NNScalar>(
        outputs: [Scalar],
        targets: [Scalar],
        rows: Int,
        signals: Int,
        weights: [Scalar]
    ) -> (loss: Scalar, gradients: [Scalar]) {
        let width = outputSize(signals: signals)
        precondition(outputs.count == rows * width && targets.count == rows * signals && weights.count == rows)
        let counted = weights.reduce(0, +) * Scalar(signals)
        guard counted > 0 else { return (0, Array(repeating: 0, count: outputs.count)) }
        var loss: Scalar = 0
        var gradients = [Scalar](repeating: 0, count: outputs.count)
        for row in 0..<rows where weights[row] > 0 {
            let w = weights[row] / counted
            for s in 0..<signals {
                let target = targets[row * signals + s]
                switch self {
                case .meanSquaredError:
                    let error = outputs[row * width + s] - target
                    loss += w * error * error
                    gradients[row * width + s] = 2 * w * error
                case .gaussianNLL:
                    let mean = outputs[row * width + s]
                    // The log-variance is kept in a sane range so one outlier cannot blow up training.
                    let logVariance = min(max(outputs[row * width + signals + s], -12), 12)
                    let inverse = Scalar.exp(-logVariance)
                    let error = target - mean
                    loss += w * Scalar(0.5) * (logVariance + error * error * inverse)
                    gradients[row * width + s] = -w * error * inverse
                    let raw = outputs[row * width + signals + s]
                    gradients[row * width + signals + s] =
                        raw > -12 && raw < 12 ? w * Scalar(0.5) * (1 - error * error * inverse) : 0
                }
            }
        }
        return (loss, gradients)
    }
}
