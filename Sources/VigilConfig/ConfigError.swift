/// A configuration that cannot be used, located by file, line and key path.
///
/// Its description reads like a compiler diagnostic:
/// `vigil.yaml:14:7: assets[0].alarm.cooldown: bad duration 'soon'; write a number and a unit: ms, s, m, h or d`
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file, if the configuration came from one.
    public var file: String?
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// Where in the document, e.g. `assets[0].alarm.cooldown`; empty for the whole document.
    public var keyPath: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var location = file ?? "<config>"
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
