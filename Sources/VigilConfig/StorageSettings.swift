/// The `storage:` section: the SQLite database.
public struct StorageSettings: Hashable, Sendable, Decodable, Encodable {
    /// Path of the database file.
    public var path: String
    /// Events older than this are deleted (undelivered alerts never are).
    public var retention: ConfigDuration
    /// Largest size of the database file in bytes (`max_size: 512MB`); at the cap the oldest
    /// history is deleted to make room. Keep it below the free space of the filesystem.
    public var maxSize: Int64

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, retention
        case maxSize = "max_size"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path, default: "/var/lib/vigil/vigil.db")
        retention = try container.decode(ConfigDuration.self, forKey: .retention, default: ConfigDuration("90d")!)
        guard retention.duration >= .seconds(3600) else {
            throw container.invalid(.retention, "retention must be at least 1h")
        }
        let size = try container.decode(String.self, forKey: .maxSize, default: "1GB")
        guard let bytes = Self.bytes(size), bytes >= 65_536 else {
            throw container.invalid(.maxSize, "max_size must be a size such as 64KB, 512MB or 2GB, at least 64KB")
        }
        maxSize = bytes
    }

    /// Writes the section back as YAML (`vigil config show`), the size in KB.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(retention, forKey: .retention)
        try container.encode("\(maxSize / 1024)KB", forKey: .maxSize)
    }

    init() {
        path = "/var/lib/vigil/vigil.db"
        retention = ConfigDuration("90d")!
        maxSize = 1 << 30
    }

    /// Bytes of a size written as a number and KB, MB or GB (powers of 1024).
    static func bytes(_ text: String) -> Int64? {
        for (unit, factor) in [("KB", Int64(1) << 10), ("MB", Int64(1) << 20), ("GB", Int64(1) << 30)]
        where text.hasSuffix(unit) {
            guard let number = Int64(text.dropLast(2)), number > 0, number < (Int64.max / factor) else { return nil }
            return number * factor
        }
        return nil
    }
}

/// The `alerts:` section: where alerts, states and the daemon's status go.
public struct AlertSettings: Hashable, Sendable, Decodable, Encodable {
    /// Alert topic template; `{asset}` is replaced by the asset name.
    public var topic: String
    /// Retained per-asset state topic template (`learning`, `normal`, `alarm`).
    public var stateTopic: String
    /// Retained daemon status topic (`online`, and `offline` as the last will).
    public var statusTopic: String
    /// Topic prefix for rejected payloads; the reason code is appended as a level.
    public var deadLetterTopic: String
    /// Largest part of a rejected payload republished to the dead-letter topic, in bytes.
    public var deadLetterMaxBytes: Int
    /// QoS of alerts.
    public var qos: Int
    /// Topic on which operators send commands (`accept_new_normal`); answers go to its `/ack`.
    public var commandTopic: String
    /// Topic of notices about the daemon itself (a corrupt database set aside at start).
    public var noticeTopic: String
    /// Topic on which maintenance labels (failure, repair) arrive; answers go to its `/ack`.
    public var labelTopic: String
    /// Retained topic template of each asset's predictions.
    public var prognosisTopic: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case topic, qos
        case labelTopic = "label_topic"
        case prognosisTopic = "prognosis_topic"
        case commandTopic = "command_topic"
        case noticeTopic = "notice_topic"
        case stateTopic = "state_topic"
        case statusTopic = "status_topic"
        case deadLetterTopic = "dead_letter_topic"
        case deadLetterMaxBytes = "dead_letter_max_bytes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        topic = try container.decode(String.self, forKey: .topic, default: "vigil/alerts/{asset}")
        stateTopic = try container.decode(String.self, forKey: .stateTopic, default: "vigil/state/{asset}")
        statusTopic = try container.decode(String.self, forKey: .statusTopic, default: "vigil/status")
        deadLetterTopic = try container.decode(String.self, forKey: .deadLetterTopic, default: "vigil/deadletter")
        deadLetterMaxBytes = try container.decode(Int.self, forKey: .deadLetterMaxBytes, default: 1024)
        guard (0...65_536).contains(deadLetterMaxBytes) else {
            throw container.invalid(.deadLetterMaxBytes, "dead_letter_max_bytes must be 0 to 65536")
        }
        qos = try container.decode(Int.self, forKey: .qos, default: 1)
        guard (1...2).contains(qos) else { throw container.invalid(.qos, "alert qos must be 1 or 2") }
        commandTopic = try container.decode(String.self, forKey: .commandTopic, default: "vigil/command")
        noticeTopic = try container.decode(String.self, forKey: .noticeTopic, default: "vigil/notice")
        labelTopic = try container.decode(String.self, forKey: .labelTopic, default: "vigil/label")
        prognosisTopic = try container.decode(
            String.self,
            forKey: .prognosisTopic,
            default: "vigil/state/{asset}/prognosis"
        )
        for (key, value) in [
            (CodingKeys.topic, topic), (.stateTopic, stateTopic), (.statusTopic, statusTopic),
            (.deadLetterTopic, deadLetterTopic), (.commandTopic, commandTopic), (.noticeTopic, noticeTopic),
            (.labelTopic, labelTopic), (.prognosisTopic, prognosisTopic),
        ]
        where value.isEmpty || value.contains("+") || value.contains("#") {
            throw container.invalid(key, "a publish topic must be non-empty and contain no '+' or '#'")
        }
    }

    init() {
        topic = "vigil/alerts/{asset}"
        stateTopic = "vigil/state/{asset}"
        statusTopic = "vigil/status"
        deadLetterTopic = "vigil/deadletter"
        deadLetterMaxBytes = 1024
        qos = 1
        commandTopic = "vigil/command"
        noticeTopic = "vigil/notice"
        labelTopic = "vigil/label"
        prognosisTopic = "vigil/state/{asset}/prognosis"
    }
}

/// The `limits:` section: bounds on what a payload may be.
public struct LimitSettings: Hashable, Sendable, Decodable, Encodable {
    /// Largest payload accepted, in bytes.
    public var maxPayloadBytes: Int
    /// How far in the future of its arrival a time stamp may be.
    public var maxClockSkew: ConfigDuration
    /// How long an asset may be quiet (no reading) before it is forgotten; `0s`: never.
    public var assetExpiry: ConfigDuration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxPayloadBytes = "max_payload_bytes"
        case maxClockSkew = "max_clock_skew"
        case assetExpiry = "asset_expiry"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxPayloadBytes = try container.decode(Int.self, forKey: .maxPayloadBytes, default: 65_536)
        guard (1...16_777_216).contains(maxPayloadBytes) else {
            throw container.invalid(.maxPayloadBytes, "max_payload_bytes must be 1 to 16777216")
        }
        maxClockSkew = try container.decode(ConfigDuration.self, forKey: .maxClockSkew, default: Self.defaultClockSkew)
        assetExpiry = try container.decode(ConfigDuration.self, forKey: .assetExpiry, default: Self.defaultAssetExpiry)
        guard assetExpiry.duration == .zero || assetExpiry.duration >= .seconds(3600) else {
            throw container.invalid(.assetExpiry, "asset_expiry must be 0s (never) or at least 1h")
        }
    }

    init() {
        maxPayloadBytes = 65_536
        maxClockSkew = Self.defaultClockSkew
        assetExpiry = Self.defaultAssetExpiry
    }

    /// `limits.asset_expiry` when absent.
    static let defaultAssetExpiry = ConfigDuration("7d")!

    /// `limits.max_clock_skew` when absent: `DecodingLimits.defaultMaxFutureSkew` as written in YAML.
    static let defaultClockSkew = ConfigDuration("10s")!
}
