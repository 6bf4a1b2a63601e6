import ArgumentParser
import Foundation
import VigilConfig
import VigilDaemon

/// How `vigil accept` and `vigil label` sign what they send and log in to the broker: the
/// operator's key and login, not the daemon's.
struct SenderOptions: ParsableArguments {
    @Option(name: .long, help: "The private key that signs (a file only its owner may read; `vigil key generate`).")
    var key: String?

    @Option(name: .long, help: "The key's name in commands.keys (default: the only key listed there).")
    var keyName: String?

    @Option(name: .long, help: "Broker user name (default: the configuration's broker.username).")
    var username: String?

    @Option(name: .long, help: "File holding the broker password (default: the configuration's broker.password_file).")
    var passwordFile: String?

    func validate() throws {
        if passwordFile != nil && username == nil { throw ValidationError("--password-file needs --username") }
    }

    /// A fresh nonce: 16 random bytes in hex.
    static func makeNonce() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// `payload` signed with `--key` in a `SignedCommand` envelope; unsigned when no key is given
    /// and the daemon does not require signatures. Prints why and exits 1 otherwise.
    func seal(_ payload: [UInt8], configuration: VigilConfiguration, tool: String) throws -> [UInt8] {
        guard let key else {
            guard !configuration.commands.requireSignature else {
                printError(
                    "\(tool): the daemon takes signed commands and labels only: give --key FILE (`vigil key generate` makes one)"
                )
                throw ExitCode.failure
            }
            return payload
        }
        let privateKey: [UInt8]
        do {
            guard let raw = CommandKeys.raw(try SecretFile.read(key, key: "--key")) else {
                printError("\(tool): \(key): not an Ed25519 private key (32 bytes, base64)")
                throw ExitCode.failure
            }
            privateKey = raw
        } catch let error as ConfigError {
            printError("\(tool): \(error)")
            throw ExitCode.failure
        }
        let listed = configuration.commands.keys.map(\.name)
        guard let name = keyName ?? (listed.count == 1 ? listed[0] : nil) else {
            printError("\(tool): give --key-name: the configuration lists \(listed.count) keys")
            throw ExitCode.failure
        }
        return try SignedCommand.seal(payload, keyName: name, privateKey: privateKey)
    }

    /// The broker login: `--username` with `--password-file`, else the configuration's.
    func login(
        configuration: VigilConfiguration,
        configuredPassword: String?,
        tool: String
    ) throws
        -> (username: String?, password: String?)
    {
        guard let username else { return (configuration.broker.username, configuredPassword) }
        do {
            return (
                username, try passwordFile.map { try SecretFile.read($0, key: "--password-file") } ?? configuredPassword
            )
        } catch {
            printError("\(tool): \(error)")
            throw ExitCode.failure
        }
    }
}
