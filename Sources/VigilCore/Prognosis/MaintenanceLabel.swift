internal import Foundation

/// A maintenance event of an asset, from a maintenance system or an operator on the label topic
/// (`{"asset": "pump-1", "event": "failure", "time": "2026-11-29T08:00:00Z", "id": "7"}`) or from
/// `vigil label`: what turns recorded history into run-to-failure segments.
///
/// Signed like a command (`schemas/label.schema.json`), a label also states when it was sent
/// (`sent`, epoch ms), a `nonce` and the label `topic` it is meant for, which the daemon checks.
public struct MaintenanceLabel: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The asset failed: the segment since the last repair is a complete run to failure.
        case failure
        /// The asset was repaired or replaced: a new life starts.
        case repair
    }

    /// The asset.
    public var asset: String
    /// What happened.
    public var event: Kind
    /// When it happened.
    public var time: Timestamp
    /// The sender's id, echoed in the acknowledgement.
    public var id: String?

    /// Creates a label.
    public init(asset: String, event: Kind, time: Timestamp, id: String? = nil) {
        self.asset = asset
        self.event = event
        self.time = time
        self.id = id
    }

    /// Largest label payload read.
    public static let maxPayloadBytes = 4096

    private struct Wire: Codable {
        var asset: String?
        var event: String?
        var time: JSONTime?
        var id: String?
        var sent: Int64?
        var nonce: String?
        var topic: String?
    }

    /// A time given as ISO 8601 text or epoch seconds.
    private enum JSONTime: Codable {
        case text(String)
        case number(Double)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            }
        }
    }

    /// Reads a label payload; `arrival` is its time when it gives none.
    /// - Returns: the label, or why it is refused.
    public static func parse(_ payload: [UInt8], arrival: Timestamp) -> Result<MaintenanceLabel, LabelRefusal> {
        guard payload.count <= maxPayloadBytes else {
            return .failure(LabelRefusal(id: nil, asset: nil, reason: "label larger than \(maxPayloadBytes) bytes"))
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload)) else {
            return .failure(
                LabelRefusal(
                    id: nil,
                    asset: nil,
                    reason: "not a JSON object with 'asset', 'event' and an optional 'time'"
                )
            )
        }
        let id = wire.id.map { String($0.prefix(128)) }
        func refuse(_ reason: String) -> Result<MaintenanceLabel, LabelRefusal> {
            .failure(LabelRefusal(id: id, asset: wire.asset.map { String($0.prefix(256)) }, reason: reason))
        }
        guard let asset = wire.asset, NamePolicy.isValid(asset) else {
            return refuse("a label needs an 'asset' (1 to 64 letters, digits, '_', '.' or '-')")
        }
        guard let eventText = wire.event, let event = Kind(rawValue: eventText) else {
            return refuse("'event' must be failure or repair")
        }
        var time = arrival
        switch wire.time {
        case nil: break
        case .number(let seconds):
            guard seconds.isFinite, seconds > 0, seconds < 1e11 else {
                return refuse("'time' is not a plausible epoch second")
            }
            time = Timestamp(seconds: seconds)
        case .text(let text):
            guard let parsed = Timestamp(iso8601: text) else { return refuse("'time' is not ISO 8601 with a zone") }
            time = parsed
        }
        return .success(MaintenanceLabel(asset: asset, event: event, time: time, id: id))
    }

    /// The payload of a label (for `vigil label`); `sent`, `nonce` and `topic` for one that is
    /// signed.
    public func payload(sent: Int64? = nil, nonce: String? = nil, topic: String? = nil) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(
            asset: asset,
            event: event.rawValue,
            time: .text(time.iso8601),
            id: id,
            sent: sent,
            nonce: nonce,
            topic: topic
        )
        return Array((try? encoder.encode(wire)) ?? Data())
    }

    /// What a label payload states about its sending: the topic it is meant for, when it was sent
    /// (epoch ms) and its nonce; nils where it states nothing or is not a label.
    public static func sending(of payload: [UInt8]) -> (topic: String?, sent: Int64?, nonce: String?) {
        guard payload.count <= maxPayloadBytes,
            let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload))
        else { return (nil, nil, nil) }
        return (wire.topic.map { String($0.prefix(256)) }, wire.sent, wire.nonce.map { String($0.prefix(128)) })
    }
}

/// Why a label was refused.
public struct LabelRefusal: Error, Sendable, Hashable {
    /// The label's id, if it gave one.
    public var id: String?
    /// The asset it named, if any.
    public var asset: String?
    /// Why.
    public var reason: String

    /// Creates a refusal.
    public init(id: String?, asset: String?, reason: String) {
        self.id = id
        self.asset = asset
        self.reason = reason
    }
}
