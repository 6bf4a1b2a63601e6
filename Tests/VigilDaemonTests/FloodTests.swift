import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// Floods and cardinality (issue 12, failure 5): one device flooding at QoS 0, a SenML pack whose
/// every record is refused, and junk asset names that would lock real ones out.
@Suite(.serialized) struct FloodTests {
    /// Waits until the daemon has taken `count` messages from its queue (or 60 s pass).
    func waitForMessages(_ daemon: Daemon, atLeast count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, daemon.metrics.snapshot.messagesReceived < count {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func oneDeviceFloodingAtQoS0IsHeldToItsBudgetWhileAnotherAssetsFaultIsRaised() async throws {
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
            let watcher = Collector(port: broker.port, filters: ["vigil/alerts/#"])
            func client(_ id: String) -> MQTTClient {
                MQTTClient(
                    options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: id),
                    logger: .test(id)
                )
            }
            let flooder = client("flooder")
            let plant = client("plant")
            let now = Date().timeIntervalSince1970
            let flood = 20_000
            let clock = ContinuousClock()
            let (alerts, span) = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        try await withRunningClient(flooder) {
                            var random = SeededRandom(seed: 4)
                            let start = Timestamp(seconds: now - 120)
                            for index in 0..<40 {
                                try await plant.publish(
                                    topic: "test/pump-2/x",
                                    payload: reading(20 + 0.5 * random.gaussian(), at: start + .seconds(index)),
                                    qos: 1,
                                    retain: false
                                )
                            }
                            try await waitForMessages(daemon, atLeast: 40)
                            // Each flood reading has its own time stamp, 1 ms after the previous one: within
                            // the event-time rate of a signal (1,000 a second), far above any arrival rate.
                            let began = clock.now
                            let floodStart = Int64((now - 60) * 1000)
                            for index in 0..<flood {
                                try await flooder.publish(
                                    topic: "test/flood/x",
                                    payload: reading(20, at: Timestamp(milliseconds: floodStart + Int64(index))),
                                    qos: 0,
                                    retain: false
                                )
                                if index == flood / 2 {
                                    for step in 40..<50 {
                                        try await plant.publish(
                                            topic: "test/pump-2/x",
                                            payload: reading(35, at: start + .seconds(step)),
                                            qos: 1,
                                            retain: false
                                        )
                                    }
                                }
                            }
                            // Until the daemon has taken everything the broker delivered.
                            var last = -1
                            while daemon.metrics.snapshot.messagesReceived != last {
                                last = daemon.metrics.snapshot.messagesReceived
                                try await Task.sleep(for: .seconds(1))
                            }
                            let span = clock.now - began
                            let alerts = await watcher.wait(timeout: .seconds(20)) { !$0.isEmpty }
                            return (alerts, span)
                        }
                    }
                }
            }
            let counts = try EventReader.open(path: database).readingCounts()
            let flooded = counts["flood"] ?? 0
            // Held to 1,000 messages a second of arrival (the default budget) and its burst, however
            // long the flood took to arrive.
            let seconds = Double(span.components.seconds) + 1
            print("QoS 0 flood: \(flooded) of \(flood) accepted in \(span)")
            #expect(Double(flooded) <= 1000 * seconds + 1000, "\(flooded) flood readings accepted in \(span)")
            #expect(counts["pump-2"] == 50)
            #expect(alerts.contains { $0.topic == "vigil/alerts/pump-2" }, "the other asset's fault raised nothing")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aSenMLPackWhoseRecordsAreAllRefusedGivesOneDeadLetter() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let configuration = try ConfigLoader.parse(
                """
                \(brokerAndStorage(port: broker.port, database: directory.appendingPathComponent("vigil.db").path))
                assets:
                  - name: "{asset}"
                    signals:
                      - topic: "senml/{asset}"
                        format: senml
                """
            )
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                handleSignals: false,
                logger: .test("d")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/deadletter/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            let now = Date().timeIntervalSince1970
            let letters = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        // A first pack at `now`, then one of ten records all older: each record is late.
                        try await plant.publish(
                            topic: "senml/pump-1",
                            payload: Array(#"[{"bn":"","bt":\#(now),"n":"x","v":1}]"#.utf8),
                            qos: 1,
                            retain: false
                        )
                        let records = (0..<10).map { #"{"bt":\#(now),"n":"x","v":\#($0),"t":\#(-100 + $0)}"# }
                        try await plant.publish(
                            topic: "senml/pump-1",
                            payload: Array("[\(records.joined(separator: ","))]".utf8),
                            qos: 1,
                            retain: false
                        )
                    }
                    try await waitForMessages(daemon, atLeast: 2)
                    try await Task.sleep(for: .seconds(2))
                    return watcher.messages
                }
            }
            #expect(daemon.metrics.snapshot.rejected[.late] == 10)
            #expect(letters.count == 1, "\(letters.count) dead letters for one message")
        }
    }

    /// A daemon whose entry admits at most five assets, named by plain topics, on a clock the test steps.
    func junkConfiguration(port: Int32, database: String) throws -> VigilConfiguration {
        try ConfigLoader.parse(
            """
            \(brokerAndStorage(port: port, database: database))
            assets:
              - name: "{asset}"
                max_assets: 5
                signals:
                  - name: "{signal}"
                    topic: "plain/{asset}/{signal}"
                detector: {window: 40, warmup: 20, stuck_after: 0}
            """
        )
    }

    func publish(_ client: MQTTClient, assets: [String]) async throws {
        for asset in assets {
            try await client.publish(topic: "plain/\(asset)/x", payload: Array("1".utf8), qos: 1, retain: false)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func junkNamesSeenOnceDoNotLockOutARealAssetOnceTheyHaveGoneQuiet() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let clock = SteppedClock()
            let daemon = try Daemon(
                configuration: try junkConfiguration(port: broker.port, database: database),
                password: nil,
                clock: clock.wallClock,
                handleSignals: false,
                logger: .test("daemon")
            )
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            try await withDaemon(daemon) {
                try await withRunningClient(plant) {
                    try await publish(plant, assets: (1...5).map { "junk-\($0)" })
                    try await waitForMessages(daemon, atLeast: 5)
                    // Two hours later, a real machine comes online.
                    clock.step(by: 7200)
                    try await publish(plant, assets: ["press-1"])
                    try await waitForMessages(daemon, atLeast: 6)
                    try await Task.sleep(for: .seconds(2))
                }
            }
            #expect(daemon.metrics.snapshot.rejected[.tooManySeries, default: 0] == 0)
            let counts = try EventReader.open(path: database).readingCounts()
            #expect(counts["press-1"] == 1, "\(counts)")
            #expect(counts.count <= 5, "\(counts)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func junkAssetsNeverSeenAgainAreForgottenAtTheNextStartTheirRetainedStatesCleared() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let clock = SteppedClock()
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            for round in 0..<2 {
                let daemon = try Daemon(
                    configuration: try junkConfiguration(port: broker.port, database: database),
                    password: nil,
                    clock: clock.wallClock,
                    handleSignals: false,
                    logger: .test("daemon")
                )
                try await withDaemon(daemon) {
                    if round == 0 {
                        try await withRunningClient(plant) {
                            try await publish(plant, assets: (1...5).map { "junk-\($0)" })
                            try await waitForMessages(daemon, atLeast: 5)
                        }
                    }
                    try await Task.sleep(for: .seconds(2))
                }
                // Eight days pass before the next start.
                clock.step(by: 8 * 86_400)
            }
            let counts = try EventReader.open(path: database).readingCounts()
            #expect(counts.isEmpty, "the asset table keeps \(counts.keys.sorted())")
            // A new subscriber gets no retained state of the forgotten assets.
            let fresh = Collector(port: broker.port, filters: ["vigil/state/#"], id: "fresh")
            let retained = try await fresh.run {
                await fresh.wait(timeout: .seconds(3)) { _ in false }
            }
            #expect(retained.filter { !$0.payload.isEmpty }.isEmpty, "\(retained.map(\.topic))")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aBurstOfNewAssetNamesIsBoundedWithANotice() async throws {
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
            let watcher = Collector(port: broker.port, filters: ["vigil/notice"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 60)
            let notices = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        for index in 0..<300 {
                            try await plant.publish(
                                topic: "test/junk-\(index)/x",
                                payload: reading(1, at: start),
                                qos: 1,
                                retain: false
                            )
                        }
                    }
                    try await waitForMessages(daemon, atLeast: 300)
                    return await watcher.wait(timeout: .seconds(10)) { !$0.isEmpty }
                }
            }
            let documents = notices.map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(documents.count == 1, "\(documents)")
            #expect(documents.first?.contains("\"asset_admission_limited\"") == true, "\(documents)")
            #expect(try SchemaCheck.problems(schema: "notice.schema.json", jsonDocuments: documents) == nil)
            #expect(daemon.metrics.snapshot.readingsAccepted < 300)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aRestartMakesNoRoomForAnotherCrowdOfJunkNames() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let clock = SteppedClock()
            var refused = 0
            for round in 0..<3 {
                let plant = MQTTClient(
                    options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant-\(round)"),
                    logger: .test("plant")
                )
                let daemon = try Daemon(
                    configuration: try junkConfiguration(port: broker.port, database: database),
                    password: nil,
                    clock: clock.wallClock,
                    handleSignals: false,
                    logger: .test("daemon")
                )
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        try await publish(plant, assets: (1...5).map { "junk-\(round)-\($0)" })
                        try await waitForMessages(daemon, atLeast: 5)
                    }
                    try await Task.sleep(for: .seconds(1))
                }
                refused += daemon.metrics.snapshot.rejected[.tooManySeries, default: 0]
                // Round 1 comes at once; round 2 two hours later, when the junk has gone quiet.
                if round == 1 { clock.step(by: 7200) }
            }
            let counts = try EventReader.open(path: database).readingCounts()
            // Round 0 filled the five places; round 1, right after, found them taken; round 2 took the
            // places of the quiet ones.
            #expect(counts.count == 5, "\(counts.keys.sorted())")
            #expect(refused == 5)
            #expect(Set(counts.keys) == Set((1...5).map { "junk-2-\($0)" }))
        }
    }
}
