internal import Foundation
public import Logging
public import ServiceLifecycle
public import VigilCore
public import VigilMQTT

/// Republishes rejected payloads on the dead-letter topic, best effort (QoS 0): when the broker is
/// unreachable the letter is counted as dropped; the rejection itself is always counted and logged.
/// Letters beyond the `DeadLetterBudget` are not made at all; every `summaryInterval` the counts of
/// those suppressed go out as one message on `<prefix>/suppressed`.
public struct DeadLetterService: Service {
    let letters: AsyncStream<DeadLetter>
    let client: MQTTClient
    let topicPrefix: String
    let budget: DeadLetterBudget
    let summaryInterval: Duration
    let clock: WallClock
    let metrics: DaemonMetrics
    let logger: Logger

    /// Creates the service.
    public init(
        letters: AsyncStream<DeadLetter>,
        client: MQTTClient,
        topicPrefix: String,
        budget: DeadLetterBudget = DeadLetterBudget(),
        summaryInterval: Duration = .seconds(10),
        clock: WallClock = .system,
        metrics: DaemonMetrics,
        logger: Logger
    ) {
        self.letters = letters
        self.client = client
        self.topicPrefix = topicPrefix
        self.budget = budget
        self.summaryInterval = summaryInterval
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: summaryInterval)
                    await publishSummary()
                }
            }
            // Ends when the pipeline finishes the stream at the end of its drain.
            for await letter in letters {
                await publish(topic: "\(topicPrefix)/\(letter.reason.rawValue)", payload: letter.jsonBytes())
            }
            group.cancelAll()
        }
        await publishSummary()
        try? await gracefulShutdown()
    }

    private func publishSummary() async {
        let suppressed = budget.takeSuppressed()
        guard !suppressed.isEmpty else { return }
        let summary = DeadLetterSummary(suppressed: suppressed, interval: summaryInterval, time: clock.now())
        // Best effort, and not a letter: the counters count letters only.
        try? await client.publish(
            topic: "\(topicPrefix)/suppressed",
            payload: summary.jsonBytes(),
            qos: 0,
            retain: false
        )
    }

    private func publish(topic: String, payload: [UInt8]) async {
        do {
            try await client.publish(topic: topic, payload: payload, qos: 0, retain: false)
            metrics.update { $0.deadLettersPublished += 1 }
        } catch {
            metrics.update { $0.deadLettersDropped += 1 }
        }
    }
}

/// The dead letters not sent in an interval, by reason (`<dead_letter_topic>/suppressed`).
public struct DeadLetterSummary: Sendable, Hashable, Encodable {
    /// Letters suppressed, by reason code.
    public var suppressed: [String: Int]
    /// The interval they were counted over, in seconds.
    public var intervalSeconds: Int
    /// When the summary was made, ISO 8601.
    public var time: String

    enum CodingKeys: String, CodingKey {
        case suppressed, time
        case intervalSeconds = "interval_seconds"
    }

    /// Creates a summary.
    public init(suppressed: [RejectionReason: Int], interval: Duration, time: Timestamp) {
        self.suppressed = Dictionary(uniqueKeysWithValues: suppressed.map { ($0.key.rawValue, $0.value) })
        intervalSeconds = Int(interval.components.seconds)
        self.time = time.iso8601
    }

    /// JSON bytes of the summary.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A dictionary of integers and strings always encodes.
        return Array(try! encoder.encode(self))
    }
}
