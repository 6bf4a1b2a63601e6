internal import Foundation

/// A command an operator sends to the daemon on the command topic, e.g.
/// `{"command": "accept_new_normal", "asset": "pump-1", "id": "42", "time": 1795948320000,
/// "nonce": "9f…", "topic": "vigil/command"}` (`schemas/command.schema.json`). Signed, it travels
/// inside a `SignedCommand` envelope, which makes `time`, `nonce` and `topic` binding: the daemon
/// refuses a signed command that is stale, seen before, or meant for another command topic.
public struct OperatorCommand: Sendable, Hashable {
    /// What the command asks for.
    public enum Action: Sendable, Hashable {
        /// Close the asset's alarm and learn its current behaviour as normal; without `force`,
        /// only when the asset has an open alarm.
        case acceptNewNormal(asset: String, force: Bool)
        /// The payload is not a command Vigil knows; the reason says why.
        case invalid(String)
    }

    /// The answer published on `<command topic>/ack`.
    public struct Acknowledgement: Sendable, Hashable, Codable {
        /// The command's id, echoed so a client can match its answer.
        public var id: String?
        /// The asset named.
        public var asset: String?
        /// Whether the command was carried out.
        public var ok: Bool
        /// The reason code of a refusal (`unsigned`, `no_open_alarm`, …); nil when carried out.
        public var reason: String?
        /// What happened, for a person.
        public var detail: String

        /// Creates an acknowledgement.
        public init(id: String?, asset: String?, ok: Bool, reason: String? = nil, detail: String) {
            self.id = id
            self.asset = asset
            self.ok = ok
            self.reason = reason
            self.detail = detail
        }

        /// The acknowledgement as JSON.
        public func jsonBytes() -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
        }

        /// Parses an acknowledgement (for `vigil accept`).
        public init?(payload: [UInt8]) {
            guard let value = try? JSONDecoder().decode(Self.self, from: Data(payload)) else { return nil }
            self = value
        }
    }

    /// Largest command payload read.
    public static let maxPayloadBytes = 4096

    /// The command's name as sent (`accept_new_normal`), at most 64 characters; nil when unreadable.
    public var name: String?
    /// The command's id, if it gave one (at most 128 characters).
    public var id: String?
    /// The asset it names, if any (at most 256 characters).
    public var asset: String?
    /// When it was sent, in epoch milliseconds (binding for signed commands).
    public var time: Int64?
    /// A value used once (binding for signed commands).
    public var nonce: String?
    /// The command topic it was meant for (binding for signed commands).
    public var topic: String?
    /// What it asks for.
    public var action: Action

    private struct Wire: Codable {
        var command: String
        var asset: String?
        var id: String?
        var time: Int64?
        var nonce: String?
        var topic: String?
        var force: Bool?
    }

    /// Reads a command payload; anything unusable becomes `.invalid` with the reason.
    public init(payload: [UInt8]) {
        guard payload.count <= Self.maxPayloadBytes else {
            action = .invalid("command larger than \(Self.maxPayloadBytes) bytes")
            return
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload)) else {
            action = .invalid("not a JSON object with a string 'command'")
            return
        }
        name = String(wire.command.prefix(64))
        id = wire.id.map { String($0.prefix(128)) }
        asset = wire.asset.map { String($0.prefix(256)) }
        time = wire.time
        nonce = wire.nonce.map { String($0.prefix(128)) }
        topic = wire.topic.map { String($0.prefix(256)) }
        switch wire.command {
        case "accept_new_normal":
            guard let asset = wire.asset, !asset.isEmpty, asset.count <= 256,
                !asset.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                action = .invalid("accept_new_normal needs an 'asset' (1 to 256 printable characters)")
                return
            }
            action = .acceptNewNormal(asset: asset, force: wire.force ?? false)
        default:
            action = .invalid("unknown command '\(wire.command.prefix(64))'")
        }
    }

    /// The payload of an `accept_new_normal` command; `time`, `nonce` and `topic` for one that is
    /// to be signed.
    public static func acceptNewNormal(
        asset: String,
        id: String,
        force: Bool = false,
        time: Int64? = nil,
        nonce: String? = nil,
        topic: String? = nil
    ) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(
            command: "accept_new_normal",
            asset: asset,
            id: id,
            time: time,
            nonce: nonce,
            topic: topic,
            force: force ? true : nil
        )
        return Array((try? encoder.encode(wire)) ?? Data())
    }
}
