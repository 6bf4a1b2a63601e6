import Foundation
import Synchronization
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilSimulator
import VigilStore
import VigilTestSupport

/// The shipped multivariate default, run as a daemon against a real mosquitto, on the simulated
/// bearing-wear plant (`vigil simulate --scenario bearing-wear`) at one reading every 10 s.
@Suite(.serialized) struct BearingWearDetectionTests {
    /// `DefaultConfiguration.multivariateText` with only what a test must change: the broker's port,
    /// the database, and where the simulator's JSON payload keeps the value and the time. The tick
    /// is not set, as in the shipped file: each motor's comes from its readings (10 s).
    static func shippedMultivariateDefault(port: Int32, database: String) throws -> VigilConfiguration {
        var text = DefaultConfiguration.multivariateText
        for (old, new) in [
            ("  port: 1883\n", "  port: \(port)\n"),
            ("  path: /var/lib/vigil/vigil.db\n", "  path: \(database)\n"),
            (
                "        topic: \"plant/{asset}/{signal}\"\n",
                "        topic: \"plant/{asset}/{signal}\"\n        value: \"$.v\"\n        time: \"$.ts\"\n"
            ),
        ] {
            try #require(text.components(separatedBy: old).count == 2, "the default no longer has \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try ConfigLoader.parse(text)
    }

    @Test(.timeLimit(.minutes(10)))
    func aWearingBearingRaisesAnAlarmNamingVibrationFirstDuringTheRampAndItsHealthyTwinStaysQuiet() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let plant = SimulatedPlant.bearingWear()
        let wear = try #require(plant.wear)
        let interval = 10
        let seconds = wear.end
        let readings = seconds / interval * plant.signals.count
        // The plant's last reading is about now: limits.max_clock_skew refuses readings from the future.
        let start = Timestamp(seconds: (Date().timeIntervalSince1970 - Double(seconds)).rounded(.down))
        let wearBegan = start + .seconds(wear.start)
        let wearComplete = start + .seconds(wear.end)

        try await MosquittoBroker.withBroker { broker in
            let daemon = try Daemon(
                configuration: try Self.shippedMultivariateDefault(port: broker.port, database: database),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/alerts/#"])
            let client = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "simulator"),
                logger: .test("simulator")
            )
            let publisher = PlantPublisher(
                plant: plant,
                speed: .infinity,
                interval: interval,
                start: start,
                logger: .test("simulator")
            )
            let announced = Mutex<[SimulatedPlant.Announcement]>([])

            let alerts = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(client) {
                        try await publisher.publish(seconds: seconds, through: client) { announcement in
                            announced.withLock { $0.append(announcement) }
                        }
                    }
                    // Every reading taken or refused; then the graceful stop publishes every alert.
                    let deadline = ContinuousClock.now + .seconds(480)
                    while ContinuousClock.now < deadline {
                        let snapshot = daemon.metrics.snapshot
                        if snapshot.readingsAccepted + snapshot.rejected.values.reduce(0, +) >= readings { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let recorded = try EventReader.open(path: database).events(EventQuery()).count
                return await watcher.wait(timeout: .seconds(20)) { $0.count >= recorded }
            }

            #expect(announced.withLock { $0 } == [.wearBegins(wear)])
            let metrics = daemon.metrics.snapshot
            #expect(metrics.readingsAccepted == readings, "rejected: \(metrics.rejected)")

            let events = try EventReader.open(path: database).events(EventQuery()).map(\.event)
            let raised = events.filter { $0.transition == .raised }
            let summary = events.map {
                "\($0.asset) \($0.kind) \($0.transition) at \($0.time) \($0.contributions.map(\.signal))"
            }

            // The worn motor: one anomaly alarm, raised after the wear began and before it is complete,
            // naming vibration first; nothing before the wear.
            let worn = raised.filter { $0.asset == "motor-1" }
            let alarm = try #require(worn.first, "no alarm on motor-1: \(summary)")
            #expect(alarm.kind == .anomaly, "\(summary)")
            #expect(alarm.time > wearBegan, "\(summary)")
            #expect(alarm.time < wearComplete, "\(summary)")
            #expect(alarm.contributions.first?.signal == "vibration", "\(summary)")
            let minutes = Double(alarm.time.milliseconds - wearBegan.milliseconds) / 60_000
            print("bearing wear: motor-1 raised \(Int(minutes)) min into the 120-minute ramp: \(summary)")

            // The same alarm on the alert topic.
            let documents = alerts.filter { $0.topic == "vigil/alerts/motor-1" }.map {
                try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
            }
            let raisedDocument = try #require(documents.first { $0?["state"] as? String == "raised" } ?? nil)
            #expect(raisedDocument["alarm_id"] as? String == alarm.alarmID)
            #expect(raisedDocument["kind"] as? String == "anomaly")
            let signals = try #require(raisedDocument["signals"] as? [[String: Any]])
            #expect(signals.first?["name"] as? String == "vibration")

            // The healthy twin over the same six hours: no alarm, in the database or on the broker.
            #expect(!events.contains { $0.asset == "motor-2" }, "\(summary)")
            #expect(!alerts.contains { $0.topic == "vigil/alerts/motor-2" })
        }
    }
}
