internal import Foundation

/// Reads a secret (the broker password) from a file that only its owner may read.
public enum SecretFile {
    /// Returns the file's first line.
    /// - Throws: `ConfigError` when the file is missing, empty, or readable by group or others.
    public static func read(_ path: String, key: String = "broker.password_file") throws(ConfigError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else {
            throw ConfigError(file: path, keyPath: key, message: "cannot read the password file")
        }
        guard permissions & 0o077 == 0 else {
            throw ConfigError(
                file: path,
                keyPath: key,
                message: "the password file is readable by others (mode \(String(permissions, radix: 8))); chmod 600 it"
            )
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, keyPath: key, message: "cannot read the password file")
        }
        let line =
            text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard !password.isEmpty else {
            throw ConfigError(file: path, keyPath: key, message: "the password file is empty")
        }
        return password
    }
}
