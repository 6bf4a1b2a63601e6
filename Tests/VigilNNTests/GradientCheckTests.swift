import Testing
import VigilNN
import VigilTestSupport

/// Every layer's analytical gradients against central finite differences, in Double.
@Suite struct GradientCheckTests {
    let steps = 4
    let batch = 2
    let inputSize = 3
    let hiddenSize = 5

    /// A fixed random projection of the outputs makes a scalar loss: L = Σ w·y.
    func projection(_ count: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.gaussian() }
    }

    func randomVector(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in scale * random.gaussian() }
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Compares an analytical gradient with central differences of `loss` around `point`.
    func check(_ analytical: [Double], at point: [Double], loss: ([Double]) -> Double, label: String) {
        let epsilon = 1e-6
        var worst = 0.0
        for index in point.indices {
            var plus = point
            var minus = point
            plus[index] += epsilon
            minus[index] -= epsilon
            let numerical = (loss(plus) - loss(minus)) / (2 * epsilon)
            let error = abs(numerical - analytical[index]) / max(1e-3, abs(numerical) + abs(analytical[index]))
            worst = max(worst, error)
        }
        #expect(worst < 1e-6, "\(label): worst relative error \(worst)")
    }

    @Test func lstmParameterInputAndStateGradients() {
        var random = SeededRandom(seed: 1)
        let layer = LSTMLayer<Double>(inputSize: inputSize, hiddenSize: hiddenSize, using: &random)
        let inputs = randomVector(steps * batch * inputSize, seed: 2)
        let h0 = randomVector(batch * hiddenSize, seed: 3, scale: 0.5)
        let c0 = randomVector(batch * hiddenSize, seed: 4, scale: 0.5)
        let weights = projection(steps * batch * hiddenSize, seed: 5)
        func loss(_ layer: LSTMLayer<Double>, _ x: [Double], _ h: [Double], _ c: [Double]) -> Double {
            dot(layer.forward(x, steps: steps, batch: batch, h0: h, c0: c).outputs, weights)
        }
        let (_, cache) = layer.forward(inputs, steps: steps, batch: batch, h0: h0, c0: c0)
        var gradients = [Double](repeating: 0, count: layer.parameterCount)
        let d = layer.backward(outputGradients: weights, inputs: inputs, cache: cache, gradients: &gradients)
        check(
            gradients,
            at: layer.parameters,
            loss: { p in
                var copy = layer
                copy.parameters = p
                return loss(copy, inputs, h0, c0)
            },
            label: "LSTM parameters"
        )
        check(d.inputs, at: inputs, loss: { loss(layer, $0, h0, c0) }, label: "LSTM inputs")
        check(d.h0, at: h0, loss: { loss(layer, inputs, $0, c0) }, label: "LSTM h0")
        check(d.c0, at: c0, loss: { loss(layer, inputs, h0, $0) }, label: "LSTM c0")
    }

    @Test func gruParameterInputAndStateGradients() {
        var random = SeededRandom(seed: 6)
        let layer = GRULayer<Double>(inputSize: inputSize, hiddenSize: hiddenSize, using: &random)
        let inputs = randomVector(steps * batch * inputSize, seed: 7)
        let h0 = randomVector(batch * hiddenSize, seed: 8, scale: 0.5)
        let weights = projection(steps * batch * hiddenSize, seed: 9)
        func loss(_ layer: GRULayer<Double>, _ x: [Double], _ h: [Double]) -> Double {
            dot(layer.forward(x, steps: steps, batch: batch, h0: h).outputs, weights)
        }
        let (_, cache) = layer.forward(inputs, steps: steps, batch: batch, h0: h0)
        var gradients = [Double](repeating: 0, count: layer.parameterCount)
        let d = layer.backward(outputGradients: weights, inputs: inputs, cache: cache, gradients: &gradients)
        check(
            gradients,
            at: layer.parameters,
            loss: { p in
                var copy = layer
                copy.parameters = p
                return loss(copy, inputs, h0)
            },
            label: "GRU parameters"
        )
        check(d.inputs, at: inputs, loss: { loss(layer, $0, h0) }, label: "GRU inputs")
        check(d.h0, at: h0, loss: { loss(layer, inputs, $0) }, label: "GRU h0")
    }

    @Test(arguments: Activation.allCases)
    func denseParameterAndInputGradients(_ activation: Activation) {
        var random = SeededRandom(seed: 10)
        let layer = DenseLayer<Double>(inputSize: 4, outputSize: 3, activation: activation, using: &random)
        let rows = 5
        // Keep ReLU inputs away from its kink, where the derivative is undefined.
        let inputs = randomVector(rows * 4, seed: 11).map { activation == .relu && abs($0) < 0.05 ? $0 + 0.1 : $0 }
        let weights = projection(rows * 3, seed: 12)
        func loss(_ layer: DenseLayer<Double>, _ x: [Double]) -> Double { dot(layer.forward(x, rows: rows), weights) }
        let outputs = layer.forward(inputs, rows: rows)
        var gradients = [Double](repeating: 0, count: layer.parameterCount)
        let dInputs = layer.backward(
            outputGradients: weights,
            inputs: inputs,
            outputs: outputs,
            rows: rows,
            gradients: &gradients
        )
        check(
            gradients,
            at: layer.parameters,
            loss: { p in
                var copy = layer
                copy.parameters = p
                return loss(copy, inputs)
            },
            label: "dense \(activation) parameters"
        )
        check(dInputs, at: inputs, loss: { loss(layer, $0) }, label: "dense \(activation) inputs")
    }
}

@Suite struct NNScalarTests {
    @Test func expMatchesKnownValuesInBothPrecisions() {
        let cases: [(Double, Double)] = [
            (0, 1), (1, 2.718281828459045), (-1, 0.36787944117144233), (10, 22026.465794806718),
            (-20, 2.061153622438558e-09), (0.5, 1.6487212707001282),
        ]
        for (x, expected) in cases {
            #expect(abs(Double.exp(x) - expected) / expected < 4e-16)
            #expect(abs(Double(Float.exp(Float(x))) - expected) / expected < 3e-7)
        }
        #expect(Float.exp(100) == .infinity)
        #expect(Float.exp(-200) == 0)
    }

    @Test func sigmoidAndTanhAreAccurateAndSaturateCleanly() {
        for x in stride(from: -30.0, through: 30.0, by: 0.37) {
            let tanh = (Double.exp(2 * x) - 1) / (Double.exp(2 * x) + 1)
            if abs(x) < 15 { #expect(abs(Double.tanh(x) - tanh) < 1e-15) }
            #expect(abs(Double.sigmoid(x) - 1 / (1 + Double.exp(-x))) < 1e-15)
            #expect(abs(Float.tanh(Float(x)) - Float(Double.tanh(x))) < 2e-7)
        }
        #expect(Float.sigmoid(-1000) == 0)
        #expect(Float.sigmoid(1000) == 1)
        #expect(Float.tanh(1000) == 1)
    }

    @Test func logInvertsExp() {
        for (x, expected) in [(2.0, 0.6931471805599453), (1000, 6.907755278982137), (1e-10, -23.025850929940457)] {
            #expect(abs(Double.log(x) - expected) < 1e-14)
        }
        for x in [1e-10, 0.001, 0.5, 1, 2, 1000, 1e30] {
            #expect(abs(Double.exp(Double.log(x)) - x) / x < 1e-14)
        }
    }
}
