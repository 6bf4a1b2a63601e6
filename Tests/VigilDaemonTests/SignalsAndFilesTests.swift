import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// Signals that must not kill the daemon, files it must not touch, and files it must not leave
/// readable (issue 12, failure 7).
@Suite(.serialized) struct SignalsAndFilesTests {
    @Test(.timeLimit(.minutes(2)))
    func hangupUser1User2AndAlarmSignalsLeaveTheDaemonRunning() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let daemon = try DaemonProcess.start(
                in: directory,
                brokerPort: broker.port,
                clientID: "vigil-signals",
                assets: jsonFleet
            )
            defer { daemon.terminate() }
            #expect(try await daemon.waitUntilConnected())
            for signal in [SIGHUP, SIGUSR1, SIGUSR2, SIGALRM] {
                daemon.process.signal(signal)
                try await Task.sleep(for: .milliseconds(300))
                #expect(daemon.process.isRunning, "signal \(signal) killed the daemon: \(daemon.log.suffix(1000))")
            }
            #expect(daemon.log.contains("SIGHUP"), "\(daemon.log.suffix(2000))")
            let figures = try await scrape(port: daemon.metricsPort)
            #expect(figures.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1)
            let status = await daemon.stop()
            #expect(status.flatMap(ChildProcess.exitCode) == 0, "\(daemon.log.suffix(2000))")
        }
    }

    /// Runs `vigil run` on a configuration whose database is `database` and returns its exit status and log.
    func runBriefly(
        _ directory: URL,
        database: String,
        umask mask: String = "022",
        whileRunning: () throws -> Void = {}
    ) async throws -> (Int32?, String) {
        let config = directory.appendingPathComponent("vigil.yaml").path
        try """
        broker: {host: 127.0.0.1, port: 1, reconnect_delay: 100ms, reconnect_delay_max: 200ms}
        storage: {path: \(database)}
        metrics: {port: 0}
        assets:
          - name: pump
            signals: [{name: p, topic: plant/p}]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("vigil.log").path
        let daemon = try ChildProcess(
            executable: "/bin/sh",
            arguments: ["-c", "umask \(mask); exec \(Repository.vigilBinary) run --config \(config)"],
            outputPath: log
        )
        var status = await daemon.exit(within: .seconds(3))
        if status == nil {
            try whileRunning()
            daemon.signal(SIGTERM)
            status = await daemon.exit(within: .seconds(30))
        }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Another application's SQLite file (rollback journal, its own table).
    func foreignDatabase(_ path: String) throws {
        let result = try runCommand(
            "/usr/bin/sqlite3",
            [
                path,
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x');",
            ]
        )
        #expect(result.status == 0, "\(result.error)")
    }

    func journalMode(_ path: String) throws -> String {
        try runCommand("/usr/bin/sqlite3", [path, "PRAGMA journal_mode;"]).output.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
    }

    @Test(.timeLimit(.minutes(2)))
    func aStoragePathThatIsASymlinkIsRefusedAndItsTargetUntouched() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = directory.appendingPathComponent("other-app.sqlite").path
        try foreignDatabase(other)
        let link = directory.appendingPathComponent("vigil.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: other)
        let (status, log) = try await runBriefly(directory, database: link)
        #expect(status.flatMap(ChildProcess.exitCode) == 1, "\(log)")
        #expect(log.contains("symbolic link"), "\(log)")
        #expect(try journalMode(other) == "delete", "the other application's database was switched to WAL")
        #expect(!FileManager.default.fileExists(atPath: other + "-wal"))
    }

    @Test(.timeLimit(.minutes(2)))
    func aDatabaseWithTablesVigilDoesNotKnowIsRefused() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try foreignDatabase(database)
        let (status, log) = try await runBriefly(directory, database: database)
        #expect(status.flatMap(ChildProcess.exitCode) == 1, "\(log)")
        #expect(log.contains("customers"), "\(log)")
        #expect(try journalMode(database) == "delete")
    }

    @Test(.timeLimit(.minutes(2)))
    func theDatabaseItsJournalsAndTheLockAreCreatedReadableByTheOwnerOnly() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("state/vigil.db").path
        var modes: [String: Int] = [:]
        let (status, log) = try await runBriefly(directory, database: database, umask: "000") {
            for suffix in ["", "-wal", "-shm", ".lock"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: database + suffix)
                modes[suffix] = attributes[.posixPermissions] as? Int
            }
        }
        #expect(status.flatMap(ChildProcess.exitCode) == 0, "\(log)")
        #expect(modes.count == 4, "\(modes)")
        for (suffix, mode) in modes {
            #expect(mode == 0o600, "vigil.db\(suffix) has mode \(String(mode, radix: 8))")
        }
    }

    @Test func theUnitLimitsDescriptorsAndMemory() throws {
        let unit = Repository.root.appendingPathComponent("systemd/vigil.service").path
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("\nLimitNOFILE="))
        #expect(text.contains("\nMemoryMax="))
        // Its exposure stays at 1.1: ShippedFilesTests.systemdUnitScores1Point1OrLowerInSystemdAnalyzeSecurity.
    }
}
