import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The database in trouble: corrupt at start, on a full disk, at its size cap. The daemon stays
/// alive, loses no reading the broker can still give it, and resumes by itself.
@Suite(.serialized) struct DatabaseFaultTests {
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case damagedPage, truncatedFile, zeroedHeader
        var testDescription: String { rawValue }
    }

    /// A database as a crash leaves it: 400 events checkpointed into the file, a later outbox row
    /// only in its `-wal`, and the `-shm` beside it; then `damage` done to the main file.
    func makeCrashedDatabase(_ database: String, damage: Damage) async throws {
        let scratch = database + ".scratch"
        let store = try EventStore(path: scratch)
        var batch = StoreBatch()
        batch.events = (0..<400).map { index in
            Event(
                alarmID: "a-\(index)",
                asset: "pump-\(index % 7)",
                kind: .anomaly,
                transition: .cleared,
                severity: .warning,
                score: 0.5,
                peakScore: 0.999,
                time: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index) * 1000),
                windowStart: Timestamp(milliseconds: 1_700_000_000_000),
                windowEnd: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index) * 1000),
                contributions: [SignalContribution(signal: "p", value: 9, expected: 5, score: 0.995)],
                detector: "robust-mad"
            )
        }
        try await store.record(batch, at: Timestamp(milliseconds: 0))
        try store.close()
        // Reopened, written once more and copied while open: the copy has an uncheckpointed WAL.
        let open = try EventStore(path: scratch)
        var later = StoreBatch()
        later.outbox = [(topic: "vigil/alerts/pump-1", payload: Array("late".utf8), qos: 1, retain: false)]
        try await open.record(later, at: Timestamp(milliseconds: 1))
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: scratch + suffix, toPath: database + suffix)
        }
        try open.close()
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }

        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: database))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        switch damage {
        case .damagedPage:
            // Garbage over the third page, a b-tree page of the event table (not in the WAL).
            try handle.seek(toOffset: 2 * 4096)
            handle.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }))
        case .truncatedFile:
            try handle.truncate(atOffset: size / 2)
        case .zeroedHeader:
            try handle.seek(toOffset: 0)
            handle.write(Data(count: 100))
        }
    }

    @Test(arguments: Damage.allCases)
    func aCorruptDatabaseAtStartIsSetAsideWithItsWALAndOneNoticeSaysSo(_ damage: Damage) async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await makeCrashedDatabase(database, damage: damage)
        for suffix in ["", "-wal", "-shm"] { #expect(FileManager.default.fileExists(atPath: database + suffix)) }

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
                    if let recovery = daemon.store.recovery {
                        // The file and its WAL and shared memory, moved together under one name.
                        let stamp = try #require(recovery.movedTo.first?.dropFirst(database.count))
                        #expect(recovery.movedTo == ["", "-wal", "-shm"].map { database + stamp + $0 })
                    }
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
            #expect(moved.count == 3, "\(moved)")
            // The fresh database holds none of the old history.
            #expect(try EventReader.open(path: database).events(EventQuery()).isEmpty)
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
        try await MosquittoBroker.withBroker { broker in
            let metricsPort = Int(try FreePort.find())
            // Spiky readings, so that alarms keep adding events and alerts: the database must grow.
            let load = SpikyLoad(brokerPort: broker.port)
            let count = 12_000
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: state.appendingPathComponent("vigil.db").path, clientID: "vigil-full", metricsPort: metricsPort))
            \(loadAssets(alarm: true))
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
        try await MosquittoBroker.withBroker { broker in
            let metricsPort = Int(try FreePort.find())
            let database = directory.appendingPathComponent("vigil.db").path
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: database, clientID: "vigil-cap", metricsPort: metricsPort)
                .replacingOccurrences(of: "  path: \(database)", with: "  path: \(database)\n  max_size: 160KB"))
            \(loadAssets(alarm: true))
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
            // Each write refused at the cap is counted (SQLITE_FULL), then retried after making room.
            #expect(figures.value("vigil_store_errors_by_code_total", ["code": "13"]) ?? 0 > 0, "\(figures)")
            #expect(outcome.lost == 0, "\(outcome)")
            #expect(size <= 160 * 1024)
            #expect(daemon.isRunning)
        }
    }

    /// Alerts the outbox holds, as `alarm_id/state`.
    func pendingAlerts(_ store: EventStore) async throws -> Set<String> {
        Set(
            try await store.pendingMessages(limit: 1_000_000).filter { $0.topic.hasPrefix("vigil/alerts/") }.compactMap
            {
                alertKey($0.payload)
            }
        )
    }

    /// `alarm_id/state` of an alert document.
    func alertKey(_ payload: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let alarm = object["alarm_id"] as? String, let state = object["state"] as? String
        else { return nil }
        return "\(alarm)/\(state)"
    }

    /// The broker the alerts go to is down while readings keep coming (the publishing connection
    /// points at a second broker that is stopped), so the outbox grows into the size cap. Making
    /// room at the cap, and then retention at the next start, delete history but no undelivered
    /// alert and no event of an open alarm; when the broker is back, every alert arrives.
    @Test func whileTheBrokerIsDownTheSizeCapAndRetentionKeepEveryUndeliveredAlert() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { ingest in
            try await MosquittoBroker.withBroker(persistence: true) { alertBroker in
                // A persistent session on the alert broker queues every alert for the watcher.
                let watcherID = "outage-watch"
                try await Collector(
                    port: alertBroker.port,
                    filters: ["vigil/alerts/#"],
                    id: watcherID,
                    cleanSession: false
                )
                .run {}
                try await offThePool { alertBroker.stop() }

                func daemon(retention: String, metricsPort: Int, clock: WallClock = .system) throws -> Daemon {
                    let storage = "  path: \(database)\n  max_size: 256KB\n  retention: \(retention)"
                    return try Daemon(
                        configuration: try ConfigLoader.parse(
                            """
                            \(brokerAndStorage(port: ingest.port, database: database, clientID: "vigil-outage", metricsPort: metricsPort)
                                .replacingOccurrences(of: "  path: \(database)", with: storage))
                            \(loadAssets(alarm: true))
                            """
                        ),
                        password: nil,
                        clock: clock,
                        handleSignals: false,
                        adjustPublish: { $0.port = alertBroker.port },
                        logger: .test("daemon")
                    )
                }

                // Run 1: alerts pile up until the database is at its cap and history is pruned.
                let firstPort = Int(try FreePort.find())
                let first = try daemon(retention: "90d", metricsPort: firstPort)
                let (sent, atCap, pending) = try await withDaemon(first) {
                    let acknowledged = Progress()
                    let stop = Progress()
                    // 500 readings/s: the cap is reached while the outbox still leaves history to
                    // prune. (Faster, the alerts alone fill the cap; then nothing is left to delete
                    // and Vigil stops taking readings, as it must, and cannot drain on shutdown.)
                    async let published = SpikyLoad(brokerPort: ingest.port, perSecond: 500)
                        .run(acknowledged: acknowledged, until: stop)
                    let atCap = try await scrape(port: firstPort) {
                        $0.value("vigil_store_pruned_events_total") ?? 0 > 0
                            && $0.value("vigil_store_errors_by_code_total", ["code": "13"]) ?? 0 > 0
                    }
                    stop.advance()
                    let sent = try await published
                    // Settled: what the database can still take is in.
                    _ = try await LoadOutcome.read(
                        metricsPort: firstPort,
                        sent: sent,
                        retries: 0,
                        reconnect: nil,
                        patience: .seconds(20)
                    )
                    return (sent, atCap, try await pendingAlerts(first.store))
                }
                // The history of closed alarms at the end of run 1, by row id.
                let run1 = try EventReader.open(path: database)
                let openBefore = Set(try run1.openAlarms().map(\.id))
                let closedBefore = Set(
                    try run1.events(EventQuery(limit: 1_000_000)).filter { !openBefore.contains($0.event.alarmID) }.map(
                        \.id
                    )
                )
                #expect(!closedBefore.isEmpty)
                print(
                    "broker down at the size cap: \(sent) readings sent, \(pending.count) alerts undelivered, "
                        + "events pruned \(atCap.value("vigil_store_pruned_events_total") ?? -1), store errors (code 13) "
                        + "\(atCap.value("vigil_store_errors_by_code_total", ["code": "13"]) ?? -1)"
                )
                #expect(atCap.value("vigil_store_pruned_events_total") ?? 0 > 0)
                #expect(atCap.value("vigil_store_errors_by_code_total", ["code": "13"]) ?? 0 > 0)
                #expect(atCap.value("vigil_outbox_delivered_total") == 0)
                #expect(pending.count > 50, "too few alerts to test: \(pending.count)")

                // Run 2, two hours later, the alert broker still down: retention (1 hour, counted from
                // when the events were recorded) deletes the history at start, but not the outbox nor
                // the open alarms' events.
                let secondPort = Int(try FreePort.find())
                let later = WallClock { Timestamp(seconds: Date().timeIntervalSince1970 + 7200) }
                let second = try daemon(retention: "1h", metricsPort: secondPort, clock: later)
                let delivered = try await withDaemon(second) {
                    let deadline = ContinuousClock.now + .seconds(30)
                    var open: [String] = []
                    var left: [EventRecord] = []
                    repeat {
                        try await Task.sleep(for: .milliseconds(200))
                        open = try second.store.reader.openAlarms().map(\.id)
                        left = try second.store.reader.events(EventQuery(limit: 1_000_000))
                    } while left.contains(where: { closedBefore.contains($0.id) }) && ContinuousClock.now < deadline
                    #expect(!left.contains { closedBefore.contains($0.id) }, "the old history was not deleted")
                    // Every alarm open now (open ever since it was raised) still has its raised event.
                    for alarm in open {
                        #expect(
                            left.contains { $0.event.alarmID == alarm && $0.event.transition == .raised },
                            "\(alarm)"
                        )
                    }
                    #expect(try await pendingAlerts(second.store).isSuperset(of: pending))

                    // The broker is back: every alert that was waiting arrives.
                    try await offThePool { try alertBroker.start() }
                    let watcher = Collector(
                        port: alertBroker.port,
                        filters: ["vigil/alerts/#"],
                        id: watcherID,
                        cleanSession: false
                    )
                    let delivered = try await watcher.run {
                        _ = try await scrape(port: secondPort) { $0.value("vigil_outbox_pending") == 0 }
                        let messages = await watcher.wait(timeout: .seconds(30)) { messages in
                            Set(messages.compactMap { alertKey($0.payload) }).isSuperset(of: pending)
                        }
                        return Set(messages.compactMap { alertKey($0.payload) })
                    }
                    // With room again, the readings the broker kept meanwhile are all taken.
                    let until = ContinuousClock.now + .seconds(30)
                    while try SequenceAudit(SpikyLoad.numbering, reader: second.store.reader).missing(of: sent) > 0,
                        ContinuousClock.now < until
                    {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    return delivered
                }
                #expect(pending.subtracting(delivered).isEmpty, "\(pending.subtracting(delivered).count) never arrived")
                // And no reading was lost on the way.
                let audit = try SequenceAudit(SpikyLoad.numbering, reader: EventReader.open(path: database))
                #expect(audit.missing(of: sent) == 0, "\(audit)")
            }
        }
    }
}
