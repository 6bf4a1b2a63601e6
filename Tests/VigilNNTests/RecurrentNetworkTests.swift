import Testing
import VigilNN
import VigilTestSupport

@Suite struct RecurrentNetworkTests {
    func series(_ count: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.gaussian() }
    }

    @Test(arguments: RecurrentKind.allCases, [0.0, 0.3])
    func networkGradientsMatchFiniteDifferences(_ kind: RecurrentKind, dropout: Double) {
        let network = RecurrentNetwork<Double>(
            kind: kind,
            inputSize: 2,
            hiddenSize: 4,
            layers: 2,
            outputSize: 4,
            seed: 3
        )
        let (steps, batch) = (5, 2)
        let inputs = series(steps * batch * 2, seed: 4)
        let targets = series(steps * batch * 2, seed: 5)
        let weights = (0..<(steps * batch)).map { $0 < batch ? 0.0 : 1.0 }
        for loss in Loss.allCases {
            let width = loss.outputSize(signals: 2)
            var net = network
            net.head = DenseLayer(
                inputSize: 4,
                outputSize: width,
                weight: Array(series(4 * width, seed: 6).map { $0 * 0.3 }),
                bias: Array(repeating: 0.1, count: width)
            )
            func value(_ parameters: [Double]) -> Double {
                var copy = net
                copy.parameters = parameters
                var random = NNRandom(seed: 9)  // the same dropout mask every time
                let outputs = copy.forward(inputs, steps: steps, batch: batch, dropout: dropout, random: &random)
                    .outputs
                return loss.evaluate(
                    outputs: outputs,
                    targets: targets,
                    rows: steps * batch,
                    signals: 2,
                    weights: weights
                ).loss
            }
            var random = NNRandom(seed: 9)
            let (outputs, cache) = net.forward(inputs, steps: steps, batch: batch, dropout: dropout, random: &random)
            let gradient = loss.evaluate(
                outputs: outputs,
                targets: targets,
                rows: steps * batch,
                signals: 2,
                weights: weights
            ).gradients
            let analytical = net.backward(outputGradients: gradient, cache: cache)
            let point = net.parameters
            var worst = 0.0
            for index in point.indices {
                var plus = point
                var minus = point
                plus[index] += 1e-6
                minus[index] -= 1e-6
                let numerical = (value(plus) - value(minus)) / 2e-6
                worst = max(
                    worst,
                    abs(numerical - analytical[index]) / max(1e-4, abs(numerical) + abs(analytical[index]))
                )
            }
            #expect(worst < 1e-5, "\(kind) \(loss) dropout \(dropout): worst relative error \(worst)")
        }
    }

    @Test(arguments: RecurrentKind.allCases)
    func streamingStepsReproduceTheSequenceForward(_ kind: RecurrentKind) {
        let network = RecurrentNetwork<Float>(
            kind: kind,
            inputSize: 3,
            hiddenSize: 8,
            layers: 2,
            outputSize: 3,
            seed: 1
        )
        let steps = 20
        let inputs = series(steps * 3, seed: 2).map(Float.init)
        let expected = network.forward(inputs, steps: steps, batch: 1)
        var state = StreamState(for: network)
        var streamed: [Float] = []
        for t in 0..<steps {
            streamed += network.step(Array(inputs[t * 3..<(t + 1) * 3]), state: &state)
        }
        #expect(zip(streamed, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test(arguments: RecurrentKind.allCases)
    func batchedStepEqualsIndependentStreams(_ kind: RecurrentKind) {
        let network = RecurrentNetwork<Float>(kind: kind, inputSize: 2, hiddenSize: 6, outputSize: 2, seed: 7)
        let streams = 5
        var batchStates = Array(repeating: StreamState(for: network), count: streams)
        var singleStates = batchStates
        var outputs = [Float](repeating: 0, count: streams * 2)
        for t in 0..<10 {
            let inputs = series(streams * 2, seed: UInt64(100 + t)).map(Float.init)
            network.step(batch: inputs, states: &batchStates, outputs: &outputs)
            for stream in 0..<streams {
                let single = network.step(Array(inputs[stream * 2..<stream * 2 + 2]), state: &singleStates[stream])
                #expect(single == Array(outputs[stream * 2..<stream * 2 + 2]))
            }
        }
    }

    @Test func countsParametersAndFlops() {
        let network = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: 32, outputSize: 1, seed: 1)
        #expect(network.parameterCount == 4 * 32 * (1 + 32) + 8 * 32 + 32 + 1)
        #expect(network.flopsPerStep == 2 * 4 * 32 * (1 + 32 + 1) + 2 * 33)
    }
}

@Suite struct TrainingTests {
    /// A noisy sine (period 25 samples, noise 0.05).
    func sine(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { Float((2 * Double.pi * Double($0) / 25).sin + 0.05 * random.gaussian()) }
    }

