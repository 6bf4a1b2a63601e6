import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// A restarted daemon continues the alarms that were open instead of raising them again.
@Suite(.serialized) struct RestartTests {
    @Test func anAlarmOpenAtShutdownIsContinuedNotRaisedAgain() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        var random = SeededRandom(seed: 8)
        // 60 normal readings, then a lasting shift: the alarm is still open after 70 readings.
        let values = (0..<140).map { index in 20 + 0.5 * random.gaussian() + (index >= 60 ? 15 : 0) }
        let start = Timestamp(seconds: Date().timeIntervalSince1970 - 600)
        try await MosquittoBroker.withBroker { broker in
            func runDaemon(
                _ range: Range<Int>,
                expecting done: @escaping @Sendable ([MQTTMessage]) -> Bool
            ) async throws
                -> [MQTTMessage]
            {
                let daemon = try Daemon(
                    configuration: try testConfiguration(port: broker.port, database: database),
                    password: nil,
                    handleSignals: false,
                    logger: .test("daemon")
                )
                let watcher = Collector(port: broker.port, filters: ["vigil/alerts/#", "vigil/state/#"])
                let plant = MQTTClient(
                    options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                    logger: .test("plant")
                )
                return try await watcher.run {
                    try await withDaemon(daemon) {
                        try await withRunningClient(plant) {
                            for index in range {
                                try await plant.publish(
                                    topic: "test/pump-5/x",
                                    payload: reading(values[index], at: start + .seconds(index)),
                                    qos: 1,
                                    retain: false
                                )
                            }
                        }
                        return await watcher.wait(timeout: .seconds(20), until: done)
                    }
                }
            }
            func alerts(_ messages: [MQTTMessage]) -> [(state: String, id: String)] {
                messages.filter { $0.topic == "vigil/alerts/pump-5" }.map {
                    let object = try! JSONSerialization.jsonObject(with: Data($0.payload)) as! [String: Any]
                    return (object["state"] as! String, object["alarm_id"] as! String)
                }
            }

            let first = alerts(
                try await runDaemon(0..<70) { messages in
                    messages.contains { $0.topic == "vigil/alerts/pump-5" }
                }
            )
            #expect(first.map(\.state) == ["raised"])
            let id = try #require(first.first?.id)

            let secondMessages = try await runDaemon(70..<140) { messages in
                messages.contains { $0.topic == "vigil/alerts/pump-5" }
            }
            let second = alerts(secondMessages)
            // The restarted daemon never raises the fault again; it clears the same alarm.
            #expect(!second.contains { $0.state == "raised" }, "\(second)")
            #expect(second.map(\.id) == [id] && second.map(\.state) == ["cleared"], "\(second)")
            let states = secondMessages.filter { $0.topic == "vigil/state/pump-5" }.map {
                String(decoding: $0.payload, as: UTF8.self)
            }
            #expect(states.first == "alarm", "\(states)")
        }
    }

    @Test func aRestartedDaemonContinuesWithItsModelInsteadOfWarmingUpAgain() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        var random = SeededRandom(seed: 9)
        let values = (0..<260).map { _ in 20 + 0.5 * random.gaussian() }
        let start = Timestamp(seconds: Date().timeIntervalSince1970 - 600)
        try await MosquittoBroker.withBroker { broker in
            let text = AcceptCommandTests.configuration(port: broker.port, database: database)
            /// Runs a daemon over `range` and returns its live state messages, once it has sent
            /// `expected` of them (the model trains at nice 19: on a busy machine that takes a while)
            /// or a minute has passed, and a second more for any further one.
            func runDaemon(_ range: Range<Int>, expected: Int) async throws -> [String] {
                let daemon = try Daemon(
                    configuration: try ConfigLoader.parse(text),
                    password: nil,
                    handleSignals: false,
                    logger: .test("daemon")
                )
                let watcher = Collector(port: broker.port, filters: ["vigil/state/#"], id: "states-\(range.lowerBound)")
                let plant = MQTTClient(
                    options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                    logger: .test("plant")
                )
                let messages = try await watcher.run {
                    try await withDaemon(daemon) {
                        try await withRunningClient(plant) {
                            for index in range {
                                try await plant.publish(
                                    topic: "test/pump-6/x",
                                    payload: reading(values[index], at: start + .seconds(index)),
                                    qos: 1,
                                    retain: false
                                )
                            }
                        }
                        // Until the pipeline has seen the readings (its state messages are published).
                        _ = await watcher.wait(timeout: .seconds(60)) { messages in
                            messages.filter { !$0.retain }.count >= expected
                        }
                        return await watcher.wait(timeout: .seconds(1)) { _ in false }
                    }
                }
                return messages.filter { !$0.retain }.map { String(decoding: $0.payload, as: UTF8.self) }
            }
            // The first run warms up (80 ticks) and trains; its model scores from then on.
            let firstRun = try await runDaemon(0..<200, expected: 2)
            #expect(firstRun == ["learning", "normal"])
            // The second run starts with the saved model: no learning phase.
            let secondRun = try await runDaemon(200..<260, expected: 1)
            #expect(secondRun == ["normal"])
        }
    }
}
