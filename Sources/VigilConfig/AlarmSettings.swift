public import VigilCore

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
        let standard = AlarmPolicy()
        threshold = try container.decode(Double.self, forKey: .threshold, default: standard.threshold)
        guard threshold > 0, threshold <= 1 else { throw container.invalid(.threshold, "threshold must be in (0, 1]") }
        minDuration = try container.decode(Int.self, forKey: .minDuration, default: standard.minDuration)
        guard minDuration >= 1 else { throw container.invalid(.minDuration, "min_duration must be at least 1") }
        clearBelow = try container.decode(
            Double.self,
            forKey: .clearBelow,
            default: min(standard.clearBelow, threshold)
        )
        guard clearBelow >= 0, clearBelow <= threshold else {
            throw container.invalid(.clearBelow, "clear_below must be between 0 and threshold (\(threshold))")
        }
        clearAfter = try container.decode(Int.self, forKey: .clearAfter, default: minDuration)
        guard clearAfter >= 1 else { throw container.invalid(.clearAfter, "clear_after must be at least 1") }
        cooldown = try container.decode(
            ConfigDuration.self,
            forKey: .cooldown,
            default: ConfigDuration(standard.cooldown)
        )
        criticalAbove = try container.decode(
            Double.self,
            forKey: .criticalAbove,
            default: max(standard.criticalAbove, threshold)
        )
        guard criticalAbove >= threshold, criticalAbove <= 1 else {
            throw container.invalid(.criticalAbove, "critical_above must be between threshold and 1")
        }
    }

    /// The alarm state machine's policy.
    public var policy: AlarmPolicy {
        AlarmPolicy(
            threshold: threshold,
            minDuration: minDuration,
            clearBelow: clearBelow,
            clearAfter: clearAfter,
            cooldown: cooldown.duration,
            criticalAbove: criticalAbove
        )
    }

    /// The policy of an asset without an `alarm:` section: `AlarmPolicy()`'s.
    init() {
        let standard = AlarmPolicy()
        threshold = standard.threshold
        minDuration = standard.minDuration
        clearBelow = standard.clearBelow
        clearAfter = standard.clearAfter
        cooldown = ConfigDuration(standard.cooldown)
        criticalAbove = standard.criticalAbove
    }
}
