/// How a network is trained on a series.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// Steps per training window (truncated back-propagation through time).
    public var window: Int
    /// Steps at the start of each window that warm the state up and are not scored.
    public var burnIn: Int
    /// Steps between the starts of consecutive windows.
    public var stride: Int
    /// Windows per mini-batch.
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
    /// Share of the windows, the latest in time, held out for validation and early stopping.
    public var validationFraction: Double
    /// Epochs without a better validation loss before training stops.
    public var patience: Int
    /// The loss.
    public var loss: Loss
    /// Dropout between recurrent layers.
    public var dropout: Double
    /// Seed of the shuffles and dropout masks.
    public var seed: UInt64

    /// Creates a configuration; the defaults suit a few thousand samples of a sensor.
    public init(
        window: Int = 64,
        burnIn: Int = 8,
        stride: Int = 16,
        batchSize: Int = 32,
        epochs: Int = 30,
        learningRate: Double = 3e-3,
        weightDecay: Double = 0,
        clipNorm: Double = 1,
        schedule: LearningRateSchedule = .cosine(floor: 0.1),
        validationFraction: Double = 0.2,
        patience: Int = 5,
        loss: Loss = .meanSquaredError,
        dropout: Double = 0,
        seed: UInt64 = 1
    ) {
        self.window = window
        self.burnIn = burnIn
        self.stride = stride
        self.batchSize = batchSize
        self.epochs = epochs
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.schedule = schedule
        self.validationFraction = validationFraction
        self.patience = patience
        self.loss = loss
        self.dropout = dropout
        self.seed = seed
    }
}

/// What a training run did.
public struct TrainingReport: Sendable, Hashable {
    /// Mean training loss per epoch run.
    public var trainingLosses: [Double]
    /// Validation loss per epoch run.
    public var validationLosses: [Double]
    /// The epoch whose weights were kept (lowest validation loss).
    public var bestEpoch: Int
    /// Whether patience ran out before the last epoch.
    public var stoppedEarly: Bool
}

/// Trains a forecasting network: at every step it sees the signals and predicts the next step's.
public enum Trainer {
    /// Trains `network` on `series` (`[T][signals]`, flat, already normalised) to forecast one step
    /// ahead, keeping the weights of the epoch with the lowest validation loss.
    @_specialize(exported:true,where Scalar == Float)
    public static func train<Scalar: NNScalar>(
        _ network: inout RecurrentNetwork<Scalar>,
        series: [Scalar],
        signals: Int,
        configuration: TrainingConfiguration
    ) -> TrainingReport {
        let c = configuration
        precondition(network.inputSize == signals && network.outputSize == c.loss.outputSize(signals: signals))
        precondition(c.window > c.burnIn && c.stride > 0 && c.batchSize > 0)
        let length = series.count / signals
        var starts = Array(Swift.stride(from: 0, through: length - c.window - 1, by: c.stride))
        precondition(starts.count >= 2, "the series is too short for two windows")
        let validationCount = max(1, Int((Double(starts.count) * c.validationFraction).rounded()))
        let validation = Array(starts.suffix(validationCount))
        starts.removeLast(validationCount)
        let training = starts.isEmpty ? validation : starts

        var random = NNRandom(seed: c.seed)
        var optimizer = AdamOptimizer<Scalar>(
            parameterCount: network.parameterCount,
            weightDecay: Scalar(c.weightDecay)
        )
        var parameters = network.parameters
        var best = parameters
        var bestLoss = Double.infinity
        var bestEpoch = 0
        var report = TrainingReport(trainingLosses: [], validationLosses: [], bestEpoch: 0, stoppedEarly: false)
        var order = training
        for epoch in 0..<c.epochs {
            let rate = Scalar(c.schedule.rate(initial: c.learningRate, epoch: epoch, epochs: c.epochs))
            order.shuffle(using: &random)
            var epochLoss = 0.0
            var batches = 0
            for batchStart in Swift.stride(from: 0, to: order.count, by: c.batchSize) {
                let batch = Array(order[batchStart..<min(batchStart + c.batchSize, order.count)])
                let (inputs, targets, weights) = assemble(series, signals: signals, starts: batch, configuration: c)
                let (outputs, cache) = network.forward(
                    inputs,
                    steps: c.window,
                    batch: batch.count,
                    dropout: c.dropout,
                    random: &random
                )
                let (loss, outputGradients) = c.loss.evaluate(
                    outputs: outputs,
                    targets: targets,
                    rows: c.window * batch.count,
                    signals: signals,
                    weights: weights
                )
                var gradients = network.backward(outputGradients: outputGradients, cache: cache)
                clipGradients(&gradients, maxNorm: Scalar(c.clipNorm))
                optimizer.update(&parameters, gradients: gradients, learningRate: rate)
                network.parameters = parameters
                epochLoss += Double(loss)
                batches += 1
            }
            let validationLoss = Double(
                evaluate(network, series: series, signals: signals, starts: validation, configuration: c)
            )
            report.trainingLosses.append(epochLoss / Double(max(batches, 1)))
            report.validationLosses.append(validationLoss)
            if validationLoss < bestLoss {
                bestLoss = validationLoss
                best = parameters
                bestEpoch = epoch
            } else if epoch - bestEpoch >= c.patience {
                report.stoppedEarly = epoch < c.epochs - 1
                break
            }
        }
        network.parameters = best
        report.bestEpoch = bestEpoch
        return report
    }

    /// The mean loss of `network` over the windows starting at `starts` (no dropout).
    @_specialize(exported:true,where Scalar == Float)
    public static func evaluate<Scalar: NNScalar>(
        _ network: RecurrentNetwork<Scalar>,
        series: [Scalar],
        signals: Int,
        starts: [Int],
        configuration: TrainingConfiguration
    ) -> Scalar {
        let (inputs, targets, weights) = assemble(
            series,
            signals: signals,
            starts: starts,
            configuration: configuration
        )
        let outputs = network.forward(inputs, steps: configuration.window, batch: starts.count)
        return configuration.loss.evaluate(
            outputs: outputs,
            targets: targets,
            rows: configuration.window * starts.count,
            signals: signals,
            weights: weights
        ).loss
    }

    /// Inputs `[window][B][S]`, next-step targets in the same layout, and row weights (0 in the burn-in).
    static func assemble<Scalar: NNScalar>(
        _ series: [Scalar],
        signals: Int,
        starts: [Int],
        configuration: TrainingConfiguration
    ) -> (inputs: [Scalar], targets: [Scalar], weights: [Scalar]) {
        let window = configuration.window
        let batch = starts.count
        var inputs = [Scalar](repeating: 0, count: window * batch * signals)
        var targets = [Scalar](repeating: 0, count: window * batch * signals)
        var weights = [Scalar](repeating: 0, count: window * batch)
        for t in 0..<window {
            for (b, start) in starts.enumerated() {
                for s in 0..<signals {
                    inputs[(t * batch + b) * signals + s] = series[(start + t) * signals + s]
                    targets[(t * batch + b) * signals + s] = series[(start + t + 1) * signals + s]
                }
                weights[t * batch + b] = t >= configuration.burnIn ? 1 : 0
            }
        }
        return (inputs, targets, weights)
    }
}
