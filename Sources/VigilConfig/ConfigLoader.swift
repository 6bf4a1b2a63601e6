internal import Foundation
internal import Yams

/// Reads and checks the YAML configuration.
public enum ConfigLoader {
    /// Loads a configuration file.
    /// - Throws: `ConfigError` naming the file, line and key path of the first problem.
    public static func load(path: String) throws(ConfigError) -> VigilConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, keyPath: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text.
    /// - Parameter file: the name used in error messages.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> VigilConfiguration {
        if let alias = YAMLGuard.aliasKey(in: text) {
            throw ConfigError(
                file: file,
                line: alias.line,
                column: alias.column,
                keyPath: "",
                message: "the YAML alias *\(alias.name.prefix(64)) is used as a mapping key; a configuration's keys "
                    + "are plain names"
            )
        }
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, keyPath: "", message: "the file is empty")
            }
            node = composed
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigError(file: file, keyPath: "", message: "\(error)")
        }
        guard YAMLGuard.expandsWithin(node) else {
            throw ConfigError(
                file: file,
                line: 1,
                keyPath: "",
                message: "YAML aliases expand the document to more than \(YAMLGuard.maxNodes) nodes"
            )
        }
        do {
            return try YAMLDecoder().decode(VigilConfiguration.self, from: node)
        } catch let error as DecodingError {
            throw located(error, in: node, file: file)
        } catch {
            throw ConfigError(file: file, keyPath: "", message: "\(error)")
        }
    }

    private static func syntaxError(_ error: YamlError, file: String?) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigError(
                file: file,
                line: mark.line,
                column: mark.column,
                keyPath: "",
                message: "YAML syntax: \(problem)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                keyPath: "",
                message: "duplicate key \(duplicates.sorted().joined(separator: ", "))"
            )
        default:
            return ConfigError(file: file, keyPath: "", message: "YAML: \(error)")
        }
    }

    /// Turns a decoding error into a `ConfigError` with the key path and the line of the node.
    private static func located(_ error: DecodingError, in root: Node, file: String?) -> ConfigError {
        let path: [any CodingKey]
        let message: String
        switch error {
        case .keyNotFound(let key, let context):
            // The key is absent: point at the mapping that lacks it.
            path = context.codingPath
            let detail =
                context.debugDescription.hasPrefix("No value associated") ? "" : " (\(context.debugDescription))"
            message = "missing required key '\(key.stringValue)'\(detail)"
        case .typeMismatch(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type))\(found(at: context.codingPath, in: root))"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type)), found nothing"
        case .dataCorrupted(let context):
            path = context.codingPath
            message = context.debugDescription
        @unknown default:
            path = []
            message = "\(error)"
        }
        let mark = locate(path, in: root)
        return ConfigError(file: file, line: mark?.line, column: mark?.column, keyPath: keyPath(path), message: message)
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    private static func found(at path: [any CodingKey], in root: Node) -> String {
        guard let node = node(at: path, in: root) else { return "" }
        switch node {
        case .scalar(let scalar):
            // A few hundred bytes of what was found at most: a scalar can be megabytes long.
            let text = scalar.string
            return ", found '\(text.count > 100 ? text.prefix(100) + "…" : text)'"
        case .mapping: return ", found a mapping"
        case .sequence: return ", found a list"
        case .alias: return ""
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue.hasPrefix("Index ") {
                text += "[\(key.stringValue.dropFirst(6))]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The mark of the node at `path`: for a mapping key, the key itself, so the line names it.
    static func locate(_ path: [any CodingKey], in root: Node) -> Mark? {
        var current = root
        var mark = root.mark
        for key in path {
            switch current {
            case .mapping(let mapping):
                guard let pair = mapping.first(where: { $0.key.string == key.stringValue }) else { return mark }
                mark = pair.key.mark
                current = pair.value
            case .sequence(let sequence):
                let index = key.intValue ?? Int(key.stringValue.dropFirst(6)) ?? -1
                guard sequence.indices.contains(index) else { return mark }
                current = sequence[index]
                mark = current.mark
            default:
                return mark
            }
        }
        return mark
    }

    private static func node(at path: [any CodingKey], in root: Node) -> Node? {
        var current = root
        for key in path {
            switch current {
            case .mapping(let mapping):
                guard let value = mapping[key.stringValue] else { return nil }
                current = value
            case .sequence(let sequence):
                let index = key.intValue ?? -1
                guard sequence.indices.contains(index) else { return nil }
                current = sequence[index]
            default:
                return nil
            }
        }
        return current
    }
}

extension VigilConfiguration {
    /// The effective configuration, defaults filled in, as YAML (`vigil config show`). It holds no
    /// secret: a password is only ever named by `password_file`, never read into the configuration.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }
}
