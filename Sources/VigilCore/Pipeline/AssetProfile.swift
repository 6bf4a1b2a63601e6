/// Which detector an asset profile uses, with its settings.
public enum DetectorChoice: Hashable, Sendable {
    /// Rolling median and MAD per signal.
    case robustStatistics(RobustStatisticsDetector.Settings)
    /// A recurrent network per asset, learned on the gateway.
    case lstm(LSTMDetector.Settings)

    /// A fresh detector of this choice.
    func makeDetector(tick: Duration) -> any Detector {
        switch self {
        case .robustStatistics(let settings): RobustStatisticsDetector(settings: settings)
        case .lstm(let settings): LSTMDetector(settings: settings, tick: tick)
        }
    }
}

/// How the assets of one config entry are aligned, scored and alarmed.
public struct AssetProfile: Hashable, Sendable {
    /// The entry's name as configured (may be a template such as `{asset}`).
    public var name: String
    /// Grid spacing of the asset's ticks; nil: the spacing of its readings.
    public var tick: Duration?
    /// Ticks a signal's last value is held when it stops reporting.
    public var maxHold: Int
    /// Most distinct assets this entry may create from topic captures.
    public var maxAssets: Int
    /// Most signals one asset may have.
    public var maxSignals: Int
    /// Most readings one signal may take per second of event time (0: no limit).
    public var maxRate: Int
    /// The detector.
    public var detector: DetectorChoice
    /// The alarm policy.
    public var alarm: AlarmPolicy
    /// What the entry predicts, if anything.
    public var prognosis: PrognosisPlan?

    /// Creates a profile.
    public init(
        name: String,
        tick: Duration? = .seconds(1),
        maxHold: Int = 5,
        maxAssets: Int = 1000,
        maxSignals: Int = 64,
        maxRate: Int = 1000,
        detector: DetectorChoice = .robustStatistics(.init()),
        alarm: AlarmPolicy = AlarmPolicy(),
        prognosis: PrognosisPlan? = nil
    ) {
        self.name = name
        self.tick = tick
        self.maxHold = maxHold
        self.maxAssets = maxAssets
        self.maxSignals = maxSignals
        self.maxRate = maxRate
        self.detector = detector
        self.alarm = alarm
        self.prognosis = prognosis
    }
}
