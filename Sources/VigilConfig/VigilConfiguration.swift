import VigilCore

/// The whole YAML configuration of the daemon, as documented in `schemas/config.schema.json`.
public struct VigilConfiguration: Hashable, Sendable, Decodable, Encodable {
    /// Broker connection.
    public var broker: BrokerSettings
    /// Database.
    public var storage: StorageSettings
    /// Alert, state, status and dead-letter topics.
    public var alerts: AlertSettings
    /// Payload limits.
    public var limits: LimitSettings
    /// The Prometheus endpoint.
    public var metrics: MetricsSettings
    /// Who may command the daemon, and how often.
    public var commands: CommandSettings
    /// The assets.
    public var assets: [AssetSettings]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case broker, storage, alerts, limits, metrics, commands, assets
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        broker = try container.decode(BrokerSettings.self, forKey: .broker)
        storage = try container.decode(StorageSettings.self, forKey: .storage, default: StorageSettings())
        alerts = try container.decode(AlertSettings.self, forKey: .alerts, default: AlertSettings())
        limits = try container.decode(LimitSettings.self, forKey: .limits, default: LimitSettings())
        metrics = try container.decode(MetricsSettings.self, forKey: .metrics, default: MetricsSettings())
        commands = try container.decode(CommandSettings.self, forKey: .commands, default: CommandSettings())
        assets = try container.decode([AssetSettings].self, forKey: .assets)
        guard !assets.isEmpty else { throw container.invalid(.assets, "configure at least one asset") }
        // Vigil must never consume what it publishes: no signal topic may match an output topic.
        let outputs = [
            alerts.topic, alerts.stateTopic, alerts.statusTopic, alerts.deadLetterTopic + "/malformed",
            alerts.commandTopic, alerts.commandTopic + "/ack", alerts.noticeTopic,
            alerts.labelTopic, alerts.labelTopic + "/ack", alerts.prognosisTopic,
        ]
        .map { TopicPattern.expand($0, with: ["asset": "asset-1"]) }
        for (index, asset) in assets.enumerated() {
            for signal in asset.signals {
                if let output = outputs.first(where: { signal.topic.match($0) != nil }) {
                    throw DecodingError.dataCorrupted(
                        DecodingError.Context(
                            codingPath: [CodingKeys.assets, AnyKey(index: index)],
                            debugDescription: "topic '\(signal.topic)' would also match Vigil's own output '\(output)'"
                        )
                    )
                }
            }
        }
    }
}
