import Testing
import VigilNN
import VigilTestSupport

@Suite struct SequenceRegressorTests {
    func series(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in scale * random.gaussian() }
    }

    @Test(arguments: RecurrentKind.allCases, [0.0, 0.3])
    func gradientsMatchFiniteDifferencesForEveryLoss(_ kind: RecurrentKind, dropout: Double) {
        let (steps, batch, inputs) = (4, 3, 2)
        for loss in Loss.allCases {
            let model = SequenceRegressor<Double>(
                kind: kind,
                inputSize: inputs,
                hiddenSize: 4,
                layers: 2,
                headSizes: [5],
                outputSize: loss.outputSize(signals: 1),
                seed: 7
            )
            let x = series(steps * batch * inputs, seed: 8)
            let targets = series(batch, seed: 9)
            let weights = [Double](repeating: 1, count: batch)
            func value(_ parameters: [Double]) -> Double {
                var copy = model
                copy.parameters = parameters
                var random = NNRandom(seed: 4)  // the same dropout masks every time
                let outputs = copy.forward(x, steps: steps, batch: batch, dropout: dropout, random: &random).outputs
                return loss.evaluate(outputs: outputs, targets: targets, rows: batch, signals: 1, weights: weights).loss
            }
            var random = NNRandom(seed: 4)
            let (outputs, cache) = model.forward(x, steps: steps, batch: batch, dropout: dropout, random: &random)
            let gradient = loss.evaluate(
                outputs: outputs,
                targets: targets,
                rows: batch,
                signals: 1,
                weights: weights
            ).gradients
            let analytical = model.backward(outputGradients: gradient, cache: cache)
            let point = model.parameters
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

    @Test func parametersRoundTripThroughTheFlatVector() {
        let model = SequenceRegressor<Float>(
            kind: .gru,
            inputSize: 3,
            hiddenSize: 6,
            layers: 2,
            headSizes: [4, 3],
            outputSize: 2,
            seed: 1
        )
        var copy = SequenceRegressor<Float>(
            kind: .gru,
            inputSize: 3,
            hiddenSize: 6,
            layers: 2,
            headSizes: [4, 3],
            outputSize: 2,
            seed: 99
        )
        #expect(copy != model)
        copy.parameters = model.parameters
        #expect(copy == model)
        #expect(model.parameters.count == model.parameterCount)
    }

    /// The target is the slope of a noisy ramp seen through a window: the model must read the whole
    /// window, not only its last step.
    @Test(arguments: RecurrentKind.allCases)
    func learnsTheSlopeOfANoisyRampWithinTenPercentOfItsRange(_ kind: RecurrentKind) {
        let (steps, count) = (12, 600)
        var random = SeededRandom(seed: 3)
        var sequences: [Float] = []
        var targets: [Float] = []
        for _ in 0..<count {
            let slope = random.uniform() * 2 - 1
            let offset = random.gaussian()
            for t in 0..<steps {
                sequences.append(Float(offset + slope * Double(t) / 4 + 0.05 * random.gaussian()))
            }
            targets.append(Float(slope))
        }
        let training = ArraySequenceSamples(
            sequences: Array(sequences[0..<(500 * steps)]),
            targets: Array(targets[0..<500]),
            steps: steps,
            inputSize: 1
        )
        let validation = ArraySequenceSamples(
            sequences: Array(sequences[(500 * steps)...]),
            targets: Array(targets[500...]),
            steps: steps,
            inputSize: 1
        )
        var model = SequenceRegressor<Float>(
            kind: kind,
            inputSize: 1,
            hiddenSize: 12,
            headSizes: [8],
            outputSize: 1,
            seed: 2
        )
        let before = SequenceTrainer.evaluate(model, samples: validation, loss: .meanSquaredError)
        let report = SequenceTrainer.train(
            &model,
            samples: training,
            validation: validation,
            configuration: SequenceTrainingConfiguration(batchSize: 32, epochs: 40, learningRate: 5e-3)
        )
        let predictions = SequenceTrainer.predict(model, samples: validation)
        let errors = zip(predictions, validation.targets).map { Double($0 - $1) }
        let rmse = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        // The slopes span [-1, 1]; guessing their mean scores an RMSE of about 0.58.
        #expect(rmse < 0.2, "\(kind): validation RMSE \(rmse), before training MSE \(before)")
        #expect(report.validationLosses.count == report.trainingLosses.count)
        #expect(report.validationLosses[report.bestEpoch] == report.validationLosses.min())
    }

    @Test func withoutValidationEveryEpochRunsAndTheLastWeightsAreKept() {
        let samples = ArraySequenceSamples<Float>(
            sequences: (0..<(40 * 3)).map { Float($0 % 7) / 7 },
            targets: (0..<40).map { Float($0 % 3) },
            steps: 3,
            inputSize: 1
        )
        var model = SequenceRegressor<Float>(kind: .lstm, inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 1)
        let report = SequenceTrainer.train(
            &model,
            samples: samples,
            configuration: SequenceTrainingConfiguration(batchSize: 8, epochs: 6, patience: 1)
        )
        #expect(report.trainingLosses.count == 6)
        #expect(report.validationLosses.isEmpty)
        #expect(report.bestEpoch == 5)
        #expect(!report.stoppedEarly)
    }
}
