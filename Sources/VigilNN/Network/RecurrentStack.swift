/// The training passes through a stack of recurrent layers started from zero state, shared by
/// `RecurrentNetwork` (a head at every step) and `SequenceRegressor` (a head on the last step).
enum RecurrentStack {
    /// What one layer's forward pass keeps.
    enum LayerCache<Scalar: NNScalar>: Sendable {
        case lstm(LSTMLayer<Scalar>.Cache)
        case gru(GRULayer<Scalar>.Cache)
    }

    /// What `forward` keeps for `backward`.
    struct Cache<Scalar: NNScalar>: Sendable {
        var layerInputs: [[Scalar]]
        var layerCaches: [LayerCache<Scalar>]
        var masks: [[Scalar]?]
    }

    /// Runs sequences `[T][B][I]` through `layers` from zero state; returns the last layer's
    /// hidden states `[T][B][H]`. With a `dropout` rate above 0, that share of the outputs of every
    /// layer but the last is dropped (the rest scaled by 1/(1 − rate)), masks drawn from `random`.
    @_specialize(exported:true,where Scalar == Float)
    static func forward<Scalar: NNScalar>(
        _ layers: [RecurrentLayer<Scalar>],
        inputs: [Scalar],
        steps: Int,
        batch: Int,
        dropout: Double,
        random: inout NNRandom
    ) -> (outputs: [Scalar], cache: Cache<Scalar>) {
        var sequence = inputs
        var cache = Cache<Scalar>(layerInputs: [], layerCaches: [], masks: [])
        for (index, layer) in layers.enumerated() {
            cache.layerInputs.append(sequence)
            let zeros = [Scalar](repeating: 0, count: batch * layer.hiddenSize)
            switch layer {
            case .lstm(let lstm):
                let (outputs, layerCache) = lstm.forward(sequence, steps: steps, batch: batch, h0: zeros, c0: zeros)
                sequence = outputs
                cache.layerCaches.append(.lstm(layerCache))
            case .gru(let gru):
                let (outputs, layerCache) = gru.forward(sequence, steps: steps, batch: batch, h0: zeros)
                sequence = outputs
                cache.layerCaches.append(.gru(layerCache))
            }
            if dropout > 0 && index < layers.count - 1 {
                let mask: [Scalar] = dropoutMask(count: sequence.count, rate: dropout, random: &random)
                for i in sequence.indices { sequence[i] *= mask[i] }
                cache.masks.append(mask)
            } else {
                cache.masks.append(nil)
            }
        }
        return (sequence, cache)
    }

    /// Back-propagates dL/d(outputs) `[T][B][H]` through the stack; returns each layer's parameter
    /// gradients, first layer first, and dL/d(inputs).
    @_specialize(exported:true,where Scalar == Float)
    static func backward<Scalar: NNScalar>(
        _ layers: [RecurrentLayer<Scalar>],
        outputGradients: [Scalar],
        cache: Cache<Scalar>
    ) -> (parameters: [[Scalar]], inputs: [Scalar]) {
        var upstream = outputGradients
        var layerGradients: [[Scalar]] = []
        for index in layers.indices.reversed() {
            if let mask = cache.masks[index] {
                for i in upstream.indices { upstream[i] *= mask[i] }
            }
            var gradients = [Scalar](repeating: 0, count: layers[index].parameterCount)
            switch (layers[index], cache.layerCaches[index]) {
            case (.lstm(let layer), .lstm(let layerCache)):
                upstream =
                    layer.backward(
                        outputGradients: upstream,
                        inputs: cache.layerInputs[index],
                        cache: layerCache,
                        gradients: &gradients
                    ).inputs
            case (.gru(let layer), .gru(let layerCache)):
                upstream =
                    layer.backward(
                        outputGradients: upstream,
                        inputs: cache.layerInputs[index],
                        cache: layerCache,
                        gradients: &gradients
                    ).inputs
            default:
                preconditionFailure("cache does not match the layer")
            }
            layerGradients.append(gradients)
        }
        return (layerGradients.reversed(), upstream)
    }

    /// An inverted-dropout mask: 0 with probability `rate`, else 1/(1 − rate).
    static func dropoutMask<Scalar: NNScalar>(count: Int, rate: Double, random: inout NNRandom) -> [Scalar] {
        let keep = Scalar(1 / (1 - rate))
        return (0..<count).map { _ in Double.random(in: 0..<1, using: &random) < rate ? 0 : keep }
    }
}
