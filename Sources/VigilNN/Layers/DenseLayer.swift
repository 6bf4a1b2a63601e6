/// A fully connected layer y = f(W x + b), W `[O × I]` row-major.
public struct DenseLayer<Scalar: NNScalar>: Sendable, Hashable, Codable {
    /// Input features.
    public let inputSize: Int
    /// Output features.
    public let outputSize: Int
    /// `[O × I]`.
    public var weight: [Scalar]
    /// `[O]`.
    public var bias: [Scalar]
    /// The activation.
    public let activation: Activation

    /// Creates a layer with U(−1/√I, 1/√I) initialisation.
    public init(
        inputSize: Int,
        outputSize: Int,
        activation: Activation = .identity,
        using random: inout some RandomNumberGenerator
    ) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        let bound = 1 / Scalar(inputSize).squareRoot()
        weight = .uniform(count: inputSize * outputSize, bound: bound, using: &random)
        bias = .uniform(count: outputSize, bound: bound, using: &random)
    }

    /// Creates a layer from given parameters.
    public init(inputSize: Int, outputSize: Int, weight: [Scalar], bias: [Scalar], activation: Activation = .identity) {
        precondition(weight.count == inputSize * outputSize && bias.count == outputSize)
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }

    /// Applies the layer to `rows` inputs `[rows][I]`; returns `[rows][O]`.
    @_specialize(exported:true,where Scalar == Float)
    public func forward(_ inputs: [Scalar], rows: Int) -> [Scalar] {
        var outputs = [Scalar](repeating: 0, count: rows * outputSize)
        for r in 0..<rows {
            for o in 0..<outputSize {
                var sum = bias[o]
                for k in 0..<inputSize { sum += weight[o * inputSize + k] * inputs[r * inputSize + k] }
                outputs[r * outputSize + o] = activation.apply(sum)
            }
        }
        return outputs
    }

    /// Back-propagates dL/dy `[rows][O]` given the forward inputs and outputs; accumulates the
    /// parameter gradients (weight, then bias) and returns dL/dx.
    @_specialize(exported:true,where Scalar == Float)
    public func backward(
        outputGradients: [Scalar],
        inputs: [Scalar],
        outputs: [Scalar],
        rows: Int,
        gradients: inout [Scalar]
    ) -> [Scalar] {
        precondition(gradients.count == parameterCount)
        var dInputs = [Scalar](repeating: 0, count: rows * inputSize)
        for r in 0..<rows {
            for o in 0..<outputSize {
                let d = outputGradients[r * outputSize + o] * activation.derivative(output: outputs[r * outputSize + o])
                gradients[weight.count + o] += d
                for k in 0..<inputSize {
                    gradients[o * inputSize + k] += d * inputs[r * inputSize + k]
                    dInputs[r * inputSize + k] += d * weight[o * inputSize + k]
                }
            }
        }
        return dInputs
    }

    /// All parameters: weight, then bias.
    public var parameters: [Scalar] {
        get { weight + bias }
        set {
            weight = Array(newValue[0..<weight.count])
            bias = Array(newValue[weight.count...])
        }
    }

    /// Number of parameters.
    public var parameterCount: Int { weight.count + bias.count }
}
