public import Logging
public import ServiceLifecycle
public import VigilMQTT

/// Keeps one broker connection up for the life of the daemon.
///
/// On graceful shutdown it first publishes `goodbye` (the retained `offline` status, since a clean
/// DISCONNECT suppresses the last will), then disconnects.
public struct ConnectionService: Service {
    let client: MQTTClient
    let goodbye: ConnectOptions.StatusMessage?
    let logger: Logger

    /// Creates the service.
    public init(client: MQTTClient, goodbye: ConnectOptions.StatusMessage? = nil, logger: Logger) {
        self.client = client
        self.goodbye = goodbye
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            group.addTask {
                // Returns on graceful shutdown, throws on cancellation; either way we stop the client.
                try? await gracefulShutdown()
                await sayGoodbye()
                client.shutdown()
            }
            // A client that cannot start (a TLS file it cannot read) throws at once: that ends the
            // service, and so the daemon, now rather than at the next shutdown.
            while try await group.next() != nil {}
        }
    }

    private func sayGoodbye() async {
        guard let goodbye, client.isConnected else { return }
        await withTaskGroup(of: Void.self) { race in
            race.addTask {
                try? await client.publish(
                    topic: goodbye.topic,
                    payload: goodbye.payload,
                    qos: goodbye.qos,
                    retain: goodbye.retain
                )
            }
            race.addTask { try? await Task.sleep(for: .seconds(2)) }
            await race.next()
            race.cancelAll()
        }
    }
}
