public import Logging
public import ServiceLifecycle
internal import VigilCore
public import VigilMQTT

/// Republishes rejected payloads on the dead-letter topic, best effort (QoS 0): when the broker is
/// unreachable the letter is counted as dropped; the rejection itself is always counted and logged.
public struct DeadLetterService: Service {
    let letters: AsyncStream<DeadLetter>
    let client: MQTTClient
    let topicPrefix: String
    let metrics: DaemonMetrics
    let logger: Logger

    /// Creates the service.
    public init(
        letters: AsyncStream<DeadLetter>,
        client: MQTTClient,
        topicPrefix: String,
        metrics: DaemonMetrics,
        logger: Logger
    ) {
        self.letters = letters
        self.client = client
        self.topicPrefix = topicPrefix
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        // Ends when the pipeline finishes the stream at the end of its drain.
        for await letter in letters {
            do {
                try await client.publish(
                    topic: "\(topicPrefix)/\(letter.reason.rawValue)",
                    payload: letter.jsonBytes(),
                    qos: 0,
                    retain: false
                )
                metrics.update { $0.deadLettersPublished += 1 }
            } catch {
                metrics.update { $0.deadLettersDropped += 1 }
            }
        }
        try? await gracefulShutdown()
    }
}
