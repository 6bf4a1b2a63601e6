import Foundation
import Logging
import Synchronization
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

extension Logger {
    /// A quiet logger for tests (`VIGIL_TEST_LOG=debug` to see more).
    static func test(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel =
            ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }
}

/// The `broker:`, `storage:` and `metrics:` sections every test configuration starts with (the
/// metrics endpoint is off unless a port is given).
func brokerAndStorage(port: Int32, database: String, clientID: String = "vigil-test", metricsPort: Int = 0) -> String {
    """
    broker:
      host: 127.0.0.1
      port: \(port)
      client_id: \(clientID)
      keepalive: 5s
      clean_session: false
      reconnect_delay: 100ms
      reconnect_delay_max: 500ms
      inbound_queue: 64
    storage:
      path: \(database)
    metrics:
      port: \(metricsPort)
    """
}

/// A daemon configuration for tests: one fleet entry on `test/{asset}/{signal}` with JSON payloads.
func testConfiguration(
    port: Int32,
    database: String,
    metricsPort: Int = 0,
    extra: String = ""
) throws
    -> VigilConfiguration
{
    try ConfigLoader.parse(
        """
        \(brokerAndStorage(port: port, database: database, metricsPort: metricsPort))
        assets:
          - name: "{asset}"
            tick: 1s
            signals:
              - name: "{signal}"
                topic: "test/{asset}/{signal}"
                value: "$.v"
                time: "$.ts"
                min: -1000
                max: 1000
            detector: {window: 40, warmup: 20, stuck_after: 0}
            alarm: {threshold: 0.99, min_duration: 1, clear_below: 0.9, clear_after: 2, cooldown: 1m}
        \(extra)
        """
    )
}

/// Runs a daemon for `body`, then shuts it down gracefully as SIGTERM would.
func withDaemon<T: Sendable>(_ daemon: Daemon, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await daemon.run() }
        do {
            try await daemon.subscriber.waitUntilConnected(subscribed: true)
            let result = try await body()
            await daemon.shutdown()
            try await group.waitForAll()
            return result
        } catch {
            await daemon.shutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Collects every message on some filters, for assertions.
final class Collector: Sendable {
    let client: MQTTClient
    private let received = Mutex<[MQTTMessage]>([])

    /// Collects what an already configured client receives.
    init(client: MQTTClient) {
        self.client = client
    }

    init(port: Int32, filters: [String], id: String = "collector", cleanSession: Bool = true) {
        client = MQTTClient(
            options: ConnectOptions(
                host: "127.0.0.1",
                port: port,
                clientID: id,
                keepalive: .seconds(5),
                cleanSession: cleanSession,
                subscriptions: filters.map { .init(filter: $0, qos: 1) },
                reconnectDelay: .milliseconds(100),
                reconnectDelayMax: .milliseconds(300),
                inboundCapacity: 10_000
            ),
            logger: .test(id)
        )
    }

    /// Everything received so far.
    var messages: [MQTTMessage] { received.withLock { $0 } }

    /// Runs the client and collects until `body` returns.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.client.run() }
            group.addTask {
                for await message in self.client.messages { self.received.withLock { $0.append(message) } }
            }
            defer { client.shutdown() }
            try await client.waitUntilConnected(subscribed: true)
            return try await body()
        }
    }

    /// Polls until `done` holds for the messages received, or the timeout; returns the messages.
    func wait(timeout: Duration, until done: ([MQTTMessage]) -> Bool) async -> [MQTTMessage] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let snapshot = messages
            if done(snapshot) { return snapshot }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return messages
    }
}

/// A JSON reading as the tests publish it.
func reading(_ value: Double, at time: Timestamp) -> [UInt8] {
    Array("{\"v\":\(value),\"ts\":\(time.milliseconds)}".utf8)
}
