public import VigilCore
public import VigilNN

/// The `detector:` section of an asset.
public struct DetectorSettings: Hashable, Sendable, Decodable, Encodable {
    /// Detector kind: `lstm` (a recurrent network learned on the gateway) or `robust` (rolling
    /// median and MAD only).
    public var kind: String
    /// Ticks in the robust statistics' rolling window.
    public var window: Int
    /// robust: ticks before scoring starts. lstm: alarm-free ticks before the model is trained.
    public var warmup: Int
    /// Robust deviations that map to a score of 0.68; the score is 0.99 at about 2.58 × z_scale.
    public var zScale: Double
    /// Identical consecutive values after which a signal is called stuck (0: off).
    public var stuckAfter: Int
    /// lstm: ticks before the robust statistics that cover the learning phase start scoring.
    public var fallbackWarmup: Int
    /// lstm: ticks between the start of training and the new model taking over.
    public var activationDelay: Int
    /// lstm: ticks between scheduled retrainings on recent alarm-free data (0: never).
    public var retrainEvery: Int
    /// lstm: most recent alarm-free ticks kept for (re)training.
    public var history: Int
    /// lstm: the recurrent layer, `lstm` or `gru`.
    public var network: RecurrentKind
    /// lstm: hidden units.
    public var hidden: Int
    /// lstm: steps per training window (truncated back-propagation through time).
    public var trainWindow: Int
    /// lstm: most epochs per training.
    public var epochs: Int
    /// lstm: initial learning rate.
    public var learningRate: Double
    /// lstm: seed of the initial weights and the shuffles.
    public var seed: UInt64
    /// lstm: ticks in the short average of the error that is scored.
    public var averaging: Int
    /// lstm: ticks of error history the averaged error is compared with.
    public var calibrationHistory: Int
    /// lstm: ticks after a score during which smaller scores count 0 (0: off).
    public var suppression: Int
    /// lstm: share of the seen range a value must exceed it by to score through the range channel
    /// (0: off).
    public var rangeTolerance: Double
    /// lstm: whether "the same time one period ago" (a day, a week) is a channel of the score.
    public var seasonal: Bool
    /// lstm, records: learned ticks each channel collects before it scores.
    public var calibrationWarmup: Int
    /// lstm, records: ticks in the window of the pattern channel (0: off).
    public var patternWindow: Int
    /// lstm, records: normal windows the pattern channel remembers.
    public var patternMemory: Int
    /// lstm, records: how far above its record, as a share of it, a channel scores 0.99.
    public var recordMargin: Double
    /// lstm: how errors become scores, `records` (new error records, reported at their onset) or
    /// `shift` (a lasting bias or energy of the errors).
    public var calibration: LSTMDetector.CalibrationMethod
    /// lstm, shift: standardised bias or excess error energy that scores 0.99.
    public var shiftLimit: Double
    /// lstm: one small network per signal instead of one over all signals.
    public var independentSignals: Bool
    /// lstm: order of the linear autoregression under the network (0: the network alone).
    public var autoregressive: Int
    /// lstm: ridge penalty of the autoregression per training tick.
    public var ridge: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, window, warmup, history, network, hidden, epochs, seed, averaging
        case zScale = "z_scale"
        case stuckAfter = "stuck_after"
        case fallbackWarmup = "fallback_warmup"
        case activationDelay = "activation_delay"
        case retrainEvery = "retrain_every"
        case trainWindow = "train_window"
        case learningRate = "learning_rate"
        case calibrationHistory = "calibration_history"
        case suppression, seasonal, calibration
        case shiftLimit = "shift_limit"
        case independentSignals = "independent_signals"
        case autoregressive, ridge
        case rangeTolerance = "range_tolerance"
        case calibrationWarmup = "calibration_warmup"
        case patternWindow = "pattern_window"
        case patternMemory = "pattern_memory"
        case recordMargin = "record_margin"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind, default: "robust")
        guard kind == "robust" || kind == "lstm" else {
            throw container.invalid(.kind, "detector kind must be 'lstm' or 'robust'")
        }
        window = try container.decode(Int.self, forKey: .window, default: 120)
        guard (8...100_000).contains(window) else {
            throw container.invalid(.window, "window must be 8 to 100000 ticks")
        }
        let lstm = kind == "lstm"
        warmup = try container.decode(Int.self, forKey: .warmup, default: lstm ? 500 : window / 2)
        guard (lstm ? 32...1_000_000 : 1...1_000_000).contains(warmup) else {
            throw container.invalid(.warmup, "warmup must be \(lstm ? 32 : 1) to 1000000 ticks")
        }
        zScale = try container.decode(Double.self, forKey: .zScale, default: 2)
        guard zScale > 0, zScale.isFinite else { throw container.invalid(.zScale, "z_scale must be positive") }
        stuckAfter = try container.decode(Int.self, forKey: .stuckAfter, default: 30)
        guard stuckAfter >= 0 else { throw container.invalid(.stuckAfter, "stuck_after must be zero or positive") }
        fallbackWarmup = try container.decode(Int.self, forKey: .fallbackWarmup, default: min(60, window / 2))
        guard fallbackWarmup >= 1 else {
            throw container.invalid(.fallbackWarmup, "fallback_warmup must be at least 1")
        }
        activationDelay = try container.decode(Int.self, forKey: .activationDelay, default: 20)
        guard activationDelay >= 0 else {
            throw container.invalid(.activationDelay, "activation_delay must be zero or positive")
        }
        retrainEvery = try container.decode(Int.self, forKey: .retrainEvery, default: 0)
        guard retrainEvery >= 0 else {
            throw container.invalid(.retrainEvery, "retrain_every must be zero or positive")
        }
        history = try container.decode(Int.self, forKey: .history, default: max(2000, warmup))
        guard history >= warmup, history <= 1_000_000 else {
            throw container.invalid(.history, "history must be between warmup (\(warmup)) and 1000000 ticks")
        }
        let networkName = try container.decode(String.self, forKey: .network, default: "lstm")
        guard let network = RecurrentKind(rawValue: networkName) else {
            throw container.invalid(.network, "network must be 'lstm' or 'gru'")
        }
        self.network = network
        hidden = try container.decode(Int.self, forKey: .hidden, default: 16)
        guard (1...512).contains(hidden) else { throw container.invalid(.hidden, "hidden must be 1 to 512") }
        trainWindow = try container.decode(Int.self, forKey: .trainWindow, default: 32)
        guard (8...1024).contains(trainWindow) else {
            throw container.invalid(.trainWindow, "train_window must be 8 to 1024 ticks")
        }
        epochs = try container.decode(Int.self, forKey: .epochs, default: 40)
        guard (1...1000).contains(epochs) else { throw container.invalid(.epochs, "epochs must be 1 to 1000") }
        learningRate = try container.decode(Double.self, forKey: .learningRate, default: 5e-3)
        guard learningRate > 0, learningRate < 1 else {
            throw container.invalid(.learningRate, "learning_rate must be between 0 and 1")
        }
        seed = try container.decode(UInt64.self, forKey: .seed, default: 1)
        averaging = try container.decode(Int.self, forKey: .averaging, default: 20)
        guard (1...10_000).contains(averaging) else {
            throw container.invalid(.averaging, "averaging must be 1 to 10000")
        }
        calibrationHistory = try container.decode(Int.self, forKey: .calibrationHistory, default: 5000)
        guard (16...1_000_000).contains(calibrationHistory) else {
            throw container.invalid(.calibrationHistory, "calibration_history must be 16 to 1000000")
        }
        suppression = try container.decode(Int.self, forKey: .suppression, default: 500)
        guard (0...1_000_000).contains(suppression) else {
            throw container.invalid(.suppression, "suppression must be 0 to 1000000 ticks")
        }
        rangeTolerance = try container.decode(Double.self, forKey: .rangeTolerance, default: 0.05)
        guard rangeTolerance >= 0, rangeTolerance.isFinite else {
            throw container.invalid(.rangeTolerance, "range_tolerance must be zero or positive")
        }
        seasonal = try container.decode(Bool.self, forKey: .seasonal, default: true)
        calibrationWarmup = try container.decode(Int.self, forKey: .calibrationWarmup, default: 300)
        guard (0...1_000_000).contains(calibrationWarmup) else {
            throw container.invalid(.calibrationWarmup, "calibration_warmup must be 0 to 1000000 ticks")
        }
        patternWindow = try container.decode(Int.self, forKey: .patternWindow, default: 64)
        guard patternWindow == 0 || (8...4096).contains(patternWindow) else {
            throw container.invalid(.patternWindow, "pattern_window must be 0 (off) or 8 to 4096 ticks")
        }
        patternMemory = try container.decode(Int.self, forKey: .patternMemory, default: 1000)
        guard (1...100_000).contains(patternMemory) else {
            throw container.invalid(.patternMemory, "pattern_memory must be 1 to 100000 windows")
        }
        recordMargin = try container.decode(Double.self, forKey: .recordMargin, default: 0.03)
        guard recordMargin > 0, recordMargin <= 10 else {
            throw container.invalid(.recordMargin, "record_margin must be above 0 and at most 10")
        }
        let method = try container.decode(String.self, forKey: .calibration, default: "records")
        guard let calibration = LSTMDetector.CalibrationMethod(rawValue: method) else {
            throw container.invalid(.calibration, "calibration must be 'records' or 'shift'")
        }
        self.calibration = calibration
        shiftLimit = try container.decode(Double.self, forKey: .shiftLimit, default: 3)
        guard shiftLimit > 0, shiftLimit.isFinite else {
            throw container.invalid(.shiftLimit, "shift_limit must be positive")
        }
        independentSignals = try container.decode(Bool.self, forKey: .independentSignals, default: false)
        autoregressive = try container.decode(Int.self, forKey: .autoregressive, default: 0)
        guard (0...64).contains(autoregressive) else {
            throw container.invalid(.autoregressive, "autoregressive must be 0 to 64")
        }
        ridge = try container.decode(Double.self, forKey: .ridge, default: 0.01)
        guard ridge >= 0, ridge.isFinite else { throw container.invalid(.ridge, "ridge must be zero or positive") }
    }

    init() {
        kind = "robust"
        window = 120
        warmup = 60
        zScale = 2
        stuckAfter = 30
        fallbackWarmup = 60
        activationDelay = 20
        retrainEvery = 0
        history = 2000
        network = .lstm
        hidden = 16
        trainWindow = 32
        epochs = 40
        learningRate = 5e-3
        seed = 1
        averaging = 20
        calibrationHistory = 5000
        suppression = 500
        rangeTolerance = 0.05
        seasonal = true
        calibrationWarmup = 300
        patternWindow = 64
        patternMemory = 1000
        recordMargin = 0.03
        calibration = .records
        shiftLimit = 3
        independentSignals = false
        autoregressive = 0
        ridge = 0.01
    }
}

