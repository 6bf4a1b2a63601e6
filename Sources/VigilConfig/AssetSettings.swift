public import VigilCore

/// One entry of `assets:`: a machine, or with captures in its topics a fleet of identical ones.
public struct AssetSettings: Hashable, Sendable, Decodable, Encodable {
    /// Asset name, or a template such as `{asset}` filled from topic captures.
    public var name: String
    /// The signals.
    public var signals: [SignalSettings]
    /// Grid spacing on which the signals are aligned; nil: the spacing of the asset's readings.
    public var tick: ConfigDuration?
    /// Ticks a signal's last value is held when it stops reporting (the gap policy).
    public var hold: Int
    /// Most assets this entry may create from topic captures.
    public var maxAssets: Int
    /// Most signals one asset may have.
    public var maxSignals: Int
    /// Most readings one signal may take per second of event time (0: no limit).
    public var maxRate: Int
    /// How far past its arrival a reading's own time stamp may lie; nil: `limits.max_clock_skew`.
    public var maxClockSkew: ConfigDuration?
    /// Most QoS 0 messages one asset may send per second of arrival (0: no limit).
    public var maxMessageRate: Int
    /// Most assets this entry admits per minute that it has never seen.
    public var newAssetsPerMinute: Int
    /// The detector.
    public var detector: DetectorSettings
    /// The alarm policy.
    public var alarm: AlarmSettings
    /// What the entry predicts (`PrognosisSettings.swift`).
    public var prognosis: PrognosisSettings?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, signals, tick, hold, detector, alarm, prognosis
        case maxAssets = "max_assets"
        case maxSignals = "max_signals"
        case maxRate = "max_rate"
        case maxClockSkew = "max_clock_skew"
        case maxMessageRate = "max_message_rate"
        case newAssetsPerMinute = "new_assets_per_minute"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        signals = try container.decode([SignalSettings].self, forKey: .signals)
        guard !signals.isEmpty else { throw container.invalid(.signals, "an asset needs at least one signal") }
        tick = try container.decodeIfPresent(ConfigDuration.self, forKey: .tick)
        guard tick.map({ $0.duration >= .milliseconds(10) }) ?? true else {
            throw container.invalid(.tick, "tick must be at least 10ms")
        }
        hold = try container.decode(Int.self, forKey: .hold, default: 5)
        guard (0...10_000).contains(hold) else { throw container.invalid(.hold, "hold must be 0 to 10000 ticks") }
        maxAssets = try container.decode(Int.self, forKey: .maxAssets, default: 1000)
        maxSignals = try container.decode(Int.self, forKey: .maxSignals, default: 64)
        guard (1...10_000_000).contains(maxAssets), (1...10_000_000).contains(maxSignals) else {
            throw container.invalid(
                (1...10_000_000).contains(maxAssets) ? .maxSignals : .maxAssets,
                "must be 1 to 10000000"
            )
        }
        maxRate = try container.decode(Int.self, forKey: .maxRate, default: 1000)
        guard (0...1_000_000).contains(maxRate) else {
            throw container.invalid(.maxRate, "max_rate must be 0 (no limit) to 1000000 readings per second")
        }
        maxClockSkew = try container.decodeIfPresent(ConfigDuration.self, forKey: .maxClockSkew)
        maxMessageRate = try container.decode(Int.self, forKey: .maxMessageRate, default: 1000)
        guard (0...1_000_000).contains(maxMessageRate) else {
            throw container.invalid(
                .maxMessageRate,
                "max_message_rate must be 0 (no limit) to 1000000 messages per second"
            )
        }
        newAssetsPerMinute = try container.decode(Int.self, forKey: .newAssetsPerMinute, default: 100)
        guard (1...1_000_000).contains(newAssetsPerMinute) else {
            throw container.invalid(.newAssetsPerMinute, "new_assets_per_minute must be 1 to 1000000")
        }
        detector = try container.decode(DetectorSettings.self, forKey: .detector, default: .standard)
        alarm = try container.decode(AlarmSettings.self, forKey: .alarm, default: AlarmSettings())
        prognosis = try container.decodeIfPresent(PrognosisSettings.self, forKey: .prognosis)

        // The asset name may only use captures that every signal's topic provides.
        let nameCaptures = Self.placeholders(in: name)
        for signal in signals {
            let missing = nameCaptures.subtracting(signal.topic.captureNames)
            guard missing.isEmpty else {
                throw container.invalid(
                    .name,
                    "name uses {\(missing.sorted().joined(separator: "}, {"))} but topic '\(signal.topic)' does not capture it"
                )
            }
        }
        if nameCaptures.isEmpty && !NamePolicy.isValid(name) {
            throw container.invalid(.name, "asset name must match ^[A-Za-z0-9_.-]{1,64}$")
        }
    }

    static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}

