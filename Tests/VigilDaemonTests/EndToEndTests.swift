import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The daemon in-process against a real mosquitto: readings in over MQTT, alerts out over MQTT,
/// history in SQLite and through the CLI.
@Suite(.serialized) struct EndToEndTests {
    func publish(_ client: MQTTClient, asset: String, values: [Double], start: Timestamp) async throws {
        for (index, value) in values.enumerated() {
            try await client.publish(
                topic: "test/\(asset)/x",
                payload: reading(value, at: start + .seconds(index)),
                qos: 1,
                retain: false
            )
        }
    }

    @Test func aSpikeRaisesAndClearsOneAlarmOnTheAlertTopicAndInHistory() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let daemon = try Daemon(
                configuration: try testConfiguration(port: broker.port, database: database),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            var random = SeededRandom(seed: 11)
            var values = (0..<60).map { _ in 20 + 0.5 * random.gaussian() }
            values[40] = 35
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 120)

            let alerts = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        try await publish(plant, asset: "pump-7", values: values, start: start)
                        // A reading no model may see: it must be refused, counted and dead-lettered.
                        try await plant.publish(
                            topic: "test/pump-7/x",
                            payload: Array("{\"v\": \"high\"}".utf8),
                            qos: 1,
                            retain: false
                        )
                    }
                    return await watcher.wait(timeout: .seconds(20)) { messages in
                        messages.filter { $0.topic == "vigil/alerts/pump-7" }.count >= 2
                            && messages.filter { $0.topic == "vigil/state/pump-7" }.count >= 4
                            && messages.contains { $0.topic.hasPrefix("vigil/deadletter/") }
                    }
                }
            }
            let alertMessages = alerts.filter { $0.topic == "vigil/alerts/pump-7" }
            let documents = alertMessages.map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(documents.count == 2)
            let parsed = try documents.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(parsed.map { $0["state"] as? String } == ["raised", "cleared"])
            #expect(parsed[0]["alarm_id"] as? String == parsed[1]["alarm_id"] as? String)
            #expect((parsed[0]["signals"] as? [[String: Any]])?.first?["name"] as? String == "x")
            #expect(try SchemaCheck.problems(schema: "alert.schema.json", jsonDocuments: documents) == nil)
            #expect(alertMessages.allSatisfy { $0.qos == 1 && !$0.retain })

            // The retained state topic went learning → normal → alarm → normal.
            let states = alerts.filter { $0.topic == "vigil/state/pump-7" }.map {
                String(decoding: $0.payload, as: UTF8.self)
            }
            #expect(states == ["learning", "normal", "alarm", "normal"])
            #expect(alerts.contains { $0.topic == "vigil/status" && $0.payload == Array("online".utf8) })

            let deadLetter = try #require(alerts.first { $0.topic.hasPrefix("vigil/deadletter/") })
            #expect(deadLetter.topic == "vigil/deadletter/wrong_type")
            #expect(daemon.metrics.snapshot.rejected[.wrongType] == 1)
            #expect(daemon.metrics.snapshot.readingsAccepted == 60)

            // The same events through the CLI, as JSON lines valid against the event schema.
            let result = try runCommand(Repository.vigilBinary, ["events", "--database", database, "--format", "json"])
            #expect(result.status == 0, "\(result.error)")
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect(try SchemaCheck.problems(schema: "event.schema.json", jsonDocuments: lines) == nil)
            let events = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(events.map { $0["state"] as? String } == ["raised", "cleared"])
            #expect(events.map { $0["alarm_id"] as? String } == parsed.map { $0["alarm_id"] as? String })
            #expect(events.map { $0["time"] as? String } == parsed.map { $0["time"] as? String })

            let table = try runCommand(Repository.vigilBinary, ["events", "--database", database, "--state", "raised"])
            #expect(table.output.contains("pump-7"))
            #expect(table.output.contains("(1 event)"))
        }
    }

    @Test func anAlertProducedWhileTheBrokerIsDownIsDeliveredWhenItReturns() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let broker = try MosquittoBroker(persistence: true)
        defer {
            broker.stop()
            broker.removeFiles()
        }

        // An operator's dashboard with a persistent session, away while the broker is down.
        let dashboard = Collector(port: broker.port, filters: ["vigil/alerts/#"], id: "dashboard", cleanSession: false)
        try await dashboard.run {}
        broker.stop()

        // The pipeline records an alert while the broker is down: it waits in the outbox.
        let store = try EventStore(path: database)
        let event = Event(
            alarmID: "pump-9-1",
            asset: "pump-9",
            kind: .anomaly,
            transition: .raised,
            severity: .warning,
            score: 0.995,
            peakScore: 0.995,
            time: Timestamp(milliseconds: 1_795_941_120_000),
            windowStart: Timestamp(milliseconds: 1_795_941_119_000),
            windowEnd: Timestamp(milliseconds: 1_795_941_120_000),
            contributions: [SignalContribution(signal: "x", value: 9, expected: 5, score: 0.995)],
            detector: "robust-mad"
        )
        var batch = StoreBatch()
        batch.events = [event]
        batch.outbox = [
            (
                topic: "vigil/alerts/pump-9", payload: AlertDocument(event: event, vigilVersion: "test").jsonBytes(),
                qos: 1, retain: false
            )
        ]
        try await store.record(batch, at: event.time)

        let publisher = MQTTClient(
            options: ConnectOptions(
                host: "127.0.0.1",
                port: broker.port,
                clientID: "vigil-pub",
                reconnectDelay: .milliseconds(100),
                reconnectDelayMax: .milliseconds(300)
            ),
            logger: .test("pub")
        )
        let outbox = OutboxService(
            store: store,
            client: publisher,
            wakeups: Wakeups(),
            metrics: DaemonMetrics(),
            flushTimeout: .seconds(5),
            logger: .test("outbox")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await publisher.run() }
            group.addTask { try await outbox.run() }
            try await Task.sleep(for: .seconds(1))
            #expect(try await store.outboxCount() == 1)
            try broker.start()
            let deadline = ContinuousClock.now + .seconds(10)
            while try await store.outboxCount() > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await store.outboxCount() == 0)
            publisher.shutdown()
            group.cancelAll()
        }
        // The dashboard comes back under the same client id and gets what the broker kept for it.
        let returning = Collector(port: broker.port, filters: ["vigil/alerts/#"], id: "dashboard", cleanSession: false)
        let received = try await returning.run {
            await returning.wait(timeout: .seconds(10)) { !$0.isEmpty }
        }
        #expect(received.map(\.topic) == ["vigil/alerts/pump-9"])
        #expect(received.first?.payload == batch.outbox[0].payload)
        try store.close()
    }
}

/// Runs a client for the duration of `body`.
func withRunningClient<T: Sendable>(_ client: MQTTClient, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        defer { client.shutdown() }
        try await client.waitUntilConnected()
        return try await body()
    }
}
