import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilMQTT

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
        let broker = configuration.broker
        let commandTopic = configuration.alerts.commandTopic
        let id = "\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000))"
        let logger = try LoggingSetup.bootstrap(level: "warning")
        let client = MQTTClient(
            options: ConnectOptions(
                host: broker.host,
                port: Int32(broker.port),
                clientID: "\(broker.clientID)-accept-\(getpid())",
                username: broker.username,
                password: password,
                tls: broker.tls.map {
                    ConnectOptions.TLS(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile)
                },
                subscriptions: [.init(filter: commandTopic + "/ack", qos: 1)]
            ),
            logger: logger
        )
        let answer: OperatorCommand.Acknowledgement? = try await withThrowingTaskGroup(
            of: OperatorCommand.Acknowledgement?.self
        ) { group in
            group.addTask {
                try await client.run()
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            group.addTask {
                try await client.waitUntilConnected(subscribed: true)
                try await client.publish(
                    topic: commandTopic,
                    payload: OperatorCommand.acceptNewNormal(asset: asset, id: id),
                    qos: 1,
                    retain: false
                )
                for await message in client.messages {
                    if let ack = OperatorCommand.Acknowledgement(payload: message.payload), ack.id == id { return ack }
                }
                return nil
            }
            var result: OperatorCommand.Acknowledgement?
            for try await value in group {
                result = value
                break
            }
            client.shutdown()
            group.cancelAll()
            return result
        }
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
