import Foundation
import Synchronization
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// Time as a weapon (issue 12, failure 4): a reading from the future, and the gateway's own wall
/// clock stepped back and forth.
@Suite(.serialized) struct TimeAttackTests {
    @Test(.timeLimit(.minutes(2)))
    func aReadingFromTheFutureDoesNotHideTheNextFault() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let daemon = try Daemon(
                configuration: try testConfiguration(
                    port: broker.port,
                    database: directory.appendingPathComponent("vigil.db").path
                ),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/alerts/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            var random = SeededRandom(seed: 8)
            let now = Date().timeIntervalSince1970
            let start = Timestamp(seconds: now - 200)
            let alerts = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        for index in 0..<60 {
                            try await plant.publish(
                                topic: "test/pump-1/x",
                                payload: reading(20 + 0.5 * random.gaussian(), at: start + .seconds(index)),
                                qos: 1,
                                retain: false
                            )
                        }
                        // One reading stamped 290 s ahead of its arrival.
                        try await plant.publish(
                            topic: "test/pump-1/x",
                            payload: reading(20, at: Timestamp(seconds: now + 290)),
                            qos: 1,
                            retain: false
                        )
                        // The next 80 genuine readings, with a fault from the 20th on.
                        for index in 60..<140 {
                            let fault = index >= 80 ? 15.0 : 0
                            try await plant.publish(
                                topic: "test/pump-1/x",
                                payload: reading(20 + 0.5 * random.gaussian() + fault, at: start + .seconds(index)),
                                qos: 1,
                                retain: false
                            )
                        }
                    }
                    return await watcher.wait(timeout: .seconds(20)) { !$0.isEmpty }
                }
            }
            #expect(
                alerts.contains { $0.topic == "vigil/alerts/pump-1" },
                "the fault after the future reading raised nothing"
            )
            let late = daemon.metrics.snapshot.rejected[.late, default: 0]
            #expect(late == 0, "\(late) genuine readings refused as late")
            #expect(daemon.metrics.snapshot.readingsAccepted == 140)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func readingsWithoutTimeStampsSurviveTheWallClockSteppedBackAndForward() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let clock = SteppedClock()
            let configuration = try ConfigLoader.parse(
                """
                \(brokerAndStorage(port: broker.port, database: directory.appendingPathComponent("vigil.db").path))
                assets:
                  - name: "{asset}"
                    tick: 100ms
                    signals:
                      - name: "{signal}"
                        topic: "plain/{asset}/{signal}"
                    detector: {window: 40, warmup: 20, stuck_after: 0}
                """
            )
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                clock: clock.wallClock,
                handleSignals: false,
                logger: .test("daemon")
            )
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            var sent = 0
            try await withDaemon(daemon) {
                try await withRunningClient(plant) {
                    func send(_ count: Int) async throws {
                        for _ in 0..<count {
                            try await plant.publish(
                                topic: "plain/pump-1/x",
                                payload: Array("20".utf8),
                                qos: 1,
                                retain: false
                            )
                            sent += 1
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        let deadline = ContinuousClock.now + .seconds(20)
                        while ContinuousClock.now < deadline, daemon.metrics.snapshot.messagesReceived < sent {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                    try await send(20)
                    clock.step(by: -3600)  // back an hour
                    try await send(20)
                    clock.step(by: 7200)  // an hour ahead of the truth
                    try await send(20)
                    clock.step(by: -3600)  // corrected
                    try await send(20)
                }
            }
            let snapshot = daemon.metrics.snapshot
            #expect(snapshot.messagesReceived == sent)
            #expect(snapshot.readingsAccepted == sent, "refused: \(snapshot.rejected)")
        }
    }
}
