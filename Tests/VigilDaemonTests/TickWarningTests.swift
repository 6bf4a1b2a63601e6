import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// The daemon takes an asset's tick from its readings unless the configuration sets one, and
/// warns once, with both figures, when a configured tick does not match the readings.
@Suite(.serialized) struct TickWarningTests {
    func run(tick: String?) async throws -> [String] {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let capture = LogCapture()
        return try await MosquittoBroker.withBroker { broker in
            var configuration = try testConfiguration(port: broker.port, database: database)
            configuration.assets[0].tick = tick.flatMap(ConfigDuration.init)
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                handleSignals: false,
                logger: capture.logger(label: "daemon", level: .info)
            )
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            // Two pumps, a reading every 10 s each, from 10 minutes ago.
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 600)
            try await withDaemon(daemon) {
                try await withRunningClient(plant) {
                    for index in 0..<40 {
                        for pump in ["pump-1", "pump-2"] {
                            try await plant.publish(
                                topic: "test/\(pump)/x",
                                payload: reading(20 + Double(index % 3), at: start + .seconds(10 * index)),
                                qos: 1,
                                retain: false
                            )
                        }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(30)
                while daemon.metrics.snapshot.readingsAccepted < 80, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            return capture.messages
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aConfiguredTickThatDoesNotMatchTheReadingsIsWarnedAboutOncePerAssetWithBothFigures() async throws {
        let lines = try await run(tick: "1s").filter { $0.contains("configured tick does not match") }
        #expect(lines.count == 2, "\(lines)")
        for pump in ["pump-1", "pump-2"] {
            let line = try #require(lines.first { $0.contains("asset=\(pump)") })
            #expect(line.hasPrefix("warning"))
            #expect(line.contains("tick=1s") && line.contains("readings.spacing=10s"), "\(line)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withoutATickEachAssetTakesTheSpacingOfItsReadingsAndNothingIsWarned() async throws {
        let lines = try await run(tick: nil)
        #expect(!lines.contains { $0.contains("configured tick does not match") })
        let found = lines.filter { $0.contains("Tick taken from the readings") }
        #expect(found.count == 2, "\(found)")
        #expect(found.allSatisfy { $0.contains("tick=10s") })
    }
}
