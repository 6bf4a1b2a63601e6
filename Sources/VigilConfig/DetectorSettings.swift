public import VigilCore
internal import VigilNN

/// The `detector:` section of an asset: its kind, and the settings of that kind.
///
/// Every default comes from the detector's own settings type in `VigilCore`
/// (`RobustStatisticsDetector.Settings()`, `LSTMDetector.Settings()`), so the configuration, `vigil
/// config show`, the README's table and the schema (both tested against this) cannot disagree. A
/// key of another kind, or of the other calibration, is an error naming the key.
public enum DetectorSettings: Hashable, Sendable {
    /// `kind: robust`: rolling median and MAD per signal.
    case robust(RobustStatisticsDetector.Settings)
    /// `kind: lstm`: a model per asset learned on the gateway.
    case lstm(LSTMDetector.Settings)

    /// The detector of an asset without a `detector:` section.
    public static let standard = DetectorSettings.robust(RobustStatisticsDetector.Settings())

    /// The kind's name as written in the file.
    public var kind: String {
        switch self {
        case .robust: "robust"
        case .lstm: "lstm"
        }
    }

    /// The pipeline's detector, with each signal's `min_deviation`.
    func choice(minDeviation: [String: Double]) -> DetectorChoice {
        switch self {
        case .robust(var settings):
            settings.minDeviation = minDeviation
            return .robustStatistics(settings)
        case .lstm(var settings):
            settings.minDeviation = minDeviation
            settings.fallback.minDeviation = minDeviation
            return .lstm(settings)
        }
    }
}

/// The keys of `detector:` and which detectors they belong to.
enum DetectorKey: String, CodingKey, CaseIterable {
    case kind
    // Robust statistics: the `robust` detector, or the `lstm` detector's fallback.
    case window, warmup
    case zScale = "z_scale"
    case stuckAfter = "stuck_after"
    // lstm.
    case fallbackWarmup = "fallback_warmup"
    case activationDelay = "activation_delay"
    case retrainEvery = "retrain_every"
    case history, network, hidden, epochs, seed, autoregressive, ridge, calibration
    case trainWindow = "train_window"
    case learningRate = "learning_rate"
    case independentSignals = "independent_signals"
    // lstm, calibration: records.
    case averaging, suppression, seasonal
    case calibrationHistory = "calibration_history"
    case calibrationWarmup = "calibration_warmup"
    case seasonalCorrelation = "seasonal_correlation"
    case patternWindows = "pattern_windows"
    case patternMemory = "pattern_memory"
    case shiftWindow = "shift_window"
    case rangeTolerance = "range_tolerance"
    case recordMargin = "record_margin"
    // lstm, calibration: shift.
    case shiftLimit = "shift_limit"

    /// Where a key applies.
    enum Scope { case every, lstm, records, shift }

    var scope: Scope {
        switch self {
        case .kind, .window, .warmup, .zScale, .stuckAfter: .every
        case .averaging, .suppression, .seasonal, .calibrationHistory, .calibrationWarmup, .seasonalCorrelation,
            .patternWindows, .patternMemory, .shiftWindow, .rangeTolerance, .recordMargin:
            .records
        case .shiftLimit: .shift
        default: .lstm
        }
    }

    /// Keys of earlier versions, with what to write now.
    static let renamed = ["pattern_window": "pattern_window became pattern_windows, a list: [8, 32, 128]"]
}

