/// The carried state of one stream (one asset) between streaming steps, with the scratch a step
/// needs, so that `RecurrentNetwork.step` allocates nothing.
public struct StreamState<Scalar: NNScalar>: Sendable, Hashable {
    /// Every layer's h (and c) in order.
    public var values: [Scalar]
    var scratch: [Scalar]
    let offsets: [Int]

    /// A zero state for `network`.
    public init(for network: RecurrentNetwork<Scalar>) {
        var offsets: [Int] = []
        var count = 0
        for layer in network.recurrent {
            offsets.append(count)
            count += layer.stateVectors * layer.hiddenSize
        }
        self.offsets = offsets
        values = Array(repeating: 0, count: count)
        scratch = Array(repeating: 0, count: network.recurrent.map(\.scratchCount).max() ?? 0)
    }

    /// Back to zero.
    public mutating func reset() {
        for index in values.indices { values[index] = 0 }
    }
}

extension RecurrentNetwork {
    /// One streaming step for one stream: one new sample in, one prediction out, the state carried.
    /// Allocates nothing.
    /// - Parameters:
    ///   - input: `I` values.
    ///   - state: the stream's state, updated.
    ///   - output: receives `O` values.
    public func step(
        _ input: UnsafeBufferPointer<Scalar>,
        state: inout StreamState<Scalar>,
        output: UnsafeMutableBufferPointer<Scalar>
    ) {
        precondition(input.count == inputSize && output.count == outputSize)
        state.values.withUnsafeMutableBufferPointer { values in
            state.scratch.withUnsafeMutableBufferPointer { scratch in
                var x = input
                for (index, layer) in recurrent.enumerated() {
                    let start = state.offsets[index]
                    let layerState = UnsafeMutableBufferPointer(
                        rebasing: values[start..<start + layer.stateVectors * layer.hiddenSize]
                    )
                    layer.step(x: x, state: layerState, scratch: scratch)
                    x = UnsafeBufferPointer(rebasing: layerState[0..<layer.hiddenSize])
                }
                head.weight.withUnsafeBufferPointer { weight in
                    let inputs = head.inputSize
                    for o in 0..<head.outputSize {
                        var sum = head.bias[o]
                        for k in 0..<inputs { sum += weight[o * inputs + k] * x[k] }
                        output[o] = head.activation.apply(sum)
                    }
                }
            }
        }
    }

    /// One streaming step from and to arrays (convenience; allocates the output).
    public func step(_ input: [Scalar], state: inout StreamState<Scalar>) -> [Scalar] {
        var output = [Scalar](repeating: 0, count: outputSize)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in step(x, state: &state, output: y) }
        }
        return output
    }

    /// One step for many independent streams of this model (many assets of one kind): `inputs`
    /// `[N][I]`, `states` one per stream, `outputs` `[N][O]`.
    public func step(batch inputs: [Scalar], states: inout [StreamState<Scalar>], outputs: inout [Scalar]) {
        let n = states.count
        precondition(inputs.count == n * inputSize && outputs.count == n * outputSize)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                for stream in 0..<n {
                    step(
                        UnsafeBufferPointer(rebasing: x[stream * inputSize..<(stream + 1) * inputSize]),
                        state: &states[stream],
                        output: UnsafeMutableBufferPointer(rebasing: y[stream * outputSize..<(stream + 1) * outputSize])
                    )
                }
            }
        }
    }
}
