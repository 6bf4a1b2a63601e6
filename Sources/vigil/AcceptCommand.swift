import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT

/// `vigil accept ASSET`: the operator's "accept new normal", sent to the running daemon.
struct AcceptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept an asset's current behaviour as its new normal.",
        discussion: """
            Sends {"command":"accept_new_normal","asset":ASSET,"id":…,"time":…,"nonce":…,"topic":…} to the daemon \
            on the configuration's alerts.command_topic, through the configured broker, signed with --key (an \
            Ed25519 private key from `vigil key generate` whose public key is listed in the daemon's \
            commands.keys), and waits for the daemon's answer on <command_topic>/ack. The daemon closes the \
            asset's open alarm (a 'cleared' alert by 'operator'), and the asset learns again from now on: it says \
            'learning' until its new model scores. An asset without an open alarm is refused unless --force.
            Connect as the operator, not as the daemon: --username and --password-file (a broker that binds \
            client ids to user names would otherwise give this client the daemon's id).
            Exit status 0 when the daemon accepted, 1 when it refused or did not answer in time.
            """
    )

    @Argument(help: "The asset, as named in alerts.")
    var asset: String

    @Option(name: .shortAndLong, help: "The daemon's configuration (broker and topics).")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(name: .long, help: "The private key that signs the command (a file only its owner may read).")
    var key: String?

    @Option(name: .long, help: "The key's name in commands.keys (default: the only key listed there).")
    var keyName: String?

    @Flag(name: .long, help: "Make the asset learn again even without an open alarm.")
    var force = false

    @Option(name: .long, help: "Broker user name (default: the configuration's broker.username).")
    var username: String?

    @Option(name: .long, help: "File holding the broker password (default: the configuration's broker.password_file).")
    var passwordFile: String?

    @Option(name: .long, help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 10

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600")
        }
        if passwordFile != nil && username == nil { throw ValidationError("--password-file needs --username") }
    }

    func run() async throws {
        let (configuration, configuredPassword) = try loadConfiguration(config)
        let commandTopic = configuration.alerts.commandTopic
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = "\(getpid())-\(now)"
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        var payload = OperatorCommand.acceptNewNormal(
            asset: asset,
            id: id,
            force: force,
            time: Int64(now),
            nonce: nonce,
            topic: commandTopic
        )
        if let key {
            let privateKey: [UInt8]
            do {
                guard let raw = CommandKeys.raw(try SecretFile.read(key, key: "--key")) else {
                    printError("accept: \(key): not an Ed25519 private key (32 bytes, base64)")
                    throw ExitCode.failure
                }
                privateKey = raw
            } catch let error as ConfigError {
                printError("accept: \(error)")
                throw ExitCode.failure
            }
            let listed = configuration.commands.keys.map(\.name)
            guard let name = keyName ?? (listed.count == 1 ? listed[0] : nil) else {
                printError("accept: give --key-name: the configuration lists \(listed.count) keys")
                throw ExitCode.failure
            }
            payload = try SignedCommand.seal(payload, keyName: name, privateKey: privateKey)
        } else if configuration.commands.requireSignature {
            printError(
                "accept: the daemon carries out signed commands only: give --key FILE (`vigil key generate` makes one)"
            )
            throw ExitCode.failure
        }
        let password: String?
        do {
            password = try passwordFile.map { try SecretFile.read($0, key: "--password-file") } ?? configuredPassword
        } catch {
            printError("accept: \(error)")
            throw ExitCode.failure
        }
        let answer = try await BrokerRequest(
            configuration: configuration,
            username: username ?? configuration.broker.username,
            password: username == nil ? configuredPassword : password,
            purpose: "accept"
        ).send(payload, on: commandTopic, id: id, timeout: timeout)
        guard let answer else {
            printError("accept: no answer from the daemon on \(commandTopic)/ack within \(timeout) s")
            throw ExitCode.failure
        }
        guard answer.ok else {
            printError("accept: refused: \(answer.detail)")
            throw ExitCode.failure
        }
        print("accept: \(answer.detail)")
    }
}
