/// Why a payload or reading was refused. The raw value is the reason code used in metrics,
/// logs and dead-letter messages.
public enum RejectionReason: String, Sendable, Codable, CaseIterable, Hashable {
    /// The payload has no bytes.
    case empty
    /// The payload is larger than the configured cap (checked before parsing).
    case oversize
    /// The payload is not valid for its format (not UTF-8, not a number, not JSON, not SenML).
    case malformed
    /// The configured JSON path for the value or time is absent.
    case missingField = "missing_field"
    /// The value at the path is not a number (a string, a boolean, null, an object).
    case wrongType = "wrong_type"
    /// The value is NaN or infinite, in any spelling, or overflows a double.
    case nonFinite = "non_finite"
    /// The value lies outside the signal's configured range.
    case outOfRange = "out_of_range"
    /// The time stamp cannot be read, is before 2000, or is further in the future than allowed.
    case badTimestamp = "bad_timestamp"
    /// A captured asset or signal name fails the strict name pattern.
    case invalidName = "invalid_name"
    /// No configured signal matches the topic.
    case unknownTopic = "unknown_topic"
    /// The reading is older than the tick its asset has already closed, or than the signal's
    /// previous reading.
    case late
    /// The signal already has a reading with this time stamp (a redelivery, or a replayed message).
    case duplicate
    /// The broker delivered it from its retained store when Vigil subscribed: a value (or command)
    /// of unknown age, not a live one.
    case retained
    /// Accepting it would exceed the cap on assets per entry or signals per asset.
    case tooManySeries = "too_many_series"
    /// Its signal already took `max_rate` readings in the last second of event time, or its asset
    /// `max_message_rate` QoS 0 messages in the last second of arrival (a flood).
    case rateLimited = "rate_limited"
    /// Its asset is new, and its entry already admitted `new_assets_per_minute` new assets in the
    /// last minute (a burst of invented names).
    case tooManyNewAssets = "too_many_new_assets"
}

/// A refused payload or reading: the reason code and a human-readable detail.
public struct Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reason code.
    public var reason: RejectionReason
    /// What exactly was wrong, safe to log (no payload bytes are echoed).
    public var detail: String

    /// Creates a rejection.
    public init(_ reason: RejectionReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
