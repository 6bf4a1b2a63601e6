/// How the bytes of a sensor payload carry a value.
public enum PayloadFormat: Hashable, Sendable {
    /// The payload is a decimal number in text, e.g. `21.5`.
    case plain
    /// The payload is JSON; `value` is the path of the number and `time`, if set, the path of the
    /// time stamp (epoch seconds or milliseconds, or an ISO 8601 string).
    case json(value: JSONPath, time: JSONPath?)
    /// The payload is a SenML (RFC 8428) JSON array; each record's resolved name is the signal.
    case senml
}