/// One signal of an asset entry: its topic, payload format and plausible range.
public struct SignalSettings: Hashable, Sendable, Decodable, Encodable {
    /// Signal name, or a template such as `{signal}`; absent for SenML, whose records name signals.
    public var name: String?
    /// Topic pattern with optional captures.
    public var topic: TopicPattern
    /// How the payload carries the value.
    public var format: PayloadFormat
    /// Values outside are rejected.
    public var range: ClosedRange<Double>?
    /// Deviations smaller than this, in engineering units, never score.
    public var minDeviation: Double?
    /// Values the signal must stay within; Vigil predicts when its trend will cross them.
    public var limits: SignalLimits?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, topic, format, value, time, min, max, limits
        case minDeviation = "min_deviation"
    }

    /// Writes the signal back in the YAML form it was read from (`vigil config show`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(topic.text, forKey: .topic)
        switch format {
        case .plain:
            try container.encode("plain", forKey: .format)
        case .senml:
            try container.encode("senml", forKey: .format)
        case .json(let value, let time):
            try container.encode("json", forKey: .format)
            try container.encode(value.text, forKey: .value)
            try container.encodeIfPresent(time?.text, forKey: .time)
        }
        if let range, range.lowerBound > -Double.greatestFiniteMagnitude {
            try container.encode(range.lowerBound, forKey: .min)
        }
        if let range, range.upperBound < Double.greatestFiniteMagnitude {
            try container.encode(range.upperBound, forKey: .max)
        }
        try container.encodeIfPresent(minDeviation, forKey: .minDeviation)
        try container.encodeIfPresent(limits, forKey: .limits)
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        let topicText = try container.decode(String.self, forKey: .topic)
        do {
            topic = try TopicPattern(topicText)
        } catch {
            throw container.invalid(.topic, error.description)
        }
        let valuePath = try container.decodeIfPresent(String.self, forKey: .value)
        let timePath = try container.decodeIfPresent(String.self, forKey: .time)
        let formatName = try container.decode(
            String.self,
            forKey: .format,
            default: valuePath == nil ? "plain" : "json"
        )
        func path(_ text: String?, _ key: CodingKeys) throws -> JSONPath? {
            guard let text else { return nil }
            do { return try JSONPath(text) } catch { throw container.invalid(key, error.description) }
        }
        switch formatName {
        case "plain":
            guard valuePath == nil, timePath == nil else {
                throw container.invalid(valuePath != nil ? .value : .time, "value and time paths need format json")
            }
            format = .plain
        case "json":
            format = .json(value: try path(valuePath, .value) ?? JSONPath("$"), time: try path(timePath, .time))
        case "senml":
            guard valuePath == nil, timePath == nil else {
                throw container.invalid(
                    valuePath != nil ? .value : .time,
                    "SenML records carry their own value and time"
                )
            }
            guard name == nil else { throw container.invalid(.name, "SenML records name their signals; drop name") }
            format = .senml
        default:
            throw container.invalid(.format, "format must be plain, json or senml, not '\(formatName)'")
        }
        if format != .senml {
            guard let name else {
                throw DecodingError.keyNotFound(
                    CodingKeys.name,
                    DecodingError.Context(codingPath: container.codingPath, debugDescription: "a signal needs a name")
                )
            }
            let missing = AssetSettings.placeholders(in: name).subtracting(topic.captureNames)
            guard missing.isEmpty else {
                throw container.invalid(
                    .name,
                    "name uses {\(missing.sorted().joined(separator: "}, {"))} that the topic does not capture"
                )
            }
            if AssetSettings.placeholders(in: name).isEmpty && !NamePolicy.isValid(name) {
                throw container.invalid(.name, "signal name must match ^[A-Za-z0-9_.-]{1,64}$")
            }
        }
        let lower = try container.decodeIfPresent(Double.self, forKey: .min)
        let upper = try container.decodeIfPresent(Double.self, forKey: .max)
        switch (lower, upper) {
        case (nil, nil): range = nil
        case (let lower?, let upper?):
            guard lower < upper else { throw container.invalid(.max, "max must be greater than min") }
            range = lower...upper
        case (let lower?, nil): range = lower...Double.greatestFiniteMagnitude
        case (nil, let upper?): range = -Double.greatestFiniteMagnitude...upper
        }
        minDeviation = try container.decodeIfPresent(Double.self, forKey: .minDeviation)
        if let minDeviation, !(minDeviation >= 0) {
            throw container.invalid(.minDeviation, "min_deviation must be zero or positive")
        }
        limits = try container.decodeIfPresent(SignalLimits.self, forKey: .limits)
        if limits != nil, name.map({ !AssetSettings.placeholders(in: $0).isEmpty }) ?? true {
            throw container.invalid(.limits, "limits need a signal with a fixed name, not a template or SenML")
        }
    }
}
