import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The database in trouble: corrupt at start, on a full disk, at its size cap. The daemon stays
/// alive, loses no reading the broker can still give it, and resumes by itself.
@Suite(.serialized) struct DatabaseFaultTests {
    @Test func aCorruptDatabaseAtStartIsSetAsideAndOneNoticeSaysSo() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let old = try EventStore(path: database)
        try old.close()
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: database))
        handle.write(Data(count: 100))
        try handle.close()

        try await MosquittoBroker.withBroker { broker in
            let watcher = Collector(
                port: broker.port,
                filters: ["vigil/notice"],
                id: "notice-watch",
                cleanSession: false
            )
            let notices = try await watcher.run {
                for run in 0..<2 {
                    let daemon = try Daemon(
                        configuration: try testConfiguration(port: broker.port, database: database),
                        password: nil,
                        handleSignals: false,
                        logger: .test("daemon")
                    )
                    #expect((daemon.store.recovery != nil) == (run == 0))
                    try await withDaemon(daemon) {
                        _ = await watcher.wait(timeout: .seconds(run == 0 ? 10 : 2)) { !$0.isEmpty }
                    }
                }
                return watcher.messages
            }
            // One notice, from the first start only; the second start found the fresh database sound.
            #expect(notices.count == 1)
            let text = String(decoding: try #require(notices.first).payload, as: UTF8.self)
            #expect(text.contains("\"kind\":\"database_recovered\""))
            #expect(try SchemaCheck.problems(schema: "notice.schema.json", jsonDocuments: [text]) == nil)
            let moved = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasPrefix("vigil.db.corrupt-")
            }
            #expect(!moved.isEmpty)
        }
    }

    /// Whether this machine lets the tests mount a tmpfs (root, as in CI).
    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-mount-probe-\(UUID().uuidString)"
        )
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard (try? runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path]))?.status == 0 else {
            return false
        }
        _ = try? runCommand("/bin/umount", [probe.path])
        return true
    }()

    @Test(.enabled(if: canMount, "needs to mount a tmpfs (root)"))
    func onAFullDiskTheDaemonHoldsTheReadingsAndResumesWhenSpaceReturns() async throws {
        let directory = try Repository.temporaryDirectory()
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", state.path]).status == 0)
        defer {
            _ = try? runCommand("/bin/umount", ["-l", state.path])
            try? FileManager.default.removeItem(at: directory)
        }
        try await MosquittoBroker.withBroker(persistence: true) { broker in
            let metricsPort = Int(try FreePort.find())
            // Spiky readings, so that alarms keep adding events and alerts: the database must grow.
            let load = SpikyLoad(brokerPort: broker.port)
            let count = 12_000
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: state.appendingPathComponent("vigil.db").path, clientID: "vigil-full", metricsPort: metricsPort))
            assets:
              - name: "{asset}"
                signals:
                  - name: "{signal}"
                    topic: "load/{asset}/{signal}"
                    value: "$.v"
                    time: "$.ts"
                detector: {window: 40, warmup: 20, stuck_after: 0}
                alarm: {threshold: 0.99, min_duration: 1, clear_below: 0.9, clear_after: 2, cooldown: 1s}
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
            let acknowledged = Progress()
            let ballast = state.appendingPathComponent("ballast")
            var stalled: (Double, Double) = (0, 0)
            var errorsWhileFull = 0.0
            let stop = Progress()
            async let published = load.run(acknowledged: acknowledged, until: stop)
            async let stopper: Void = {
                while acknowledged.value < count { try? await Task.sleep(for: .milliseconds(10)) }
                stop.advance()
            }()
            while acknowledged.value < 3000 { try await Task.sleep(for: .milliseconds(20)) }
            // Fill the filesystem.
            let chunk = Data(count: 64 * 1024)
            let file = try FileHandle(
                forWritingTo: {
                    FileManager.default.createFile(atPath: ballast.path, contents: nil)
                    return ballast
                }()
            )
            while (try? file.write(contentsOf: chunk)) != nil {}
            try? file.close()
            let full = try await scrape(port: metricsPort) { $0.value("vigil_store_errors_total") ?? 0 > 0 }
            errorsWhileFull = full.value("vigil_store_errors_total") ?? 0
            // It stops consuming: nothing more is accepted while the disk stays full.
            let first = try await scrape(port: metricsPort).value("vigil_readings_accepted_total") ?? -1
            try await Task.sleep(for: .seconds(2))
            let second = try await scrape(port: metricsPort).value("vigil_readings_accepted_total") ?? -2
            stalled = (first, second)
            #expect(daemon.isRunning)
            // Space returns.
            try FileManager.default.removeItem(at: ballast)
            let sent = try await published
            await stopper
            let outcome = try await LoadOutcome.read(
                metricsPort: metricsPort,
                sent: sent,
                retries: 0,
                reconnect: nil,
                patience: .seconds(60)
            )
            let figures = try await scrape(port: metricsPort)
            print(
                "disk full: \(outcome); store errors \(figures.value("vigil_store_errors_total") ?? -1) "
                    + "(code 13: \(figures.value("vigil_store_errors_by_code_total", ["code": "13"]) ?? 0)), "
                    + "accepted while full \(stalled.0) -> \(stalled.1)"
            )
            #expect(errorsWhileFull > 0)
            #expect(stalled.0 == stalled.1, "kept consuming on a full disk: \(stalled)")
            #expect(figures.total("vigil_store_errors_by_code_total") > 0)
            #expect(outcome.lost == 0, "\(outcome)")
            #expect(daemon.isRunning)
        }
    }

    @Test func atItsSizeCapTheDaemonDeletesTheOldestHistoryAndLosesNoReading() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker(persistence: true) { broker in
            let metricsPort = Int(try FreePort.find())
            let database = directory.appendingPathComponent("vigil.db").path
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: database, clientID: "vigil-cap", metricsPort: metricsPort)
                .replacingOccurrences(of: "  path: \(database)", with: "  path: \(database)\n  max_size: 160KB"))
            assets:
              - name: "{asset}"
                signals:
                  - name: "{signal}"
                    topic: "load/{asset}/{signal}"
                    value: "$.v"
                    time: "$.ts"
                detector: {window: 40, warmup: 20, stuck_after: 0}
                alarm: {threshold: 0.99, min_duration: 1, clear_below: 0.9, clear_after: 2, cooldown: 1s}
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
            let acknowledged = Progress()
            let stop = Progress()
            async let published = SpikyLoad(brokerPort: broker.port).run(acknowledged: acknowledged, until: stop)
            let figures = try await scrape(port: metricsPort) { $0.value("vigil_store_pruned_events_total") ?? 0 > 0 }
            stop.advance()
            let sent = try await published
            let outcome = try await LoadOutcome.read(
                metricsPort: metricsPort,
                sent: sent,
                retries: 0,
                reconnect: nil,
                patience: .seconds(30)
            )
            let size = try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int ?? -1
            print(
                "size cap: \(outcome); events pruned \(figures.value("vigil_store_pruned_events_total") ?? -1), "
                    + "database \(size) bytes (cap 163840)"
            )
            #expect(figures.value("vigil_store_pruned_events_total") ?? 0 > 0)
            #expect(outcome.lost == 0, "\(outcome)")
            #expect(size <= 160 * 1024)
            #expect(daemon.isRunning)
        }
    }
}
