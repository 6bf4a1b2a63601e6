/// A stack of recurrent layers read at its last step by a small dense head: a window of a series
/// in, a few numbers out (for a remaining useful life: the estimate, and for Gaussian models its
/// log-variance too).
///
/// ```swift
/// let model = SequenceRegressor<Float>(kind: .lstm, inputSize: 14, hiddenSize: 32, headSizes: [16],
///                                      outputSize: 1, seed: 1)
/// let estimates = model.forward(windows, steps: 30, batch: windows.count / (30 * 14))   // [B][1]
/// ```
public struct SequenceRegressor<Scalar: NNScalar>: Sendable, Hashable, Codable {
    /// The recurrent layers, first to last.
    public var recurrent: [RecurrentLayer<Scalar>]
    /// The dense head, first to last: ReLU layers, then an identity layer with the outputs.
    public var head: [DenseLayer<Scalar>]

    /// Creates a model with fresh weights drawn from `seed`.
    /// - Parameters:
    ///   - headSizes: widths of the head's hidden ReLU layers (none: one linear layer).
    public init(
        kind: RecurrentKind,
        inputSize: Int,
        hiddenSize: Int,
        layers: Int = 1,
        headSizes: [Int] = [],
        outputSize: Int,
        seed: UInt64
    ) {
        precondition(layers >= 1 && outputSize >= 1 && headSizes.allSatisfy { $0 >= 1 })
        var random = NNRandom(seed: seed)
        recurrent = (0..<layers).map { index in
            let size = index == 0 ? inputSize : hiddenSize
            switch kind {
            case .lstm: return .lstm(LSTMLayer(inputSize: size, hiddenSize: hiddenSize, using: &random))
            case .gru: return .gru(GRULayer(inputSize: size, hiddenSize: hiddenSize, using: &random))
            }
        }
        var head: [DenseLayer<Scalar>] = []
        var width = hiddenSize
        for size in headSizes {
            head.append(DenseLayer(inputSize: width, outputSize: size, activation: .relu, using: &random))
            width = size
        }
        head.append(DenseLayer(inputSize: width, outputSize: outputSize, using: &random))
        self.head = head
    }

    /// Creates a model from layers.
    public init(recurrent: [RecurrentLayer<Scalar>], head: [DenseLayer<Scalar>]) {
        precondition(!recurrent.isEmpty && !head.isEmpty && head[0].inputSize == recurrent.last!.hiddenSize)
        for (lower, upper) in zip(recurrent, recurrent.dropFirst()) {
            precondition(upper.inputSize == lower.hiddenSize)
        }
        for (lower, upper) in zip(head, head.dropFirst()) {
            precondition(upper.inputSize == lower.outputSize)
        }
        self.recurrent = recurrent
        self.head = head
    }

    /// Input features per step.
    public var inputSize: Int { recurrent[0].inputSize }
    /// Outputs per sequence.
    public var outputSize: Int { head.last!.outputSize }
    /// Number of parameters.
    public var parameterCount: Int {
        recurrent.reduce(0) { $0 + $1.parameterCount } + head.reduce(0) { $0 + $1.parameterCount }
    }

    /// All parameters: each recurrent layer's in order, then each head layer's.
    public var parameters: [Scalar] {
        get { recurrent.flatMap(\.parameters) + head.flatMap(\.parameters) }
        set {
            precondition(newValue.count == parameterCount)
            var offset = 0
            for index in recurrent.indices {
                let count = recurrent[index].parameterCount
                recurrent[index].parameters = Array(newValue[offset..<offset + count])
                offset += count
            }
            for index in head.indices {
                let count = head[index].parameterCount
                head[index].parameters = Array(newValue[offset..<offset + count])
                offset += count
            }
        }
    }