extension DetectorSettings: Decodable {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(DetectorKey.self, hint: DetectorKey.renamed)
        let container = try decoder.container(keyedBy: DetectorKey.self)
        let kind = try container.decode(String.self, forKey: .kind, default: Self.standard.kind)
        switch kind {
        case "robust":
            try Self.rejectKeys(in: container, outside: [.every], of: "kind robust")
            self = .robust(try Self.robust(container, base: RobustStatisticsDetector.Settings()))
        case "lstm":
            self = .lstm(try Self.lstm(container))
        default:
            throw container.invalid(.kind, "detector kind must be 'lstm' or 'robust'")
        }
    }

    /// Throws for the first key present whose scope is not among `scopes`.
    static func rejectKeys(
        in container: KeyedDecodingContainer<DetectorKey>,
        outside scopes: Set<DetectorKey.Scope>,
        of owner: String
    ) throws {
        for key in DetectorKey.allCases where container.contains(key) && !scopes.contains(key.scope) {
            let home =
                switch key.scope {
                case .lstm: "kind lstm"
                case .records: "kind lstm with calibration records"
                case .shift: "kind lstm with calibration shift"
                case .every: "every kind"
                }
            throw container.invalid(key, "\(key.stringValue) is a setting of \(home), not of \(owner)")
        }
    }

    /// Robust statistics from `base`, with the keys present.
    static func robust(
        _ container: KeyedDecodingContainer<DetectorKey>,
        base: RobustStatisticsDetector.Settings,
        warmupKey: DetectorKey = .warmup
    ) throws -> RobustStatisticsDetector.Settings {
        var settings = base
        settings.window = try container.decode(Int.self, forKey: .window, default: base.window)
        guard (8...100_000).contains(settings.window) else {
            throw container.invalid(.window, "window must be 8 to 100000 ticks")
        }
        let derivedWarmup = RobustStatisticsDetector.Settings(window: settings.window).warmup
        settings.warmup = try container.decode(Int.self, forKey: warmupKey, default: derivedWarmup)
        guard (1...1_000_000).contains(settings.warmup) else {
            throw container.invalid(warmupKey, "\(warmupKey.stringValue) must be 1 to 1000000 ticks")
        }
        settings.zScale = try container.decode(Double.self, forKey: .zScale, default: base.zScale)
        guard settings.zScale > 0, settings.zScale.isFinite else {
            throw container.invalid(.zScale, "z_scale must be positive")
        }
        settings.stuckAfter = try container.decode(Int.self, forKey: .stuckAfter, default: base.stuckAfter)
        guard (0...1_000_000).contains(settings.stuckAfter) else {
            throw container.invalid(.stuckAfter, "stuck_after must be 0 to 1000000 ticks")
        }
        return settings
    }

    static func lstm(_ container: KeyedDecodingContainer<DetectorKey>) throws -> LSTMDetector.Settings {
        let base = LSTMDetector.Settings()
        let methodName = try container.decode(String.self, forKey: .calibration, default: base.method.rawValue)
        guard let method = LSTMDetector.CalibrationMethod(rawValue: methodName) else {
            throw container.invalid(.calibration, "calibration must be 'records' or 'shift'")
        }
        try rejectKeys(
            in: container,
            outside: [.every, .lstm, method == .records ? .records : .shift],
            of: "calibration \(method.rawValue)"
        )
        let warmup = try container.decode(Int.self, forKey: .warmup, default: base.warmup)
        guard (32...1_000_000).contains(warmup) else {
            throw container.invalid(.warmup, "warmup must be 32 to 1000000 ticks")
        }
        let history = try container.decode(Int.self, forKey: .history, default: max(base.history, warmup))
        guard history >= warmup, history <= 1_000_000 else {
            throw container.invalid(.history, "history must be between warmup (\(warmup)) and 1000000 ticks")
        }
        let activationDelay = try container.decode(Int.self, forKey: .activationDelay, default: base.activationDelay)
        guard (0...1_000_000).contains(activationDelay) else {
            throw container.invalid(.activationDelay, "activation_delay must be 0 to 1000000 ticks")
        }
        let retrainEvery = try container.decode(Int.self, forKey: .retrainEvery, default: base.retrainEvery)
        guard (0...100_000_000).contains(retrainEvery) else {
            throw container.invalid(.retrainEvery, "retrain_every must be 0 (never) to 100000000 ticks")
        }
        var settings = LSTMDetector.Settings(
            warmup: warmup,
            activationDelay: activationDelay,
            retrainEvery: retrainEvery,
            history: history,
            forecast: try forecast(container, base: base.forecast),
            method: method,
            calibration: method == .records ? try records(container, base: base.calibration) : base.calibration,
            shift: base.shift,
            fallback: try robust(container, base: base.fallback, warmupKey: .fallbackWarmup),
            seasonal: method == .records
                ? try container.decode(Bool.self, forKey: .seasonal, default: base.seasonal) : false
        )
        if method == .shift {
            settings.shift.limit = try container.decode(Double.self, forKey: .shiftLimit, default: base.shift.limit)
            guard settings.shift.limit > 0, settings.shift.limit.isFinite else {
                throw container.invalid(.shiftLimit, "shift_limit must be positive")
            }
        }
        return settings
    }

    static func forecast(
        _ container: KeyedDecodingContainer<DetectorKey>,
        base: ForecastSettings
    ) throws -> ForecastSettings {
        var settings = base
        let networkName = try container.decode(String.self, forKey: .network, default: base.kind.rawValue)
        guard let network = RecurrentKind(rawValue: networkName) else {
            throw container.invalid(.network, "network must be 'lstm' or 'gru'")
        }
        settings.kind = network
        settings.hidden = try container.decode(Int.self, forKey: .hidden, default: base.hidden)
        guard (1...512).contains(settings.hidden) else { throw container.invalid(.hidden, "hidden must be 1 to 512") }
        settings.window = try container.decode(Int.self, forKey: .trainWindow, default: base.window)
        guard (8...1024).contains(settings.window) else {
            throw container.invalid(.trainWindow, "train_window must be 8 to 1024 ticks")
        }
        settings.epochs = try container.decode(Int.self, forKey: .epochs, default: base.epochs)
        guard (1...1000).contains(settings.epochs) else { throw container.invalid(.epochs, "epochs must be 1 to 1000") }
        settings.learningRate = try container.decode(Double.self, forKey: .learningRate, default: base.learningRate)
        guard settings.learningRate > 0, settings.learningRate < 1 else {
            throw container.invalid(.learningRate, "learning_rate must be between 0 and 1")
        }
        settings.seed = try container.decode(UInt64.self, forKey: .seed, default: base.seed)
        settings.independentSignals = try container.decode(
            Bool.self,
            forKey: .independentSignals,
            default: base.independentSignals
        )
        settings.autoregressive = try container.decode(Int.self, forKey: .autoregressive, default: base.autoregressive)
        guard (0...64).contains(settings.autoregressive) else {
            throw container.invalid(.autoregressive, "autoregressive must be 0 to 64")
        }
        settings.ridge = try container.decode(Double.self, forKey: .ridge, default: base.ridge)
        guard settings.ridge >= 0, settings.ridge.isFinite else {
            throw container.invalid(.ridge, "ridge must be zero or positive")
        }
        return settings
    }

    static func records(
        _ container: KeyedDecodingContainer<DetectorKey>,
        base: CalibrationSettings
    ) throws -> CalibrationSettings {
        var settings = base
        settings.averaging = try container.decode(Int.self, forKey: .averaging, default: base.averaging)
        guard (1...10_000).contains(settings.averaging) else {
            throw container.invalid(.averaging, "averaging must be 1 to 10000")
        }
        settings.history = try container.decode(Int.self, forKey: .calibrationHistory, default: base.history)
        guard (16...1_000_000).contains(settings.history) else {
            throw container.invalid(.calibrationHistory, "calibration_history must be 16 to 1000000")
        }
        settings.suppression = try container.decode(Int.self, forKey: .suppression, default: base.suppression)
        guard (0...1_000_000).contains(settings.suppression) else {
            throw container.invalid(.suppression, "suppression must be 0 to 1000000 ticks")
        }
        settings.quiet = try container.decode(Int.self, forKey: .calibrationWarmup, default: base.quiet)
        guard (0...1_000_000).contains(settings.quiet) else {
            throw container.invalid(.calibrationWarmup, "calibration_warmup must be 0 to 1000000 ticks")
        }
        settings.seasonalCorrelation = try container.decode(
            Double.self,
            forKey: .seasonalCorrelation,
            default: base.seasonalCorrelation
        )
        guard (-1...1).contains(settings.seasonalCorrelation) else {
            throw container.invalid(.seasonalCorrelation, "seasonal_correlation must be between -1 and 1")
        }
        settings.patternWindows = try container.decode(
            [Int].self,
            forKey: .patternWindows,
            default: base.patternWindows
        )
        guard settings.patternWindows.count <= 8,
            settings.patternWindows.allSatisfy({ (settings.patternSegments...4096).contains($0) })
        else {
            throw container.invalid(
                .patternWindows,
                "pattern_windows must list at most 8 windows of \(settings.patternSegments) to 4096 ticks ([] turns the pattern channels off)"
            )
        }
        settings.patternMemory = try container.decode(Int.self, forKey: .patternMemory, default: base.patternMemory)
        guard (1...100_000).contains(settings.patternMemory) else {
            throw container.invalid(.patternMemory, "pattern_memory must be 1 to 100000 windows")
        }
        settings.shiftWindow = try container.decode(Int.self, forKey: .shiftWindow, default: base.shiftWindow)
        guard settings.shiftWindow == 0 || (2...1000).contains(settings.shiftWindow) else {
            throw container.invalid(.shiftWindow, "shift_window must be 0 (off) or 2 to 1000 ticks")
        }
        settings.rangeTolerance = try container.decode(
            Double.self,
            forKey: .rangeTolerance,
            default: base.rangeTolerance
        )
        guard settings.rangeTolerance >= 0, settings.rangeTolerance.isFinite else {
            throw container.invalid(.rangeTolerance, "range_tolerance must be zero or positive")
        }
        settings.recordMargin = try container.decode(Double.self, forKey: .recordMargin, default: base.recordMargin)
        guard settings.recordMargin > 0, settings.recordMargin <= 10 else {
            throw container.invalid(.recordMargin, "record_margin must be above 0 and at most 10")
        }
        return settings
    }
}

