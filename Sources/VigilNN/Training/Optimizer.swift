/// Adam, or AdamW with decoupled weight decay (Loshchilov & Hutter), over a flat parameter vector.
public struct AdamOptimizer<Scalar: NNScalar>: Sendable {
    /// First-moment decay.
    public var beta1: Scalar = 0.9
    /// Second-moment decay.
    public var beta2: Scalar = 0.999
    /// Numerical floor of the denominator.
    public var epsilon: Scalar = 1e-8
    /// Decoupled weight decay per step, scaled by the learning rate (0: plain Adam).
    public var weightDecay: Scalar
    private var m: [Scalar]
    private var v: [Scalar]
    private var t = 0

    /// Creates an optimizer for `count` parameters.
    public init(parameterCount count: Int, weightDecay: Scalar = 0) {
        self.weightDecay = weightDecay
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
    }

    /// One update of `parameters` by `gradients` at `learningRate`.
    @_specialize(exported:true,where Scalar == Float)
    public mutating func update(_ parameters: inout [Scalar], gradients: [Scalar], learningRate: Scalar) {
        precondition(parameters.count == m.count && gradients.count == m.count)
        t += 1
        let correction1 = 1 - pow(beta1, t)
        let correction2 = 1 - pow(beta2, t)
        for i in parameters.indices {
            let g = gradients[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            let mHat = m[i] / correction1
            let vHat = v[i] / correction2
            parameters[i] -= learningRate * (mHat / (vHat.squareRoot() + epsilon) + weightDecay * parameters[i])
        }
    }

    private func pow(_ base: Scalar, _ exponent: Int) -> Scalar {
        var result: Scalar = 1
        for _ in 0..<exponent { result *= base }
        return result
    }
}

/// Scales gradients so that their Euclidean norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradients<Scalar: NNScalar>(_ gradients: inout [Scalar], maxNorm: Scalar) -> Scalar {
    let norm = gradients.reduce(0) { $0 + $1 * $1 }.squareRoot()
    if norm > maxNorm && norm > 0 {
        let scale = maxNorm / norm
        for i in gradients.indices { gradients[i] *= scale }
    }
    return norm
}

/// How the learning rate changes over the epochs.
public enum LearningRateSchedule: Sendable, Hashable, Codable {
    /// The same rate throughout.
    case constant
    /// Cosine decay from the initial rate to `floor` × that rate over all epochs.
    case cosine(floor: Double)
    /// Multiply by `factor` every `every` epochs.
    case step(every: Int, factor: Double)

    /// The rate for `epoch` (0-based) of `epochs`.
    public func rate(initial: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant:
            return initial
        case .cosine(let floor):
            let progress = epochs > 1 ? Double(epoch) / Double(epochs - 1) : 0
            return initial * (floor + (1 - floor) * 0.5 * (1 + cosine(Double.pi * progress)))
        case .step(let every, let factor):
            var rate = initial
            for _ in 0..<(every > 0 ? epoch / every : 0) { rate *= factor }
            return rate
        }
    }

    private func cosine(_ x: Double) -> Double {
        // Taylor series of cos on [0, π], 14 terms: error below 1e-12.
        var term = 1.0
        var sum = 1.0
        for n in 1..<15 {
            term *= -x * x / Double((2 * n - 1) * (2 * n))
            sum += term
        }
        return sum
    }
}
