/// An MQTT topic filter with optional named captures, such as `plant/{asset}/{signal}`.
///
/// Each `{name}` level matches one topic level (like `+`) and captures it; `+` and a final `#`
/// keep their MQTT meaning. `subscriptionFilter` is what Vigil subscribes to on the broker.
///
/// ```swift
/// let pattern = try TopicPattern("plant/{asset}/{signal}")
/// pattern.match("plant/pump-1/pressure")  // ["asset": "pump-1", "signal": "pressure"]
/// ```
public struct TopicPattern: Hashable, Sendable, CustomStringConvertible {
    /// One level of the pattern.
    enum Level: Hashable, Sendable {
        case literal(String)
        case capture(String)
        case singleWildcard
        case multiWildcard
    }

    /// Why a pattern is not a valid topic filter.
    public struct InvalidPattern: Error, Hashable, Sendable, CustomStringConvertible {
        /// The pattern as written.
        public var pattern: String
        /// What is wrong with it.
        public var reason: String
        public var description: String { "invalid topic pattern '\(pattern)': \(reason)" }
    }

    /// The pattern as written.
    public let text: String
    let levels: [Level]

    /// The names captured by this pattern, in order.
    public var captureNames: [String] {
        levels.compactMap { if case .capture(let name) = $0 { name } else { nil } }
    }

    /// The MQTT filter to subscribe to: every capture replaced by `+`.
    public var subscriptionFilter: String {
        levels.map { level in
            switch level {
            case .literal(let text): text
            case .capture, .singleWildcard: "+"
            case .multiWildcard: "#"
            }
        }.joined(separator: "/")
    }

    /// Parses a pattern.
    /// - Throws: `InvalidPattern` when a wildcard is mixed into a level, `#` is not last, a capture
    ///   name repeats or is not an identifier, or the pattern is empty.
    public init(_ text: String) throws(InvalidPattern) {
        self.text = text
        guard !text.isEmpty else { throw InvalidPattern(pattern: text, reason: "empty") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var levels: [Level] = []
        var names: Set<String> = []
        for (index, part) in parts.enumerated() {
            if part == "#" {
                guard index == parts.count - 1 else {
                    throw InvalidPattern(pattern: text, reason: "'#' must be the last level")
                }
                levels.append(.multiWildcard)
            } else if part == "+" {
                levels.append(.singleWildcard)
            } else if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                let name = String(part.dropFirst().dropLast())
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.first?.isLetter == true
                else {
                    throw InvalidPattern(pattern: text, reason: "capture name '\(name)' is not an identifier")
                }
                guard names.insert(name).inserted else {
                    throw InvalidPattern(pattern: text, reason: "capture '\(name)' appears twice")
                }
                levels.append(.capture(name))
            } else {
                guard !part.contains(where: { "+#{}".contains($0) }) else {
                    throw InvalidPattern(pattern: text, reason: "level '\(part)' mixes a wildcard or brace with text")
                }
                levels.append(.literal(part))
            }
        }
        self.levels = levels
    }

    /// Matches a concrete topic; returns the captured values, or nil when the topic does not match.
    ///
    /// Captured values are returned as they appear; checking them is the caller's job.
    public func match(_ topic: String) -> [String: String]? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        var captures: [String: String] = [:]
        for (index, level) in levels.enumerated() {
            if case .multiWildcard = level {
                // MQTT: `a/#` also matches `a` itself; `$`-topics never match a leading wildcard.
                return index == 0 && topic.hasPrefix("$") ? nil : captures
            }
            guard index < parts.count else { return nil }
            let part = parts[index]
            switch level {
            case .literal(let text):
                guard part == text else { return nil }
            case .capture(let name):
                if index == 0 && part.hasPrefix("$") { return nil }
                captures[name] = String(part)
            case .singleWildcard:
                if index == 0 && part.hasPrefix("$") { return nil }
            case .multiWildcard:
                break
            }
        }
        return parts.count == levels.count ? captures : nil
    }

    /// Fills the captures into a template such as `{asset}` or `line-{line}`.
    public static func expand(_ template: String, with captures: [String: String]) -> String {
        var result = template
        for (name, value) in captures {
            result = result.replacingAll("{\(name)}", with: value)
        }
        return result
    }

    public var description: String { text }
}

extension String {
    /// This string with every occurrence of `target` replaced (no Foundation in the domain).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[rest.startIndex..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
