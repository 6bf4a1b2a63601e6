public import VigilCore

/// Why a command was not carried out (the `reason` of its acknowledgement, audit record and
/// `vigil_commands_refused_total`).
public enum CommandRefusal: String, Sendable, CaseIterable, Hashable {
    /// Over `commands.max_per_minute`: not answered, not recorded, only counted.
    case rateLimited = "rate_limited"
    /// Not a command, or not an envelope, Vigil can read.
    case malformed
    /// Not signed, and the daemon requires signatures.
    case unsigned
    /// Signed with a key `commands.keys` does not list.
    case unknownKey = "unknown_key"
    /// The signature does not hold.
    case badSignature = "bad_signature"
    /// Signed for another command topic (another Vigil).
    case wrongTopic = "wrong_topic"
    /// Its time is further from its arrival than `commands.max_age`, or missing.
    case stale
    /// Its nonce was seen before, or is missing.
    case replayed
    /// A command Vigil does not know.
    case unknownCommand = "unknown_command"
    /// Over `commands.max_per_asset_per_minute` for its asset.
    case assetRateLimited = "asset_rate_limited"
    /// The asset is not one the daemon has.
    case unknownAsset = "unknown_asset"
    /// `accept_new_normal` for an asset without an open alarm, and not forced.
    case noOpenAlarm = "no_open_alarm"
}

/// The checks a command passes before it is carried out, in this order: the overall rate (before
/// anything is parsed, so a flood costs almost nothing), the signature with its time, nonce and
/// topic, the command itself, and its asset's own rate.
///
/// A value owned by the pipeline service's loop. Times: `monotonic` in milliseconds for the rate
/// limits, `arrival` (epoch ms) for a signed command's age.
public struct CommandGate: Sendable {
    /// The keys that may sign, by name (raw 32-byte public keys).
    public let keys: [String: [UInt8]]
    /// Whether unsigned commands are refused.
    public let requireSignature: Bool
    /// How far a signed command's time may be from its arrival.
    public let maxAge: Duration
    /// The command topic a signed command must name.
    public let topic: String
    private var total: TokenBucket
    private let perAsset: Int
    private var assetBudgets: [String: TokenBucket] = [:]
    /// Nonces seen, by key and nonce, with their arrival (ms); kept for twice `maxAge`.
    private var nonces: [String: Int64] = [:]

    /// Creates a gate.
    public init(
        keys: [String: [UInt8]],
        requireSignature: Bool,
        maxAge: Duration,
        topic: String,
        maxPerMinute: Int,
        maxPerAssetPerMinute: Int
    ) {
        self.keys = keys
        self.requireSignature = requireSignature
        self.maxAge = maxAge
        self.topic = topic
        total = TokenBucket(capacity: maxPerMinute, period: .seconds(60))
        perAsset = maxPerAssetPerMinute
    }

    /// Takes one from the overall budget; false: the command is only counted.
    public mutating func admit(at monotonic: Int64) -> Bool {
        total.take(at: monotonic)
    }

    /// What a command is, and who sent it, or why it is refused. `command` is set whenever the
    /// payload could be read, so a refusal can name what was asked.
    public struct Opened: Sendable {
        /// The command, when readable.
        public var command: OperatorCommand?
        /// Who signed it (`key <name>`), or `unsigned`.
        public var origin: String
        /// Why it is refused; nil when it may go on.
        public var refusal: CommandRefusal?
        /// What is wrong, for the log and the acknowledgement.
        public var detail: String
    }

    /// What a signed payload states about itself, so that it cannot be replayed, kept back or
    /// sent to another daemon: the topic it is meant for, when it was sent (epoch ms) and a nonce.
    public struct Binding: Sendable, Hashable {
        /// The topic it was signed for.
        public var topic: String?
        /// When it was sent, epoch milliseconds.
        public var sent: Int64?
        /// A value used once.
        public var nonce: String?

        /// Creates a binding.
        public init(topic: String?, sent: Int64?, nonce: String?) {
            self.topic = topic
            self.sent = sent
            self.nonce = nonce
        }
    }

