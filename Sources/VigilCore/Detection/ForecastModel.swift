public import VigilNN

/// How an asset's forecaster is shaped and trained.
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
    /// One small network per signal instead of one over all signals.
    public var independentSignals: Bool
    /// Order of the linear autoregression under the network (0: the network forecasts alone).
    public var autoregressive: Int
    /// Ridge penalty of the autoregression, per training row.
    public var ridge: Double

    /// Creates settings; the defaults train in well under a second on a few hundred ticks.
    public init(
        kind: RecurrentKind = .lstm,
        hidden: Int = 16,
        window: Int = 32,
        epochs: Int = 40,
        learningRate: Double = 5e-3,
        seed: UInt64 = 1,
        independentSignals: Bool = false,
        autoregressive: Int = 0,
        ridge: Double = 0.01
    ) {
        self.kind = kind
        self.hidden = hidden
        self.window = window
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
        self.independentSignals = independentSignals
        self.autoregressive = autoregressive
        self.ridge = ridge
    }
}

/// A trained one-step forecaster of an asset's normalised signals, stepped once per tick.
///
/// The forecast is a per-signal linear autoregression (when its order is above 0) plus what a
/// recurrent network forecasts of the autoregression's residual: the linear part carries levels
/// and slow drift (and extrapolates beyond the range seen in training, where a network
/// saturates), the network the nonlinear and longer-range structure. With order 0 the network
/// forecasts the normalised values directly. The network is one over all signals, or one small
/// network per signal (`independentSignals`), which keeps a drifting signal out of the forecasts
/// of the others.
///
/// `observe(_:)` compares a tick with the forecast made at the previous tick, then steps the
/// model with it to forecast the next one.
public struct ForecastModel: Sendable {
    /// One network and the signals it reads and forecasts.
    struct Member: Sendable {
        let network: RecurrentNetwork<Float>
        let signals: [Int]
        let engine: InferenceNetwork
        var state: InferenceState
        var input: [Float]
        var output: [Float]

        init(network: RecurrentNetwork<Float>, signals: [Int]) {
            self.network = network
            self.signals = signals
            engine = InferenceNetwork(network)
            state = engine.makeState(streams: 1)
            input = Array(repeating: 0, count: network.inputSize)
            output = Array(repeating: 0, count: network.outputSize)
        }

