/// The `detector:` section of an asset.
public struct DetectorSettings: Hashable, Sendable, Decodable {
    /// Detector kind; `robust` (rolling median and MAD) for now.
    public var kind: String
    /// Ticks in the rolling window.
    public var window: Int
    /// Ticks before scoring starts (the asset says `learning` meanwhile).
    public var warmup: Int
    /// Robust deviations that map to a score of 0.68; the score is 0.99 at about 2.58 × z_scale.
    public var zScale: Double
    /// Identical consecutive values after which a signal is called stuck (0: off).
    public var stuckAfter: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, window, warmup
        case zScale = "z_scale"
        case stuckAfter = "stuck_after"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind, default: "robust")
        guard kind == "robust" else {
            throw container.invalid(.kind, "detector kind must be 'robust' (the neural detectors are not built yet)")
        }
        window = try container.decode(Int.self, forKey: .window, default: 120)
        guard (8...100_000).contains(window) else {
            throw container.invalid(.window, "window must be 8 to 100000 ticks")
        }
        warmup = try container.decode(Int.self, forKey: .warmup, default: window / 2)
        guard (1...1_000_000).contains(warmup) else {
            throw container.invalid(.warmup, "warmup must be 1 to 1000000 ticks")
        }
        zScale = try container.decode(Double.self, forKey: .zScale, default: 2)
        guard zScale > 0, zScale.isFinite else { throw container.invalid(.zScale, "z_scale must be positive") }
        stuckAfter = try container.decode(Int.self, forKey: .stuckAfter, default: 30)
        guard stuckAfter >= 0 else { throw container.invalid(.stuckAfter, "stuck_after must be zero or positive") }
    }

    init() {
        kind = "robust"
        window = 120
        warmup = 60
        zScale = 2
        stuckAfter = 30
    }
}

/// The `alarm:` section of an asset.
public struct AlarmSettings: Hashable, Sendable, Decodable {
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
