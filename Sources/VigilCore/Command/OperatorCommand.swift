internal import Foundation

/// A command an operator sends to the daemon on the command topic, e.g.
/// `{"command": "accept_new_normal", "asset": "pump-1", "id": "42"}`.
public struct OperatorCommand: Sendable, Hashable {
    /// What the command asks for.
    public enum Action: Sendable, Hashable {
        /// Close the asset's alarm and learn its current behaviour as normal.
        case acceptNewNormal(asset: String)
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
        /// What happened, for a person.
        public var detail: String

        /// Creates an acknowledgement.
        public init(id: String?, asset: String?, ok: Bool, detail: String) {
            self.id = id
            self.asset = asset
            self.ok = ok
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

    /// The command's id, if it gave one.
    public var id: String?
    /// The asset it names, if any.
    public var asset: String?
    /// What it asks for.
    public var action: Action

    private struct Wire: Codable {
        var command: String
        var asset: String?
        var id: String?
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
        id = wire.id.map { String($0.prefix(128)) }
        asset = wire.asset
        switch wire.command {
        case "accept_new_normal":
            guard let asset = wire.asset, !asset.isEmpty, asset.count <= 256,
                !asset.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                action = .invalid("accept_new_normal needs an 'asset' (1 to 256 printable characters)")
                return
            }
            action = .acceptNewNormal(asset: asset)
        default:
            action = .invalid("unknown command '\(wire.command.prefix(64))'")
        }
    }

    /// The payload of an `accept_new_normal` command.
    public static func acceptNewNormal(asset: String, id: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(Wire(command: "accept_new_normal", asset: asset, id: id))) ?? Data())
    }
}
