internal import Foundation
public import VigilCore

/// A rejected payload as republished on the dead-letter topic: the reason, where it came from and
/// the first bytes of the payload (base64, so binary junk stays harmless).
public struct DeadLetter: Sendable, Hashable, Encodable {
    /// Reason code.
    public var reason: RejectionReason
    /// What exactly was wrong.
    public var detail: String
    /// The topic the payload arrived on.
    public var topic: String
    /// Arrival time, ISO 8601.
    public var time: String
    /// Size of the original payload.
    public var payloadBytes: Int
    /// The payload, cut at the configured cap, in base64.
    public var payloadBase64: String
    /// Whether the payload was cut.
    public var truncated: Bool

    enum CodingKeys: String, CodingKey {
        case reason, detail, topic, time, truncated
        case payloadBytes = "payload_bytes"
        case payloadBase64 = "payload_base64"
    }

    /// Builds a dead letter.
    public init(rejection: Rejection, topic: String, payload: [UInt8], arrival: Timestamp, maxBytes: Int) {
        reason = rejection.reason
        detail = rejection.detail
        self.topic = topic
        time = arrival.iso8601
        payloadBytes = payload.count
        truncated = payload.count > maxBytes
        payloadBase64 = Data(payload.prefix(maxBytes)).base64EncodedString()
    }

    /// JSON bytes of the dead letter.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and booleans always encode.
        return Array(try! encoder.encode(self))
    }
}
