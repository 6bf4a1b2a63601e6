internal import Foundation
internal import Yams

extension ConfigLoader {
    /// An error about a value of an asset entry that parsed but cannot be used (a model file that
    /// does not fit its asset), located like the loader's own errors:
    /// `vigil.yaml:31:7: assets[0].prognosis.model: …`.
    /// - Parameters:
    ///   - file: the configuration file, read again to find the line (nil: no line).
    ///   - asset: the entry's index in `assets`.
    ///   - keys: the keys under the entry, e.g. `["prognosis", "model"]`.
    public static func error(file: String?, asset: Int, keys: [String], message: String) -> ConfigError {
        let path: [any CodingKey] = [AnyKey(stringValue: "assets"), AnyKey(index: asset)] + keys.map(AnyKey.init)
        var line: Int?
        var column: Int?
        if let file, let text = try? String(contentsOfFile: file, encoding: .utf8),
            let node = try? Yams.compose(yaml: text), let mark = locate(path, in: node)
        {
            line = mark.line
            column = mark.column
        }
        return ConfigError(file: file, line: line, column: column, keyPath: keyPath(path), message: message)
    }
}
