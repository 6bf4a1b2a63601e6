import Testing
import VigilNN
import VigilTestSupport

/// The repacked inference path against the reference network it was built from.
@Suite struct InferenceNetworkTests {
    /// Shapes that reach every kernel: streams 1 to 13 cover each tile height (blocks of six plus
    /// every remainder), hidden sizes off the eight- and sixteen-lane grid exercise the scalar tails
    /// and padded panels, and 4H ≥ 64 (LSTM) or 3H ≥ 64 (GRU) the single stream's wide tile.
    static let shapes: [(layers: Int, hidden: Int, streams: Int)] =
        [(1, 8, 1), (2, 12, 5), (1, 32, 4), (2, 5, 3), (1, 16, 1), (1, 33, 1), (2, 24, 1), (1, 20, 13)]
        + (6...12).map { (1, 9, $0) }

    @Test(arguments: RecurrentKind.allCases, shapes)
    func equalsTheReferenceNetwork(_ kind: RecurrentKind, _ shape: (layers: Int, hidden: Int, streams: Int)) {
        let inputSize = 3
        let network = RecurrentNetwork<Float>(
            kind: kind,
            inputSize: inputSize,
            hiddenSize: shape.hidden,
            layers: shape.layers,
            outputSize: 2,
            seed: 11
        )
        let engine = InferenceNetwork(network)
        var state = engine.makeState(streams: shape.streams)
        var references = Array(repeating: StreamState(for: network), count: shape.streams)
        var random = SeededRandom(seed: 3)
        var outputs = [Float](repeating: 0, count: shape.streams * 2)
        var worst: Float = 0
        for _ in 0..<30 {
            let inputs = (0..<(shape.streams * inputSize)).map { _ in Float(2 * random.gaussian()) }
            inputs.withUnsafeBufferPointer { x in
                outputs.withUnsafeMutableBufferPointer { y in engine.step(x, state: &state, outputs: y) }
            }
            for stream in 0..<shape.streams {
                let expected = network.step(
                    Array(inputs[stream * inputSize..<(stream + 1) * inputSize]),
                    state: &references[stream]
                )
                for o in 0..<2 { worst = max(worst, abs(expected[o] - outputs[stream * 2 + o])) }
            }
        }
        #expect(worst <= 1e-5, "worst difference \(worst)")
    }

    @Test func saturatesCleanlyOnExtremeInputs() {
        let network = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: 16, outputSize: 1, seed: 1)
        let engine = InferenceNetwork(network)
        var state = engine.makeState(streams: 1)
        var reference = StreamState(for: network)
        for value: Float in [1e6, -1e6, 0, 300, -300] {
            var output: [Float] = [0]
            [value].withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { engine.step(x, state: &state, outputs: $0) }
            }
            let expected = network.step([value], state: &reference)[0]
            #expect(output[0].isFinite)
            #expect(abs(output[0] - expected) <= 1e-5)
        }
    }

    /// The streaming path's promise: after the state is made, a step allocates nothing (counted by
    /// malloc wrappers on this thread), for one stream and for a batch; the reference path, which
    /// returns arrays, is the control that shows the counter sees allocations.
    @Test(arguments: RecurrentKind.allCases, [1, 7])
    func aStepAllocatesNothing(_ kind: RecurrentKind, _ streams: Int) {
        let network = RecurrentNetwork<Float>(
            kind: kind,
            inputSize: 3,
            hiddenSize: 20,
            layers: 2,
            outputSize: 3,
            seed: 5
        )
        let engine = InferenceNetwork(network)
        var state = engine.makeState(streams: streams)
        let inputs = (0..<(3 * streams)).map { Float($0) / 10 }
        var outputs = [Float](repeating: 0, count: 3 * streams)
        let allocations = inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                engine.step(x, state: &state, outputs: y)
                return AllocationCounter.count {
                    for _ in 0..<100 { engine.step(x, state: &state, outputs: y) }
                }
            }
        }
        #expect(allocations == 0)
        #expect(outputs.allSatisfy { $0.isFinite })

        var reference = StreamState(for: network)
        let control: UInt = AllocationCounter.count { _ = network.step([0.1, 0.2, 0.3], state: &reference) }
        #expect(control > 0)
    }
}
