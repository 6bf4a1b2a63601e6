/// Turns payload bytes into values with time stamps, or a `Rejection` saying why not.
///
/// The decoder is pure: it reads no clock (the arrival time is passed in) and keeps no state.
public struct PayloadDecoder: Sendable {
    /// One value found in a payload.
    public struct Value: Hashable, Sendable {
        /// The name the payload gives the value (SenML records); nil for plain and JSON payloads.
        public var name: String?
        /// The value, finite.
        public var value: Double
        /// Its time stamp.
        public var time: Timestamp
        /// Whether the time stamp is the payload's own (not derived from the arrival time).
        public var stamped: Bool
    }

    /// The limits applied to every payload.
    public var limits: DecodingLimits

    /// Creates a decoder.
    public init(limits: DecodingLimits = DecodingLimits()) {
        self.limits = limits
    }

    /// Decodes a payload in the given format.
    /// - Parameters:
    ///   - payload: the raw bytes.
    ///   - format: how the bytes carry the value.
    ///   - arrival: when the payload arrived; the time of values that carry none.
    ///   - maxFutureSkew: how far past `arrival` a time stamp may lie; nil: `limits.maxFutureSkew`.
    public func decode(
        _ payload: [UInt8],
        as format: PayloadFormat,
        arrival: Timestamp,
        maxFutureSkew: Duration? = nil
    ) throws(Rejection)
        -> [Value]
    {
        var decoder = self
        if let maxFutureSkew { decoder.limits.maxFutureSkew = maxFutureSkew }
        return try decoder.decodeWithLimits(payload, as: format, arrival: arrival)
    }

    private func decodeWithLimits(
        _ payload: [UInt8],
        as format: PayloadFormat,
        arrival: Timestamp
    ) throws(Rejection)
        -> [Value]
    {
        guard !payload.isEmpty else { throw Rejection(.empty, "payload has no bytes") }
        guard payload.count <= limits.maxPayloadBytes else {
            throw Rejection(.oversize, "payload is \(payload.count) bytes, the cap is \(limits.maxPayloadBytes)")
        }
        switch format {
        case .plain:
            guard let text = String(validating: payload, as: UTF8.self) else {
                throw Rejection(.malformed, "payload is not valid UTF-8")
            }
            return [Value(name: nil, value: try Self.parseNumber(text), time: arrival, stamped: false)]
        case .json(let valuePath, let timePath):
            let document = try Self.parseJSON(payload)
            guard let raw = document.value(at: valuePath) else {
                throw Rejection(.missingField, "no value at \(valuePath)")
            }
            let value = try Self.number(raw, at: valuePath.text)
            var time = arrival
            if let timePath {
                guard let rawTime = document.value(at: timePath) else {
                    throw Rejection(.missingField, "no time at \(timePath)")
                }
                time = try timestamp(rawTime, arrival: arrival)
            }
            return [Value(name: nil, value: value, time: time, stamped: timePath != nil)]
        case .senml:
            return try decodeSenML(Self.parseJSON(payload), arrival: arrival)
        }
    }

    // MARK: - Formats

    private static func parseJSON(_ payload: [UInt8]) throws(Rejection) -> JSONValue {
        guard String(validating: payload, as: UTF8.self) != nil else {
            throw Rejection(.malformed, "payload is not valid UTF-8")
        }
        guard let document = JSONValue.parse(payload) else {
            throw Rejection(.malformed, "payload is not a valid JSON document")
        }
        if let key = JSONValue.duplicateKey(in: payload) {
            throw Rejection(.malformed, "key \(key.debugDescription) appears twice in one object")
        }
        return document
    }