        /// Steps the network with `input` into `output`.
        mutating func step() {
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in engine.step(x, state: &state, outputs: y) }
            }
        }
    }

    /// The normalisation the model was trained with.
    public let normalizer: SignalNormalizer
    /// Per signal: the autoregression's weights for lags 1…p, then its intercept (empty: none).
    public let linear: [[Double]]
    var members: [Member]
    /// Per signal, the last p normalised values, newest first.
    private var lags: [[Double]]
    /// The autoregression's forecast for the coming tick.
    private var linearForecast: [Double]
    /// The forecast for the next tick, normalised; nil before the first step.
    public private(set) var forecast: [Double]?

    /// Wraps a trained model: one network over every signal or one per signal in signal order,
    /// and the autoregression's coefficients (none for order 0).
    public init(networks: [RecurrentNetwork<Float>], normalizer: SignalNormalizer, linear: [[Double]] = []) {
        self.normalizer = normalizer
        self.linear = linear
        let signals = normalizer.medians.count
        if networks.count == 1 && networks[0].inputSize == signals {
            members = [Member(network: networks[0], signals: Array(0..<signals))]
        } else {
            precondition(networks.count == signals, "one network per signal, or one for all")
            members = networks.enumerated().map { Member(network: $0.element, signals: [$0.offset]) }
        }
        let order = max((linear.first?.count ?? 1) - 1, 0)
        lags = Array(repeating: Array(repeating: 0, count: order), count: signals)
        linearForecast = Array(repeating: 0, count: signals)
    }

    /// The trained networks (for persistence).
    public var networks: [RecurrentNetwork<Float>] { members.map(\.network) }

    /// Signals.
    public var signals: Int { normalizer.medians.count }

    /// Feeds one tick (engineering units); returns its normalised forecast error per signal
    /// (actual − forecast), or nil when there was no forecast yet.
    public mutating func observe(_ values: [Double]) -> [Double]? {
        let normalized = values.indices.map { normalizer.normalize(values[$0], signal: $0) }
        let errors = forecast.map { forecast in normalized.indices.map { normalized[$0] - forecast[$0] } }
        // The network reads (and forecasts) the autoregression's residual, or the values themselves.
        var residual = normalized
        if !linear.isEmpty {
            for signal in normalized.indices {
                residual[signal] = normalized[signal] - linearForecast[signal]
                lags[signal].insert(normalized[signal], at: 0)
                lags[signal].removeLast()
                linearForecast[signal] = Self.autoregression(linear[signal], lags: lags[signal])
            }
        }
        var next = linearForecast
        for index in members.indices {
            for (position, signal) in members[index].signals.enumerated() {
                members[index].input[position] = Float(residual[signal])
            }
            members[index].step()
            for (position, signal) in members[index].signals.enumerated() {
                next[signal] = (linear.isEmpty ? 0 : linearForecast[signal]) + Double(members[index].output[position])
            }
        }
        forecast = next
        return errors
    }

    /// Everything needed to continue forecasting after a restart.
    struct Snapshot: Sendable, Codable {
        var networks: [RecurrentNetwork<Float>]
        var normalizer: SignalNormalizer
        var linear: [[Double]]
        var lags: [[Double]]
        var linearForecast: [Double]
        var forecast: [Double]?
        /// Per network: the hidden state of each layer, then the cell state of each LSTM layer.
        var states: [[[Float]]]
    }

    var snapshot: Snapshot {
        Snapshot(
            networks: networks,
            normalizer: normalizer,
            linear: linear,
            lags: lags,
            linearForecast: linearForecast,
            forecast: forecast,
            states: members.map { member in
                let layers = member.network.recurrent.count
                return (0..<layers).map { member.state.hiddenState(layer: $0) }
                    + (0..<layers).map { member.state.cellState(layer: $0) }
            }
        )
    }

    init(snapshot: Snapshot) {
        self.init(networks: snapshot.networks, normalizer: snapshot.normalizer, linear: snapshot.linear)
        lags = snapshot.lags
        linearForecast = snapshot.linearForecast
        forecast = snapshot.forecast
        for (index, states) in snapshot.states.enumerated() where index < members.count {
            let layers = members[index].network.recurrent.count
            for layer in 0..<layers where layer < states.count {
                members[index].state.setHiddenState(layer: layer, states[layer])
                if layers + layer < states.count && !states[layers + layer].isEmpty {
                    members[index].state.setCellState(layer: layer, states[layers + layer])
                }
            }
        }
    }

    /// The forecast in engineering units.
    public func expected(signal index: Int) -> Double? {
        forecast.map { normalizer.denormalize($0[index], signal: index) }
    }

    static func autoregression(_ coefficients: [Double], lags: [Double]) -> Double {
        var value = coefficients[coefficients.count - 1]
        for (index, lag) in lags.enumerated() { value += coefficients[index] * lag }
        return value
    }

    /// Trains a forecaster on `rows` (`[T][signals]`, engineering units). A pure function of its
    /// arguments, so a replay and the daemon train the same model from the same ticks.
    public static func train(rows: [[Double]], settings: ForecastSettings) -> ForecastModel {
        let normalizer = SignalNormalizer(fitting: rows)
        let signals = normalizer.medians.count
        let normalized = rows.map { row in row.indices.map { normalizer.normalize(row[$0], signal: $0) } }
        let order = min(settings.autoregressive, max(normalized.count / 4, 0))
        var linear: [[Double]] = []
        var residuals = normalized
        if order > 0 {
            for signal in 0..<signals {
                let series = normalized.map { $0[signal] }
                let coefficients = RidgeRegression.autoregression(series, order: order, penalty: settings.ridge)
                linear.append(coefficients)
                for t in 0..<series.count {
                    residuals[t][signal] =
                        t < order
                        ? 0 : series[t] - autoregression(coefficients, lags: (1...order).map { series[t - $0] })
                }
            }
        }
        let groups = settings.independentSignals && signals > 1 ? (0..<signals).map { [$0] } : [Array(0..<signals)]
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
        var networks: [RecurrentNetwork<Float>] = []
        for (index, group) in groups.enumerated() {
            var series: [Float] = []
            series.reserveCapacity(rows.count * group.count)
            for row in residuals {
                for signal in group { series.append(Float(row[signal])) }
            }
            var network = RecurrentNetwork<Float>(
                kind: settings.kind,
                inputSize: group.count,
                hiddenSize: settings.hidden,
                outputSize: group.count,
                seed: settings.seed &+ UInt64(index)
            )
            _ = Trainer.train(&network, series: series, signals: group.count, configuration: configuration)
            networks.append(network)
        }
        return ForecastModel(networks: networks, normalizer: normalizer, linear: linear)
    }
}

/// Least squares with a ridge penalty, for the linear part of the forecaster.
enum RidgeRegression {
    /// Coefficients [w₁ … w_p, c] of x_t ≈ c + Σ w_k x_{t−k}, minimising the squared error plus
    /// `penalty` × rows × Σ w² (the intercept is not penalised).
    static func autoregression(_ series: [Double], order: Int, penalty: Double) -> [Double] {
        let width = order + 1
        var normal = [Double](repeating: 0, count: width * width)
        var right = [Double](repeating: 0, count: width)
        var rows = 0
        for t in order..<series.count {
            var features = (1...order).map { series[t - $0] }
            features.append(1)
            for i in 0..<width {
                right[i] += features[i] * series[t]
                for j in 0..<width { normal[i * width + j] += features[i] * features[j] }
            }
            rows += 1
        }
        for i in 0..<order { normal[i * width + i] += penalty * Double(max(rows, 1)) }
        for i in 0..<width { normal[i * width + i] += 1e-9 }
        return solve(normal, right, size: width)
    }

    /// Solves A x = b by Gaussian elimination with partial pivoting (A is `size` × `size`).
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        var a = a
        var b = b
        for column in 0..<n {
            var pivot = column
            for row in column..<n where abs(a[row * n + column]) > abs(a[pivot * n + column]) { pivot = row }
            if pivot != column {
                for k in 0..<n { a.swapAt(column * n + k, pivot * n + k) }
                b.swapAt(column, pivot)
            }
            let diagonal = a[column * n + column]
            guard abs(diagonal) > 1e-300 else { continue }
            for row in (column + 1)..<n {
                let factor = a[row * n + column] / diagonal
                guard factor != 0 else { continue }
                for k in column..<n { a[row * n + k] -= factor * a[column * n + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<n { sum -= a[row * n + k] * x[k] }
            let diagonal = a[row * n + row]
            x[row] = abs(diagonal) > 1e-300 ? sum / diagonal : 0
        }
        return x
    }
}
