public import VigilNN

/// How an asset's forecasting network is shaped and trained.
public struct ForecastSettings: Sendable, Hashable, Codable {
    /// `lstm` or `gru`.
    public var kind: RecurrentKind
    /// Hidden units.
    public var hidden: Int
    /// Steps per training window (truncated BPTT).
    public var window: Int
    /// Most epochs per training run.
    public var epochs: Int
    /// Initial learning rate (Adam, cosine schedule).
    public var learningRate: Double
    /// Seed of initialisation and shuffles.
    public var seed: UInt64

    /// Creates settings; the defaults train in well under a second on a few hundred ticks.
    public init(
        kind: RecurrentKind = .lstm,
        hidden: Int = 16,
        window: Int = 32,
        epochs: Int = 40,
        learningRate: Double = 5e-3,
        seed: UInt64 = 1
    ) {
        self.kind = kind
        self.hidden = hidden
        self.window = window
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// A trained one-step forecaster of an asset's normalised signals, stepped once per tick.
///
/// `observe(_:)` compares a tick with the forecast made at the previous tick, then steps the
/// network with it to forecast the next one.
public struct ForecastModel: Sendable {
    /// The trained network (kept for persistence; `engine` is its fast form).
    public let network: RecurrentNetwork<Float>
    /// The normalisation the network was trained with.
    public let normalizer: SignalNormalizer
    let engine: InferenceNetwork
    var state: InferenceState
    /// The forecast for the next tick, normalised; nil before the first step.
    public private(set) var forecast: [Float]?
    private var input: [Float]

    /// Wraps a trained network.
    public init(network: RecurrentNetwork<Float>, normalizer: SignalNormalizer) {
        self.network = network
        self.normalizer = normalizer
        engine = InferenceNetwork(network)
        state = engine.makeState(streams: 1)
        input = Array(repeating: 0, count: network.inputSize)
    }

    /// Signals.
    public var signals: Int { normalizer.medians.count }

    /// Feeds one tick (engineering units); returns its normalised forecast error per signal
    /// (actual − forecast), or nil when there was no forecast yet.
    public mutating func observe(_ values: [Double]) -> [Double]? {
        var errors: [Double]?
        if let forecast {
            errors = values.indices.map { normalizer.normalize(values[$0], signal: $0) - Double(forecast[$0]) }
        }
        for index in values.indices { input[index] = Float(normalizer.normalize(values[index], signal: index)) }
        var output = [Float](repeating: 0, count: engine.outputSize)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { engine.step(x, state: &state, outputs: $0) }
        }
        forecast = output
        return errors
    }

    /// The forecast in engineering units.
    public func expected(signal index: Int) -> Double? {
        forecast.map { normalizer.denormalize(Double($0[index]), signal: index) }
    }

    /// Trains a forecaster on `rows` (`[T][signals]`, engineering units). A pure function of its
    /// arguments, so a replay and the daemon train the same model from the same ticks.
    public static func train(rows: [[Double]], settings: ForecastSettings) -> ForecastModel {
        let normalizer = SignalNormalizer(fitting: rows)
        let signals = normalizer.medians.count
        var series: [Float] = []
        series.reserveCapacity(rows.count * signals)
        for row in rows {
            for (index, value) in row.enumerated() { series.append(Float(normalizer.normalize(value, signal: index))) }
        }
        var network = RecurrentNetwork<Float>(
            kind: settings.kind,
            inputSize: signals,
            hiddenSize: settings.hidden,
            outputSize: signals,
            seed: settings.seed
        )
        let window = min(settings.window, max(8, rows.count / 4))
        let configuration = TrainingConfiguration(
            window: window,
            burnIn: min(8, window / 4),
            stride: max(1, window / 8),
            batchSize: 16,
            epochs: settings.epochs,
            learningRate: settings.learningRate,
            validationFraction: 0.2,
            patience: 6,
            seed: settings.seed
        )
        _ = Trainer.train(&network, series: series, signals: signals, configuration: configuration)
        return ForecastModel(network: network, normalizer: normalizer)
    }
}