    private func decodeSenML(_ document: JSONValue, arrival: Timestamp) throws(Rejection) -> [Value] {
        guard case .array(let records) = document, !records.isEmpty else {
            throw Rejection(.malformed, "SenML payload must be a non-empty JSON array")
        }
        var baseName = ""
        var baseTime = 0.0
        var values: [Value] = []
        for (index, record) in records.enumerated() {
            guard case .object(let fields) = record else {
                throw Rejection(.malformed, "SenML record \(index) is not an object")
            }
            if let bn = fields["bn"] {
                guard case .string(let text) = bn else { throw Rejection(.wrongType, "SenML bn is \(bn.typeName)") }
                baseName = text
            }
            if let bt = fields["bt"] {
                baseTime = try Self.number(bt, at: "bt")
            }
            let name =
                baseName
                + (try fields["n"].map { (n) throws(Rejection) -> String in
                    guard case .string(let text) = n else { throw Rejection(.wrongType, "SenML n is \(n.typeName)") }
                    return text
                } ?? "")
            guard let raw = fields["v"] else {
                throw Rejection(.missingField, "SenML record \(index) has no numeric 'v'")
            }
            let value = try Self.number(raw, at: "v")
            let relative = try fields["t"].map { (t) throws(Rejection) -> Double in try Self.number(t, at: "t") } ?? 0
            let seconds = baseTime + relative
            // As for JSON: 1e11 s is the year 5138; beyond, the time stamp is nonsense (found by fuzzing:
            // converting it to milliseconds used to trap).
            guard abs(seconds) < 1e11 else {
                throw Rejection(.badTimestamp, "SenML record \(index) has a time of \(seconds) s")
            }
            // RFC 8428 §4.5.3: times below 2^28 are relative to now.
            let time: Timestamp
            let stamped = abs(seconds) >= 268_435_456
            if seconds == 0 {
                time = arrival
            } else if abs(seconds) < 268_435_456 {
                time = Timestamp(milliseconds: arrival.milliseconds + Int64((seconds * 1000).rounded()))
            } else {
                time = try checked(Timestamp(seconds: seconds), arrival: arrival)
            }
            values.append(Value(name: name, value: value, time: time, stamped: stamped))
        }
        return values
    }

    // MARK: - Values

    /// Parses a plain decimal number strictly: `[+-]digits[.digits][e[+-]digits]`, surrounded by
    /// optional white space. NaN and infinities in any spelling are `nonFinite`; hex, commas and
    /// anything else are `malformed`.
    static func parseNumber(_ text: String) throws(Rejection) -> Double {
        let trimmed = text.trimmingASCIIWhitespace()
        let lowered = trimmed.lowercased()
        let bare = lowered.hasPrefix("+") || lowered.hasPrefix("-") ? String(lowered.dropFirst()) : lowered
        if ["nan", "inf", "infinity", "snan"].contains(bare) {
            throw Rejection(.nonFinite, "value is \(bare)")
        }
        guard isDecimalLiteral(trimmed), let value = Double(trimmed) else {
            throw Rejection(.malformed, "payload is not a decimal number")
        }
        guard value.isFinite else { throw Rejection(.nonFinite, "value overflows a double") }
        return value
    }

    private static func isDecimalLiteral(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, byte >= 48, byte <= 57 {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        var mantissaDigits = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if let byte = bytes.first, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    private static func number(_ value: JSONValue, at path: String) throws(Rejection) -> Double {
        switch value {
        case .number(let number):
            guard number.isFinite else { throw Rejection(.nonFinite, "value at \(path) overflows a double") }
            return number
        case .string(let text):
            let lowered = text.lowercased().trimmingASCIIWhitespace()
            let bare = lowered.hasPrefix("+") || lowered.hasPrefix("-") ? String(lowered.dropFirst()) : lowered
            if ["nan", "inf", "infinity"].contains(bare) {
                throw Rejection(.nonFinite, "value at \(path) is the string \(bare)")
            }
            throw Rejection(.wrongType, "value at \(path) is a string, not a number")
        default:
            throw Rejection(.wrongType, "value at \(path) is \(value.typeName), not a number")
        }
    }

    private func timestamp(_ value: JSONValue, arrival: Timestamp) throws(Rejection) -> Timestamp {
        switch value {
        case .number(let number):
            guard number.isFinite else { throw Rejection(.badTimestamp, "time stamp is not finite") }
            // Below 1e11 the number is read as seconds (1e11 s is the year 5138), above as milliseconds.
            let time =
                abs(number) < 1e11
                ? Timestamp(seconds: number)
                : Timestamp(milliseconds: Int64(clamping: Int64(exactly: number.rounded()) ?? Int64.max))
            return try checked(time, arrival: arrival)
        case .string(let text):
            guard let time = Timestamp(iso8601: text) else {
                throw Rejection(.badTimestamp, "time stamp is not ISO 8601 with a zone")
            }
            return try checked(time, arrival: arrival)
        default:
            throw Rejection(.badTimestamp, "time stamp is \(value.typeName)")
        }
    }

    private func checked(_ time: Timestamp, arrival: Timestamp) throws(Rejection) -> Timestamp {
        guard time >= limits.earliest else {
            throw Rejection(.badTimestamp, "time stamp \(time) is before \(limits.earliest)")
        }
        guard time <= arrival + limits.maxFutureSkew else {
            throw Rejection(.badTimestamp, "time stamp \(time) is more than \(limits.maxFutureSkew) after arrival")
        }
        return time
    }
}

extension String {
    /// The string without leading and trailing ASCII white space.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
