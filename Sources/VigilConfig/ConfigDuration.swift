/// A duration written as a number and a unit: `500ms`, `30s`, `10m`, `24h`, `90d`.
public struct ConfigDuration: Hashable, Sendable, Decodable, Encodable, CustomStringConvertible {
    /// The duration.
    public var duration: Duration
    /// The text as written.
    public var text: String

    /// The longest duration accepted anywhere: 100 years (`36500d`). A longer one is a mistake, and
    /// beyond about 292 million years it would not fit the milliseconds of a time stamp at all.
    public static let longest = Duration.seconds(36_500 * 86_400)

    /// Creates a duration from its text; nil when it is not a number and a unit, or longer than
    /// `longest`.
    public init?(_ text: String) {
        let trimmed = text
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (unit, seconds) in units where trimmed.hasSuffix(unit) {
            let number = trimmed.dropLast(unit.count)
            // "ms" also ends in "s": only accept the unit whose prefix is a plain number.
            // The grammar of schemas/config.schema.json: digits, optionally a point and more digits.
            let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard !number.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                let value = Double(number), value.isFinite
            else { continue }
            // Checked before any conversion: a duration of 1e8 days does not fit Int64 milliseconds.
            let milliseconds = (value * seconds * 1000).rounded()
            guard milliseconds <= Double(Self.longest.components.seconds) * 1000 else { return nil }
            self.duration = .milliseconds(Int64(milliseconds))
            self.text = trimmed
            return
        }
        return nil
    }

    /// Writes the duration as it was written (`90d`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = ConfigDuration(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "bad duration '\(text.prefix(64))'; write a number and a unit: ms, s, m, h or d, "
                    + "at most 36500d"
            )
        }
        self = parsed
    }

    public var description: String { text }
}