/// The `alarm:` section of an asset.
public struct AlarmSettings: Hashable, Sendable, Decodable, Encodable {
    /// Score at or over which a tick counts.
    public var threshold: Double
    /// Consecutive ticks over the threshold to raise.
    public var minDuration: Int
    /// Score under which a tick counts towards clearing.
    public var clearBelow: Double
    /// Consecutive ticks under `clearBelow` to clear.
    public var clearAfter: Int
    /// No new alarm on the asset for this long after a clear.
    public var cooldown: ConfigDuration
    /// Score at or over which an alarm is critical.
    public var criticalAbove: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case threshold, cooldown
        case minDuration = "min_duration"
        case clearBelow = "clear_below"
        case clearAfter = "clear_after"
        case criticalAbove = "critical_above"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try container.decode(Double.self, forKey: .threshold, default: 0.99)
        guard threshold > 0, threshold <= 1 else { throw container.invalid(.threshold, "threshold must be in (0, 1]") }
        minDuration = try container.decode(Int.self, forKey: .minDuration, default: 3)
        guard minDuration >= 1 else { throw container.invalid(.minDuration, "min_duration must be at least 1") }
        clearBelow = try container.decode(Double.self, forKey: .clearBelow, default: min(0.9, threshold))
        guard clearBelow >= 0, clearBelow <= threshold else {
            throw container.invalid(.clearBelow, "clear_below must be between 0 and threshold (\(threshold))")
        }
        clearAfter = try container.decode(Int.self, forKey: .clearAfter, default: minDuration)
        guard clearAfter >= 1 else { throw container.invalid(.clearAfter, "clear_after must be at least 1") }
        cooldown = try container.decode(ConfigDuration.self, forKey: .cooldown, default: ConfigDuration("10m")!)
        criticalAbove = try container.decode(Double.self, forKey: .criticalAbove, default: 0.9999)
        guard criticalAbove >= threshold, criticalAbove <= 1 else {
            throw container.invalid(.criticalAbove, "critical_above must be between threshold and 1")
        }
    }

    init() {
        threshold = 0.99
        minDuration = 3
        clearBelow = 0.9
        clearAfter = 3
        cooldown = ConfigDuration("10m")!
        criticalAbove = 0.9999
    }
}