    /// AR(2): x_t = 1.2 x_{t-1} − 0.5 x_{t-2} + ε, ε ~ N(0, 0.1²): the best one-step forecast errs by 0.1.
    func ar2(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        var values: [Double] = [0, 0]
        for _ in 2..<count {
            values.append(1.2 * values[values.count - 1] - 0.5 * values[values.count - 2] + 0.1 * random.gaussian())
        }
        return values.map(Float.init)
    }

    /// Root mean square one-step error of a streamed forecast after `skip` warm-up steps.
    func forecastError(_ network: RecurrentNetwork<Float>, _ series: [Float], skip: Int = 20) -> Double {
        var state = StreamState(for: network)
        var squared = 0.0
        var count = 0
        for t in 0..<(series.count - 1) {
            let prediction = network.step([series[t]], state: &state)[0]
            if t >= skip {
                squared += Double((prediction - series[t + 1]) * (prediction - series[t + 1]))
                count += 1
            }
        }
        return (squared / Double(count)).squareRoot()
    }

    let configuration = TrainingConfiguration(
        window: 32,
        burnIn: 4,
        stride: 8,
        batchSize: 16,
        epochs: 12,
        learningRate: 0.01,
        seed: 3
    )

    @Test func learnsANoisySine() {
        var network = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: 12, outputSize: 1, seed: 1)
        let untrained = forecastError(network, sine(400, seed: 2))
        let report = Trainer.train(&network, series: sine(800, seed: 1), signals: 1, configuration: configuration)
        let trained = forecastError(network, sine(400, seed: 2))
        #expect(trained < 0.12, "one-step RMSE \(trained) (untrained \(untrained)); losses \(report.validationLosses)")
    }

    @Test func learnsAnAR2Process() {
        var network = RecurrentNetwork<Float>(kind: .gru, inputSize: 1, hiddenSize: 12, outputSize: 1, seed: 1)
        let report = Trainer.train(&network, series: ar2(800, seed: 1), signals: 1, configuration: configuration)
        let trained = forecastError(network, ar2(400, seed: 2))
        // The noise floor is 0.1; predicting the last value errs by about 0.17 on this process.
        #expect(trained < 0.13, "one-step RMSE \(trained); losses \(report.validationLosses)")
    }

    @Test func theSameSeedGivesTheSameWeightsBitForBit() {
        var configuration = configuration
        configuration.epochs = 2
        configuration.dropout = 0.2
        func train() -> [Float] {
            var network = RecurrentNetwork<Float>(
                kind: .lstm,
                inputSize: 1,
                hiddenSize: 6,
                layers: 2,
                outputSize: 1,
                seed: 5
            )
            _ = Trainer.train(&network, series: sine(300, seed: 1), signals: 1, configuration: configuration)
            return network.parameters
        }
        let first = train()
        let second = train()
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        configuration.seed = 4
        var other = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: 6, layers: 2, outputSize: 1, seed: 5)
        _ = Trainer.train(&other, series: sine(300, seed: 1), signals: 1, configuration: configuration)
        #expect(other.parameters != first)
    }

    @Test func stopsEarlyWhenValidationStopsImproving() {
        var configuration = configuration
        configuration.epochs = 200
        configuration.patience = 2
        configuration.learningRate = 0.05
        var network = RecurrentNetwork<Float>(kind: .gru, inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 2)
        let report = Trainer.train(&network, series: ar2(300, seed: 3), signals: 1, configuration: configuration)
        #expect(report.stoppedEarly)
        #expect(report.validationLosses.count < 200)
        #expect(report.validationLosses[report.bestEpoch] == report.validationLosses.min())
    }

    @Test func gaussianModelLearnsTheNoiseVariance() {
        var configuration = configuration
        configuration.loss = .gaussianNLL
        configuration.epochs = 30
        configuration.stride = 4
        configuration.patience = 30
        var network = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: 12, outputSize: 2, seed: 1)
        _ = Trainer.train(&network, series: ar2(800, seed: 1), signals: 1, configuration: configuration)
        var state = StreamState(for: network)
        var logVariances: [Double] = []
        for value in ar2(300, seed: 2) {
            logVariances.append(Double(network.step([value], state: &state)[1]))
        }
        let meanVariance =
            logVariances.dropFirst(20).map { Double.exp($0) }.reduce(0, +) / Double(logVariances.count - 20)
        // The innovation variance is 0.01; a calibrated model predicts about that.
        #expect(meanVariance > 0.004 && meanVariance < 0.025, "mean predicted variance \(meanVariance)")
    }
}

extension Double {
    fileprivate var sin: Double {
        // A plain Taylor series keeps the test free of Foundation; the argument is reduced to [−π, π].
        var x = self.truncatingRemainder(dividingBy: 2 * .pi)
        if x > .pi { x -= 2 * .pi }
        if x < -.pi { x += 2 * .pi }
        var term = x
        var sum = x
        for n in 1..<12 {
            term *= -x * x / Double((2 * n) * (2 * n + 1))
            sum += term
        }
        return sum
    }
}
