import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The figures of docs/operations.md's sizing table, measured (`swift test --filter SizingTests`):
/// database bytes per event, the real daemon's resident memory per asset, and the size of an
/// LSTM asset's checkpoint. Each also has a generous ceiling, so that a regression fails here.
@Suite(.serialized) struct SizingTests {
    @Test func databaseBytesPerEvent() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.db").path
        let empty = try EventStore(path: path)
        try empty.close()
        let before = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        // 10,000 events of three-signal assets: 5,000 alarms raised and cleared.
        let store = try EventStore(path: path)
        for batchIndex in 0..<100 {
            var batch = StoreBatch()
            for index in 0..<50 {
                let alarm = batchIndex * 50 + index
                let time = Int64(alarm) * 60_000
                for (transition, at) in [(AlarmTransition.raised, time), (.cleared, time + 5000)] {
                    batch.events.append(
                        Event(
                            alarmID: "pump-\(alarm % 200)-\(alarm)",
                            asset: "pump-\(alarm % 200)",
                            kind: .anomaly,
                            transition: transition,
                            severity: .warning,
                            score: 0.9953,
                            peakScore: 0.9991,
                            time: Timestamp(milliseconds: at),
                            windowStart: Timestamp(milliseconds: time),
                            windowEnd: Timestamp(milliseconds: at),
                            contributions: ["pressure", "flow", "temperature"].map {
                                SignalContribution(signal: $0, value: 6.6472, expected: 6.5596, score: 0.4825)
                            },
                            detector: "robust-mad"
                        )
                    )
                }
            }
            try await store.record(batch, at: Timestamp(milliseconds: 0))
        }
        try store.close()
        let after = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let perEvent = Double(after - before) / 10_000
        print("sizing: \(perEvent) database bytes per event (three signals, with its alarm row)")
        #expect(perEvent > 100 && perEvent < 2048)
    }

    @Test func residentMemoryPerAssetOfTheDaemon() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let metricsPort = Int(try FreePort.find())
            let config = directory.appendingPathComponent("vigil.yaml").path
            // The robust detector's defaults: a window of 120 ticks per signal. 400 assets come at once,
            // more than an entry admits a minute by default.
            try """
            \(brokerAndStorage(port: broker.port, database: directory.appendingPathComponent("vigil.db").path, clientID: "vigil-sizing", metricsPort: metricsPort))
            \(loadAssets(detector: nil))
                new_assets_per_minute: 1000
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let daemon = try ChildProcess(
                executable: Repository.vigilBinary,
                arguments: ["run", "--config", config, "--log-level", "warning"],
                outputPath: directory.appendingPathComponent("vigil.log").path
            )
            defer {
                daemon.signal(SIGTERM)
                _ = daemon.wait(timeout: .seconds(30))
            }
            _ = try await scrape(port: metricsPort) { $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1 }
            let ticks = 130
            let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
            var sent = 0
            /// Publishes `ticks` readings for each of `assets`, eight assets at a time.
            func feed(_ assets: Range<Int>) async throws {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<8 {
                        group.addTask {
                            let plant = MQTTClient(
                                options: ConnectOptions(
                                    host: "127.0.0.1",
                                    port: broker.port,
                                    clientID: "sizing-\(lane)"
                                ),
                                logger: .test("plant")
                            )
                            try await withRunningClient(plant) {
                                var random = SeededRandom(seed: UInt64(lane))
                                for tick in 0..<ticks {
                                    for asset in assets where asset % 8 == lane {
                                        let value = 20 + random.gaussian()
                                        try await plant.publish(
                                            topic: "load/a\(asset)/v",
                                            payload: reading(
                                                value,
                                                at: Timestamp(milliseconds: start + Int64(tick) * 1000)
                                            ),
                                            qos: 1,
                                            retain: false
                                        )
                                    }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                sent += assets.count * ticks
                // On a busy machine the daemon may take a while to catch up.
                let deadline = ContinuousClock.now + .seconds(180)
                var accepted = 0.0
                while accepted < Double(sent), ContinuousClock.now < deadline {
                    accepted = try await scrape(port: metricsPort).value("vigil_readings_accepted_total") ?? 0
                    if accepted < Double(sent) { try await Task.sleep(for: .milliseconds(500)) }
                }
                #expect(accepted == Double(sent))
            }
            // Warm up with eight assets, then add 400.
            try await feed(0..<8)
            let warm = try residentKilobytes(of: daemon.pid)
            try await feed(8..<408)
            let grown = try residentKilobytes(of: daemon.pid)
            let perAsset = Double(grown - warm) / 400
            print("sizing: resident memory \(warm) kB -> \(grown) kB for 400 more assets: \(perAsset) kB per asset")
            #expect(perAsset < 64, "\(perAsset) kB per asset")
        }
    }

    @Test(arguments: [1, 300])
    func checkpointBytesOfAnLSTMAsset(tickSeconds: Int) async throws {
        // The LSTM defaults (history 2,000 ticks), one signal, after 2,100 ticks; with 5-minute
        // ticks the day and week channels keep 288 + 2,016 values more.
        let profile = AssetProfile(
            name: "{asset}",
            tick: .seconds(tickSeconds),
            detector: .lstm(LSTMDetector.Settings())
        )
        var pipeline = Pipeline(profiles: [profile])
        var random = SeededRandom(seed: 9)
        for tick in 0..<2100 {
            let value = 20 + sin(Double(tick) / 30) + 0.1 * random.gaussian()
            _ = try await pipeline.process(
                Reading(
                    asset: "a",
                    signal: "v",
                    value: value,
                    time: Timestamp(milliseconds: Int64(tick) * Int64(tickSeconds) * 1000)
                )
            )
        }
        let bytes = try #require(pipeline.detectorSnapshots()["a"]).count
        print(
            "sizing: \(bytes) checkpoint bytes for one LSTM asset with one signal (history 2000, tick \(tickSeconds) s)"
        )
        #expect(bytes < 512 * 1024)
    }
}
