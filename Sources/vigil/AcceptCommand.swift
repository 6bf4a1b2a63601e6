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

    @Flag(name: .long, help: "Make the asset learn again even without an open alarm.")
    var force = false

    @OptionGroup var sender: SenderOptions

    @Option(name: .long, help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 10

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600")
        }
    }

    func run() async throws {
        let (configuration, configuredPassword) = try loadConfiguration(config)
        let commandTopic = configuration.alerts.commandTopic
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = "\(getpid())-\(now)"
        let payload = try sender.seal(
            OperatorCommand.acceptNewNormal(
                asset: asset,
                id: id,
                force: force,
                time: Int64(now),
                nonce: SenderOptions.makeNonce(),
                topic: commandTopic
            ),
            configuration: configuration,
            tool: "accept"
        )
        let login = try sender.login(
            configuration: configuration,
            configuredPassword: configuredPassword,
            tool: "accept"
        )
        let answer = try await BrokerRequest(
            configuration: configuration,
            username: login.username,
            password: login.password,
            purpose: "accept"
        ).send(payload, on: commandTopic, id: id, timeout: timeout)
        guard let answer else {
            printError("accept: no answer from the daemon on \(commandTopic)/ack within \(timeout) s")
            throw ExitCode.failure
        }
        guard answer.ok else {
            printError("accept: \(answer.detail)")
            throw ExitCode.failure
        }
        print("accept: \(answer.detail)")
    }
}
