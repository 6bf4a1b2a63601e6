import ArgumentParser
import VigilConfig
import VigilCore

/// `vigil accept ASSET`: the operator's "accept new normal", sent to the running daemon.
struct AcceptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept an asset's current behaviour as its new normal.",
        discussion: """
            Sends {"command":"accept_new_normal","asset":ASSET,"id":…} to the daemon on the configuration's \
            alerts.command_topic, through the configured broker, and waits for the daemon's answer on \
            <command_topic>/ack. The daemon closes the asset's open alarm (a 'cleared' alert by 'operator'), \
            and the asset learns again from now on: it says 'learning' until its new model scores.
            Exit status 0 when the daemon accepted, 1 when it refused or did not answer in time.
            """
    )

    @Argument(help: "The asset, as named in alerts.")
    var asset: String

    @Option(name: .shortAndLong, help: "The daemon's configuration (broker and topics).")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(name: .long, help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 10

    func run() async throws {
        let (configuration, password) = try loadConfiguration(config)
        let commandTopic = configuration.alerts.commandTopic
        let id = BrokerRequest.makeID()
        let answer = try await BrokerRequest(configuration: configuration, password: password, purpose: "accept").send(
            OperatorCommand.acceptNewNormal(asset: asset, id: id),
            on: commandTopic,
            id: id,
            timeout: timeout
        )
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
