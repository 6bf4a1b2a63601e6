/// The whole YAML configuration of the daemon, as documented in `schemas/config.schema.json`.
public struct VigilConfiguration: Hashable, Sendable, Decodable {
    /// Broker connection.
    public var broker: BrokerSettings
    /// Database.
    public var storage: StorageSettings
    /// Alert, state, status and dead-letter topics.
    public var alerts: AlertSettings
    /// Payload limits.
    public var limits: LimitSettings
    /// The assets.
    public var assets: [AssetSettings]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case broker, storage, alerts, limits, assets
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        broker = try container.decode(BrokerSettings.self, forKey: .broker)
        storage = try container.decode(StorageSettings.self, forKey: .storage, default: StorageSettings())
        alerts = try container.decode(AlertSettings.self, forKey: .alerts, default: AlertSettings())
        limits = try container.decode(LimitSettings.self, forKey: .limits, default: LimitSettings())
        assets = try container.decode([AssetSettings].self, forKey: .assets)
        guard !assets.isEmpty else { throw container.invalid(.assets, "configure at least one asset") }
    }
}
