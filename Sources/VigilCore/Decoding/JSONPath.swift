/// A path into a JSON document in the common dotted form: `$.a.b[0]`, `$['odd key'].c`.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of the path.
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    /// Why a path cannot be parsed.
    public struct InvalidPath: Error, Hashable, Sendable, CustomStringConvertible {
        /// The path as written.
        public var path: String
        /// What is wrong.
        public var reason: String
        public var description: String { "invalid JSON path '\(path)': \(reason)" }
    }

    /// The path as written.
    public let text: String
    /// The steps from the root.
    public let components: [Component]

    /// Parses a path that starts with `$`.
    public init(_ text: String) throws(InvalidPath) {
        self.text = text
        let chars = Array(text)
        guard chars.first == "$" else { throw InvalidPath(path: text, reason: "must start with '$'") }
        var index = 1
        var components: [Component] = []
        while index < chars.count {
            if chars[index] == "." {
                index += 1
                let start = index
                while index < chars.count, chars[index] != ".", chars[index] != "[" { index += 1 }
                guard index > start else { throw InvalidPath(path: text, reason: "empty key after '.'") }
                components.append(.key(String(chars[start..<index])))
            } else if chars[index] == "[" {
                index += 1
                guard let close = chars[index...].firstIndex(of: "]") else {
                    throw InvalidPath(path: text, reason: "unclosed '['")
                }
                let inner = String(chars[index..<close])
                if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote {
                    components.append(.key(String(inner.dropFirst().dropLast())))
                } else if let number = Int(inner), number >= 0 {
                    components.append(.index(number))
                } else {
                    throw InvalidPath(path: text, reason: "'[\(inner)]' is neither an index nor a quoted key")
                }
                index = close + 1
            } else {
                throw InvalidPath(path: text, reason: "unexpected '\(chars[index])' at offset \(index)")
            }
        }
        self.components = components
    }

    public var description: String { text }
}
