/// A coding key for any string, used to list the keys a mapping really has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init(index: Int) { self.stringValue = "Index \(index)" }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws for the first key of this mapping that `Keys` does not know, so that a misspelt key
    /// is an error rather than silently ignored.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, hint: [String: String] = [:]) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try container(keyedBy: AnyKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !known.contains(key.stringValue) {
            let advice = hint[key.stringValue] ?? "known keys: \(known.sorted().joined(separator: ", "))"
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown key '\(key.stringValue)'; \(advice)"
                )
            )
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a value that may be absent, with a default.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key, default value: T) throws -> T {
        try decodeIfPresent(type, forKey: key) ?? value
    }

    /// An error located at `key`, for values that parse but are not acceptable.
    func invalid(_ key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }
}