    /// Floating-point operations to read one sequence of `steps` steps (multiply-adds count two).
    public func flops(steps: Int) -> Int {
        var perStep = 0
        for layer in recurrent {
            let gates = layer.kind == .lstm ? 4 : 3
            perStep += 2 * gates * layer.hiddenSize * (layer.inputSize + layer.hiddenSize + 1)
        }
        return steps * perStep + head.reduce(0) { $0 + 2 * $1.parameterCount }
    }

    // MARK: - Training passes

    /// What `forward` keeps for `backward`.
    public struct Cache: Sendable {
        var stack: RecurrentStack.Cache<Scalar>
        /// Each head layer's input `[B][width]` (after its dropout mask) and output.
        var headInputs: [[Scalar]]
        var headOutputs: [[Scalar]]
        var headMasks: [[Scalar]?]
        let steps: Int
        let batch: Int
    }

    /// Reads sequences `[T][B][I]` from zero state; returns `[B][O]`.
    /// - Parameter dropout: with a rate above 0, drops that share of the outputs of every recurrent
    ///   layer but the last and of the inputs of every head layer (training only), scaling the
    ///   rest by 1/(1 − rate), with masks drawn from `random`.
    @_specialize(exported:true,where Scalar == Float)
    public func forward(
        _ inputs: [Scalar],
        steps: Int,
        batch: Int,
        dropout: Double = 0,
        random: inout NNRandom
    ) -> (outputs: [Scalar], cache: Cache) {
        precondition(inputs.count == steps * batch * inputSize)
        let (sequence, stack) = RecurrentStack.forward(
            recurrent,
            inputs: inputs,
            steps: steps,
            batch: batch,
            dropout: dropout,
            random: &random
        )
        var values = Array(sequence[((steps - 1) * batch * recurrent.last!.hiddenSize)...])
        var cache = Cache(stack: stack, headInputs: [], headOutputs: [], headMasks: [], steps: steps, batch: batch)
        for layer in head {
            if dropout > 0 {
                let mask: [Scalar] = RecurrentStack.dropoutMask(count: values.count, rate: dropout, random: &random)
                for i in values.indices { values[i] *= mask[i] }
                cache.headMasks.append(mask)
            } else {
                cache.headMasks.append(nil)
            }
            cache.headInputs.append(values)
            values = layer.forward(values, rows: batch)
            cache.headOutputs.append(values)
        }
        return (values, cache)
    }

    /// Reads sequences without dropout; returns `[B][O]`.
    public func forward(_ inputs: [Scalar], steps: Int, batch: Int) -> [Scalar] {
        var random = NNRandom(seed: 0)
        return forward(inputs, steps: steps, batch: batch, random: &random).outputs
    }

    /// Back-propagates dL/d(outputs) `[B][O]`; returns dL/d(parameters) in the layout of
    /// `parameters`.
    @_specialize(exported:true,where Scalar == Float)
    public func backward(outputGradients: [Scalar], cache: Cache) -> [Scalar] {
        let batch = cache.batch
        var upstream = outputGradients
        var headGradients: [[Scalar]] = []
        for index in head.indices.reversed() {
            var gradients = [Scalar](repeating: 0, count: head[index].parameterCount)
            upstream = head[index].backward(
                outputGradients: upstream,
                inputs: cache.headInputs[index],
                outputs: cache.headOutputs[index],
                rows: batch,
                gradients: &gradients
            )
            if let mask = cache.headMasks[index] {
                for i in upstream.indices { upstream[i] *= mask[i] }
            }
            headGradients.append(gradients)
        }
        // Only the last step feeds the head.
        let hidden = recurrent.last!.hiddenSize
        var sequenceGradients = [Scalar](repeating: 0, count: cache.steps * batch * hidden)
        let last = (cache.steps - 1) * batch * hidden
        for i in upstream.indices { sequenceGradients[last + i] = upstream[i] }
        let layers = RecurrentStack.backward(recurrent, outputGradients: sequenceGradients, cache: cache.stack)
        return layers.parameters.flatMap { $0 } + headGradients.reversed().flatMap { $0 }
    }
}
