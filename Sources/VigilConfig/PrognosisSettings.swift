public import VigilCore

/// The `prognosis:` section of an asset entry: a remaining-useful-life model, when a prediction
/// raises `fault_predicted`, and whether the model is retrained on the gateway.
public struct PrognosisSettings: Hashable, Sendable, Decodable, Encodable {
    /// The RUL model file (`vigil train rul`); absent when only signal limits are predicted.
    public var model: String?
    /// How long one step of the model is; the asset's ticks within a step are averaged. Default:
    /// the asset's tick.
    public var step: ConfigDuration?
    /// `fault_predicted` is raised when a failure or crossing may come within this long.
    public var horizon: ConfigDuration
    /// Whether the model is retrained in the background from the entry's completed runs to
    /// failure (failure labels), and swapped in when it validates no worse.
    public var retrain: Bool
    /// Ticks each limited signal's trend is fitted to.
    public var trendWindow: Int
    /// Consecutive ticks a prediction must hold to raise the alarm.
    public var minDuration: Int
    /// Consecutive ticks without a prediction to clear it.
    public var clearAfter: Int

    /// The defaults, also used by an entry with signal limits and no `prognosis:` section.
    public static let defaults = PrognosisSettings()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, step, horizon, retrain
        case trendWindow = "trend_window"
        case minDuration = "min_duration"
        case clearAfter = "clear_after"
    }

    private init() {
        model = nil
        step = nil
        horizon = ConfigDuration("1h")!
        retrain = false
        trendWindow = 600
        minDuration = 3
        clearAfter = 3
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self.defaults
        model = try container.decodeIfPresent(String.self, forKey: .model)
        if let model, model.isEmpty || model.utf8.count > 4096 {
            throw container.invalid(.model, "model must be the path of a model file")
        }
        step = try container.decodeIfPresent(ConfigDuration.self, forKey: .step)
        if let step, step.duration < .milliseconds(10) || step.duration > .seconds(366 * 86_400) {
            throw container.invalid(.step, "step must be 10ms to 366d")
        }
        horizon = try container.decode(ConfigDuration.self, forKey: .horizon, default: defaults.horizon)
        guard horizon.duration > .zero, horizon.duration <= .seconds(3660 * 86_400) else {
            throw container.invalid(.horizon, "horizon must be above 0 and at most 3660d")
        }
        retrain = try container.decode(Bool.self, forKey: .retrain, default: defaults.retrain)
        if retrain && model == nil { throw container.invalid(.retrain, "retrain needs a model") }
        trendWindow = try container.decode(Int.self, forKey: .trendWindow, default: defaults.trendWindow)
        guard (10...100_000).contains(trendWindow) else {
            throw container.invalid(.trendWindow, "trend_window must be 10 to 100000 ticks")
        }
        minDuration = try container.decode(Int.self, forKey: .minDuration, default: defaults.minDuration)
        clearAfter = try container.decode(Int.self, forKey: .clearAfter, default: defaults.clearAfter)
        guard (1...100_000).contains(minDuration), (1...100_000).contains(clearAfter) else {
            throw container.invalid(minDuration < 1 ? .minDuration : .clearAfter, "must be 1 to 100000 ticks")
        }
    }
}

/// `limits:` of a signal: the values it must stay within; Vigil predicts when its trend will
/// cross one.
public struct SignalLimits: Hashable, Sendable, Decodable, Encodable {
    /// The signal must stay at or below this.
    public var max: Double?
    /// The signal must stay at or above this.
    public var min: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case max, min
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        for (key, value) in [(CodingKeys.max, max), (.min, min)] {
            if let value, !value.isFinite || Swift.abs(value) > 1e15 {
                throw container.invalid(key, "a limit must be a finite number")
            }
        }
        guard max != nil || min != nil else { throw container.invalid(.max, "limits need max, min or both") }
        if let max, let min, min >= max { throw container.invalid(.max, "limits: max must be greater than min") }
    }

    /// The limits of a signal as the pipeline takes them.
    func limits(of signal: String) -> [SignalLimit] {
        (max.map { [SignalLimit(signal: signal, value: $0, bound: .max)] } ?? [])
            + (min.map { [SignalLimit(signal: signal, value: $0, bound: .min)] } ?? [])
    }
}

extension AssetSettings {
    /// The entry's prediction plan without its remaining-life model (the daemon loads that from
    /// `prognosis.model`); nil when the entry predicts nothing.
    public var prognosisPlan: PrognosisPlan? {
        let limits = signals.flatMap { signal in signal.name.flatMap { name in signal.limits?.limits(of: name) } ?? [] }
        guard prognosis != nil || !limits.isEmpty else { return nil }
        let settings = prognosis ?? .defaults
        return PrognosisPlan(
            limits: limits,
            horizon: settings.horizon.duration,
            trendWindow: settings.trendWindow,
            trendOfForecast: detector.kind == "lstm",
            alarm: PrognosisPlan.alarmPolicy(minDuration: settings.minDuration, clearAfter: settings.clearAfter)
        )
    }
}
