internal import Foundation
internal import VigilCore

/// The `commands:` section: who may command the daemon, and how often.
///
/// A command on `alerts.command_topic` is carried out only when it is signed with Ed25519 by one
/// of `keys` (`vigil key generate` makes a pair; `vigil accept --key` signs), unless
/// `require_signature` is false, in which case anyone the broker lets publish there may command.
public struct CommandSettings: Hashable, Sendable, Decodable, Encodable {
    /// A public key allowed to sign commands.
    public struct Key: Hashable, Sendable, Decodable, Encodable {
        /// Its name, as signed commands give it (`key` in the envelope) and as logged.
        public var name: String
        /// The Ed25519 public key: its 32 raw bytes in base64.
        public var publicKey: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case publicKey = "public_key"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            guard NamePolicy.isValid(name) else {
                throw container.invalid(.name, "a key name must match ^[A-Za-z0-9_.-]{1,64}$")
            }
            publicKey = try container.decode(String.self, forKey: .publicKey)
            guard let raw = Data(base64Encoded: publicKey), raw.count == 32 else {
                throw container.invalid(
                    .publicKey,
                    "public_key must be an Ed25519 public key: 32 bytes in base64 (vigil key generate prints one)"
                )
            }
        }
    }

    /// The keys allowed to sign commands.
    public var keys: [Key]
    /// Whether only signed commands are carried out (the default).
    public var requireSignature: Bool
    /// How far a signed command's own time may be from its arrival, either way; a nonce is
    /// remembered for twice this long, so a command cannot be replayed.
    public var maxAge: ConfigDuration
    /// Most commands a minute, all together (beyond: not even answered).
    public var maxPerMinute: Int
    /// Most commands a minute naming one asset.
    public var maxPerAssetPerMinute: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case keys
        case requireSignature = "require_signature"
        case maxAge = "max_age"
        case maxPerMinute = "max_per_minute"
        case maxPerAssetPerMinute = "max_per_asset_per_minute"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keys = try container.decode([Key].self, forKey: .keys, default: [])
        guard Set(keys.map(\.name)).count == keys.count else {
            throw container.invalid(.keys, "two keys have the same name")
        }
        requireSignature = try container.decode(Bool.self, forKey: .requireSignature, default: true)
        maxAge = try container.decode(ConfigDuration.self, forKey: .maxAge, default: Self.defaultMaxAge)
        guard maxAge.duration >= .seconds(1), maxAge.duration <= .seconds(3600) else {
            throw container.invalid(.maxAge, "max_age must be 1s to 1h")
        }
        maxPerMinute = try container.decode(Int.self, forKey: .maxPerMinute, default: 30)
        maxPerAssetPerMinute = try container.decode(Int.self, forKey: .maxPerAssetPerMinute, default: 2)
        guard (1...10_000).contains(maxPerMinute) else {
            throw container.invalid(.maxPerMinute, "max_per_minute must be 1 to 10000")
        }
        guard (1...10_000).contains(maxPerAssetPerMinute) else {
            throw container.invalid(.maxPerAssetPerMinute, "max_per_asset_per_minute must be 1 to 10000")
        }
    }

    init() {
        keys = []
        requireSignature = true
        maxAge = Self.defaultMaxAge
        maxPerMinute = 30
        maxPerAssetPerMinute = 2
    }

    static let defaultMaxAge = ConfigDuration("60s")!
}
