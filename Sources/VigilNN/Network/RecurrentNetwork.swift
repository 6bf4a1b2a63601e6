/// A stack of recurrent layers with a dense head applied at every step: the model Vigil learns
/// for each asset (input: the asset's normalised signals; output: the next step's forecast, and
/// for Gaussian models its log-variance too).
public struct RecurrentNetwork<Scalar: NNScalar>: Sendable, Hashable, Codable {
    /// The recurrent layers, first to last.
    public var recurrent: [RecurrentLayer<Scalar>]
    /// The dense head.
    public var head: DenseLayer<Scalar>

    /// Creates a network with fresh weights drawn from `seed`.
    public init(kind: RecurrentKind, inputSize: Int, hiddenSize: Int, layers: Int = 1, outputSize: Int, seed: UInt64) {
        precondition(layers >= 1)
        var random = NNRandom(seed: seed)
        recurrent = (0..<layers).map { index in
            let size = index == 0 ? inputSize : hiddenSize
            switch kind {
            case .lstm: return .lstm(LSTMLayer(inputSize: size, hiddenSize: hiddenSize, using: &random))
            case .gru: return .gru(GRULayer(inputSize: size, hiddenSize: hiddenSize, using: &random))
            }
        }
        head = DenseLayer(inputSize: hiddenSize, outputSize: outputSize, using: &random)
    }

    /// Creates a network from layers.
    public init(recurrent: [RecurrentLayer<Scalar>], head: DenseLayer<Scalar>) {
        precondition(!recurrent.isEmpty && head.inputSize == recurrent.last!.hiddenSize)
        for (lower, upper) in zip(recurrent, recurrent.dropFirst()) {
            precondition(upper.inputSize == lower.hiddenSize)
        }
        self.recurrent = recurrent
        self.head = head
    }

    /// Input features.
    public var inputSize: Int { recurrent[0].inputSize }
    /// Output features.
    public var outputSize: Int { head.outputSize }
    /// Number of parameters.
    public var parameterCount: Int { recurrent.reduce(head.parameterCount) { $0 + $1.parameterCount } }

    /// All parameters: each recurrent layer's in order, then the head's.
    public var parameters: [Scalar] {
        get { recurrent.flatMap(\.parameters) + head.parameters }
        set {
            precondition(newValue.count == parameterCount)
            var offset = 0
            for index in recurrent.indices {
                let count = recurrent[index].parameterCount
                recurrent[index].parameters = Array(newValue[offset..<offset + count])
                offset += count
            }
            head.parameters = Array(newValue[offset...])
        }
    }

    /// Floating-point operations of one streaming step for one stream (multiply-adds count two).
    public var flopsPerStep: Int {
        var flops = 2 * head.parameterCount
        for layer in recurrent {
            let gates = layer.kind == .lstm ? 4 : 3
            flops += 2 * gates * layer.hiddenSize * (layer.inputSize + layer.hiddenSize + 1)
        }
        return flops
    }

    // MARK: - Training passes

    /// What `forward` keeps for `backward`.
    public struct Cache: Sendable {
        var stack: RecurrentStack.Cache<Scalar>
        var headInput: [Scalar]
        var outputs: [Scalar]
        let steps: Int
        let batch: Int
    }

    /// Runs sequences `[T][B][I]` from zero state; returns `[T][B][O]`.
    /// - Parameter dropout: with a rate above 0 and a generator, drops that share of the outputs of
    ///   every recurrent layer but the last (training only), scaling the rest by 1/(1 − rate).
    @_specialize(exported:true,where Scalar == Float)
    public func forward(
        _ inputs: [Scalar],
        steps: Int,
        batch: Int,
        dropout: Double = 0,
        random: inout NNRandom
    ) -> (outputs: [Scalar], cache: Cache) {
        let (sequence, stack) = RecurrentStack.forward(
            recurrent,
            inputs: inputs,
            steps: steps,
            batch: batch,
            dropout: dropout,
            random: &random
        )
        let outputs = head.forward(sequence, rows: steps * batch)
        return (outputs, Cache(stack: stack, headInput: sequence, outputs: outputs, steps: steps, batch: batch))
    }

    /// Runs sequences without dropout.
    public func forward(_ inputs: [Scalar], steps: Int, batch: Int) -> [Scalar] {
        var random = NNRandom(seed: 0)
        return forward(inputs, steps: steps, batch: batch, random: &random).outputs
    }

    /// Back-propagates dL/d(outputs) `[T][B][O]` through the network; returns dL/d(parameters) in
    /// the layout of `parameters`.
    @_specialize(exported:true,where Scalar == Float)
    public func backward(outputGradients: [Scalar], cache: Cache) -> [Scalar] {
        var headGradients = [Scalar](repeating: 0, count: head.parameterCount)
        let upstream = head.backward(
            outputGradients: outputGradients,
            inputs: cache.headInput,
            outputs: cache.outputs,
            rows: cache.steps * cache.batch,
            gradients: &headGradients
        )
        let layers = RecurrentStack.backward(recurrent, outputGradients: upstream, cache: cache.stack).parameters
        return layers.flatMap { $0 } + headGradients
    }
}
