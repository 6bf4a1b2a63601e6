/// How a `SequenceRegressor` is trained.
public struct SequenceTrainingConfiguration: Sendable, Hashable, Codable {
    /// Samples per mini-batch.
    public var batchSize: Int
    /// Most epochs.
    public var epochs: Int
    /// Initial learning rate.
    public var learningRate: Double
    /// Decoupled weight decay; above 0 makes Adam AdamW.
    public var weightDecay: Double
    /// Gradients are scaled down to at most this Euclidean norm.
    public var clipNorm: Double
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule
    /// Epochs without a better validation loss before training stops (with validation samples).
    public var patience: Int
    /// The loss.
    public var loss: Loss
    /// Dropout between recurrent layers and before each head layer.
    public var dropout: Double
    /// Seed of the shuffles and dropout masks.
    public var seed: UInt64

    /// Creates a configuration.
    public init(
        batchSize: Int = 64,
        epochs: Int = 30,
        learningRate: Double = 1e-3,
        weightDecay: Double = 0,
        clipNorm: Double = 1,
        schedule: LearningRateSchedule = .cosine(floor: 0.1),
        patience: Int = 5,
        loss: Loss = .meanSquaredError,
        dropout: Double = 0,
        seed: UInt64 = 1
    ) {
        self.batchSize = batchSize
        self.epochs = epochs
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.schedule = schedule
        self.patience = patience
        self.loss = loss
        self.dropout = dropout
        self.seed = seed
    }
}

/// Trains a `SequenceRegressor` on labelled sequences with mini-batch Adam (or AdamW), in `Float`
/// (the model's calls then reach the layers' specialised passes directly; the gradient checks run
/// the passes themselves in `Double`).
public enum SequenceTrainer {
    /// Trains `model` on `samples`. With `validation` samples, keeps the weights of the epoch with
    /// the lowest validation loss and stops after `patience` epochs without a better one; without,
    /// runs every epoch and keeps the last weights.
    /// - Parameter stopping: asked before every mini-batch; when it returns true, training ends there
    ///   (the report says `stoppedEarly`), e.g. because the daemon is shutting down.
    public static func train<Samples: SequenceSamples<Float>>(
        _ model: inout SequenceRegressor<Float>,
        samples: Samples,
        validation: Samples? = nil,
        configuration: SequenceTrainingConfiguration,
        stopping: () -> Bool = { false }
    ) -> TrainingReport {
        typealias Scalar = Float
        let c = configuration
        precondition(samples.count > 0 && c.batchSize > 0 && c.epochs >= 0)
        precondition(model.inputSize == samples.inputSize)
        precondition(model.outputSize == c.loss.outputSize(signals: samples.targetSize))
        var random = NNRandom(seed: c.seed)
        var optimizer = AdamOptimizer<Scalar>(parameterCount: model.parameterCount, weightDecay: Scalar(c.weightDecay))
        var parameters = model.parameters
        var best = parameters
        var bestLoss = Double.infinity
        var report = TrainingReport(trainingLosses: [], validationLosses: [], bestEpoch: 0, stoppedEarly: false)
        var order = Array(0..<samples.count)
        for epoch in 0..<c.epochs {
            let rate = Scalar(c.schedule.rate(initial: c.learningRate, epoch: epoch, epochs: c.epochs))
            order.shuffle(using: &random)
            var epochLoss = 0.0
            var batches = 0
            for batchStart in Swift.stride(from: 0, to: order.count, by: c.batchSize) {
                if stopping() {
                    report.stoppedEarly = true
                    return report
                }
                let indices = Array(order[batchStart..<min(batchStart + c.batchSize, order.count)])
                let (inputs, targets) = samples.batch(indices)
                let (outputs, cache) = model.forward(
                    inputs,
                    steps: samples.steps,
                    batch: indices.count,
                    dropout: c.dropout,
                    random: &random
                )
                let (loss, outputGradients) = c.loss.evaluate(
                    outputs: outputs,
                    targets: targets,
                    rows: indices.count,
                    signals: samples.targetSize,
                    weights: Array(repeating: 1, count: indices.count)
                )
                var gradients = model.backward(outputGradients: outputGradients, cache: cache)
                clipGradients(&gradients, maxNorm: Scalar(c.clipNorm))
                optimizer.update(&parameters, gradients: gradients, learningRate: rate)
                model.parameters = parameters
                epochLoss += Double(loss)
                batches += 1
            }
            report.trainingLosses.append(epochLoss / Double(max(batches, 1)))
            report.bestEpoch = epoch
            guard let validation else { continue }
            let validationLoss = evaluate(model, samples: validation, loss: c.loss)
            report.validationLosses.append(validationLoss)
            if validationLoss < bestLoss {
                bestLoss = validationLoss
                best = parameters
            } else if epoch - bestEpoch(report) >= c.patience {
                report.stoppedEarly = epoch < c.epochs - 1
                break
            }
        }
        if validation != nil, bestLoss.isFinite {
            model.parameters = best
            report.bestEpoch = bestEpoch(report)
        }
        return report
    }

    /// The mean loss of `model` over `samples` (no dropout).
    public static func evaluate<Samples: SequenceSamples<Float>>(
        _ model: SequenceRegressor<Float>,
        samples: Samples,
        loss: Loss,
        batchSize: Int = 256
    ) -> Double {
        var total = 0.0
        for start in Swift.stride(from: 0, to: samples.count, by: batchSize) {
            let indices = Array(start..<min(start + batchSize, samples.count))
            let (inputs, targets) = samples.batch(indices)
            let outputs = model.forward(inputs, steps: samples.steps, batch: indices.count)
            let value = loss.evaluate(
                outputs: outputs,
                targets: targets,
                rows: indices.count,
                signals: samples.targetSize,
                weights: Array(repeating: 1, count: indices.count)
            ).loss
            total += Double(value) * Double(indices.count)
        }
        return total / Double(max(samples.count, 1))
    }

    /// The model's outputs for every sample, `[N][O]`, in batches (no dropout).
    public static func predict<Samples: SequenceSamples<Float>>(
        _ model: SequenceRegressor<Float>,
        samples: Samples,
        batchSize: Int = 256
    ) -> [Float] {
        var outputs: [Float] = []
        outputs.reserveCapacity(samples.count * model.outputSize)
        for start in Swift.stride(from: 0, to: samples.count, by: batchSize) {
            let indices = Array(start..<min(start + batchSize, samples.count))
            let inputs = samples.batch(indices).inputs
            outputs += model.forward(inputs, steps: samples.steps, batch: indices.count)
        }
        return outputs
    }

    /// The epoch with the lowest validation loss so far (the first of equals).
    private static func bestEpoch(_ report: TrainingReport) -> Int {
        report.validationLosses.indices.min { report.validationLosses[$0] < report.validationLosses[$1] } ?? 0
    }
}