extension DetectorSettings: Encodable {
    /// Writes the kind and every setting of it, defaults filled in (`vigil config show`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DetectorKey.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .robust(let settings):
            try Self.encode(settings, warmupKey: .warmup, into: &container)
        case .lstm(let settings):
            try container.encode(settings.warmup, forKey: .warmup)
            try container.encode(settings.activationDelay, forKey: .activationDelay)
            try container.encode(settings.retrainEvery, forKey: .retrainEvery)
            try container.encode(settings.history, forKey: .history)
            try container.encode(settings.forecast.kind.rawValue, forKey: .network)
            try container.encode(settings.forecast.hidden, forKey: .hidden)
            try container.encode(settings.forecast.window, forKey: .trainWindow)
            try container.encode(settings.forecast.epochs, forKey: .epochs)
            try container.encode(settings.forecast.learningRate, forKey: .learningRate)
            try container.encode(settings.forecast.seed, forKey: .seed)
            try container.encode(settings.forecast.independentSignals, forKey: .independentSignals)
            try container.encode(settings.forecast.autoregressive, forKey: .autoregressive)
            try container.encode(settings.forecast.ridge, forKey: .ridge)
            try container.encode(settings.method.rawValue, forKey: .calibration)
            switch settings.method {
            case .records:
                let records = settings.calibration
                try container.encode(records.averaging, forKey: .averaging)
                try container.encode(records.history, forKey: .calibrationHistory)
                try container.encode(records.suppression, forKey: .suppression)
                try container.encode(records.quiet, forKey: .calibrationWarmup)
                try container.encode(settings.seasonal, forKey: .seasonal)
                try container.encode(records.seasonalCorrelation, forKey: .seasonalCorrelation)
                try container.encode(records.patternWindows, forKey: .patternWindows)
                try container.encode(records.patternMemory, forKey: .patternMemory)
                try container.encode(records.shiftWindow, forKey: .shiftWindow)
                try container.encode(records.rangeTolerance, forKey: .rangeTolerance)
                try container.encode(records.recordMargin, forKey: .recordMargin)
            case .shift:
                try container.encode(settings.shift.limit, forKey: .shiftLimit)
            }
            try Self.encode(settings.fallback, warmupKey: .fallbackWarmup, into: &container)
        }
    }

    private static func encode(
        _ settings: RobustStatisticsDetector.Settings,
        warmupKey: DetectorKey,
        into container: inout KeyedEncodingContainer<DetectorKey>
    ) throws {
        try container.encode(settings.window, forKey: .window)
        try container.encode(settings.warmup, forKey: warmupKey)
        try container.encode(settings.zScale, forKey: .zScale)
        try container.encode(settings.stuckAfter, forKey: .stuckAfter)
    }
}
