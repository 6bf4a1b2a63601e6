import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilMQTT

/// A request to the running daemon through the configured broker: publish a payload on a topic and
/// wait for the daemon's acknowledgement with the same id on `<topic>/ack` (`vigil accept`,
/// `vigil label`).
struct BrokerRequest {
    let configuration: VigilConfiguration
    /// The login: the configuration's unless the command was given its own.
    let username: String?
    let password: String?
    /// Names the client (`<client_id>-<purpose>-<pid>`).
    let purpose: String

    /// A request id unique to this process and moment.
    static func makeID() -> String {
        "\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000))"
    }

    /// Publishes `payload` on `topic` and returns the acknowledgement with `id`, or nil when none
    /// came within `timeout` seconds.
    func send(
        _ payload: [UInt8],
        on topic: String,
        id: String,
        timeout: Double
    ) async throws
        -> OperatorCommand.Acknowledgement?
    {
        let broker = configuration.broker
        let logger = try LoggingSetup.bootstrap(level: "warning")
        let client = MQTTClient(
            options: ConnectOptions(
                host: broker.host,
                port: Int32(broker.port),
                clientID: "\(broker.clientID)-\(purpose)-\(getpid())",
                username: username,
                password: password,
                tls: broker.tls.map {
                    ConnectOptions.TLS(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile)
                },
                subscriptions: [.init(filter: topic + "/ack", qos: 1)]
            ),
            logger: logger
        )
        return try await withThrowingTaskGroup(of: OperatorCommand.Acknowledgement?.self) { group in
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
                try await client.publish(topic: topic, payload: payload, qos: 1, retain: false)
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
    }
}