    /// A payload whose signature was checked: the bytes inside and who signed them, or why it is
    /// refused (with the bytes when they could be read, so that a refusal can name what was asked).
    public struct Unsealed: Sendable {
        /// The payload inside the envelope (the payload itself when it was not signed).
        public var bytes: [UInt8]?
        /// Who signed it (`key <name>`), or `unsigned`.
        public var origin: String
        /// Why it is refused; nil when it may go on.
        public var refusal: CommandRefusal?
        /// What is wrong, for the log and the acknowledgement.
        public var detail: String
    }

    /// Checks a payload's signature, and the topic, time and nonce it was signed with (`binding`
    /// reads them from the signed bytes), for messages on `topic`: commands and labels alike.
    public mutating func unseal(
        _ payload: [UInt8],
        arrival: Int64,
        topic: String,
        binding: ([UInt8]) -> Binding
    ) -> Unsealed {
        guard let envelope = SignedCommand(envelope: payload) else {
            guard !requireSignature else {
                return Unsealed(
                    bytes: payload,
                    origin: "unsigned",
                    refusal: .unsigned,
                    detail: "commands and labels must be signed with a key listed in commands.keys (--key)"
                )
            }
            return Unsealed(bytes: payload, origin: "unsigned", refusal: nil, detail: "")
        }
        let origin = "key \(envelope.key.prefix(64))"
        guard let key = keys[envelope.key] else {
            return Unsealed(
                bytes: nil,
                origin: origin,
                refusal: .unknownKey,
                detail: "no key of that name in commands.keys"
            )
        }
        guard let bytes = envelope.verified(with: key) else {
            return Unsealed(bytes: nil, origin: origin, refusal: .badSignature, detail: "the signature does not hold")
        }
        let stated = binding(bytes)
        guard stated.topic == topic else {
            return Unsealed(
                bytes: bytes,
                origin: origin,
                refusal: .wrongTopic,
                detail: "signed for topic '\(stated.topic ?? "")', not '\(topic)' of this daemon"
            )
        }
        let window = maxAge.components.seconds * 1000
        guard let sent = stated.sent, abs(arrival - sent) <= window else {
            return Unsealed(
                bytes: bytes,
                origin: origin,
                refusal: .stale,
                detail: "the time it was sent is missing or more than \(maxAge) from its arrival"
            )
        }
        guard let nonce = stated.nonce, !nonce.isEmpty else {
            return Unsealed(bytes: bytes, origin: origin, refusal: .replayed, detail: "a signed message needs a nonce")
        }
        nonces = nonces.filter { arrival - $0.value <= 2 * window }
        let seen = "\(envelope.key)/\(nonce)"
        guard nonces[seen] == nil else {
            return Unsealed(bytes: bytes, origin: origin, refusal: .replayed, detail: "this nonce was used before")
        }
        nonces[seen] = arrival
        return Unsealed(bytes: bytes, origin: origin, refusal: nil, detail: "")
    }

    /// Opens a command payload: checks its signature (with its time, nonce and topic) and reads it.
    public mutating func open(_ payload: [UInt8], arrival: Int64) -> Opened {
        let unsealed = unseal(payload, arrival: arrival, topic: topic) { bytes in
            let command = OperatorCommand(payload: bytes)
            return Binding(topic: command.topic, sent: command.time, nonce: command.nonce)
        }
        let command = unsealed.bytes.map(OperatorCommand.init(payload:))
        if let refusal = unsealed.refusal {
            return Opened(command: command, origin: unsealed.origin, refusal: refusal, detail: unsealed.detail)
        }
        return read(command!, origin: unsealed.origin)
    }

    private func read(_ command: OperatorCommand, origin: String) -> Opened {
        if case .invalid(let reason) = command.action {
            let known = command.name == nil || command.name == "accept_new_normal"
            let refusal: CommandRefusal = known ? .malformed : .unknownCommand
            return Opened(command: command, origin: origin, refusal: refusal, detail: reason)
        }
        return Opened(command: command, origin: origin, refusal: nil, detail: "")
    }

    /// Takes one from the asset's own budget; false when it is spent.
    public mutating func admit(asset: String, at monotonic: Int64) -> Bool {
        var budget = assetBudgets[asset] ?? TokenBucket(capacity: perAsset, period: .seconds(60))
        let taken = budget.take(at: monotonic)
        assetBudgets[asset] = budget
        if assetBudgets.count > 1000 {
            assetBudgets = assetBudgets.filter { _, bucket in
                var bucket = bucket
                return !bucket.isFull(at: monotonic)
            }
        }
        return taken
    }
}
