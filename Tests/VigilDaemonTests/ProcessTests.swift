import Foundation
import Testing
import VigilCore
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The `vigil` executable as systemd and an operator run it.
@Suite(.serialized) struct ProcessTests {
    func writeConfig(
        _ directory: URL,
        port: Int32,
        inboundQueue: Int = 64,
        cleanSession: Bool = false,
        metricsPort: Int = 0
    ) throws -> String {
        let path = directory.appendingPathComponent("vigil.yaml").path
        try """
        broker:
          host: 127.0.0.1
          port: \(port)
          client_id: vigil-proc
          clean_session: \(cleanSession)
          reconnect_delay: 100ms
          reconnect_delay_max: 500ms
          inbound_queue: \(inboundQueue)
        storage:
          path: \(directory.appendingPathComponent("vigil.db").path)
        metrics:
          port: \(metricsPort)
        assets:
          - name: "{asset}"
            signals:
              - name: "{signal}"
                topic: "load/{asset}/{signal}"
                value: "$.v"
                time: "$.ts"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func startDaemon(config: String, directory: URL, environment: [String: String] = [:]) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        return try ChildProcess(
            executable: Repository.vigilBinary,
            arguments: ["run", "--config", config, "--log-level", "info"],
            environment: env,
            outputPath: directory.appendingPathComponent("vigil.log").path
        )
    }

    @Test func notifiesSystemdReadyWatchdogAndStopping() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let config = try writeConfig(directory, port: broker.port)
            let socket = try NotifySocket()
            let daemon = try startDaemon(
                config: config,
                directory: directory,
                environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"]
            )
            let ready = socket.waitFor("READY=1", timeout: .seconds(20))
            let log = (try? String(contentsOf: directory.appendingPathComponent("vigil.log"), encoding: .utf8)) ?? ""
            #expect(ready != nil, "no READY=1; log: \(log)")
            // Pings at half the 400 ms interval while idle.
            var pings = 0
            let until = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < until, let message = socket.receive(timeout: .milliseconds(500)) {
                if message == "WATCHDOG=1" { pings += 1 }
            }
            #expect(pings >= 3)
            daemon.signal(SIGTERM)
            #expect(socket.waitFor("STOPPING=1", timeout: .seconds(10)) != nil)
            let status = daemon.wait(timeout: .seconds(30))
            #expect(status.flatMap(ChildProcess.exitCode) == 0)
        }
    }

    @Test func sigtermUnderLoadLosesNothingAcknowledged() async throws {
        let counted = try await restartUnderLoad(cleanSession: false)
        #expect(counted == 6000, "readings lost or doubled: \(6000 - counted)")
    }

    /// The negative control: with a clean session the broker forgets the daemon while it restarts,
    /// and the same harness must see the loss.
    @Test func negativeControlCleanSessionLosesReadingsDuringARestart() async throws {
        let counted = try await restartUnderLoad(cleanSession: true)
        #expect(counted < 6000)
    }

    /// Publishes 6,000 readings at about 2,000/s, restarts the daemon with SIGTERM a third of the
    /// way through, and returns how many readings the daemon recorded.
    func restartUnderLoad(cleanSession: Bool) async throws -> Int {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await MosquittoBroker.withBroker { broker in
            let config = try writeConfig(directory, port: broker.port, cleanSession: cleanSession)
            var daemon = try startDaemon(config: config, directory: directory)
            // Wait until the daemon's session exists: its retained status says online.
            let status = Collector(port: broker.port, filters: ["vigil/status"], id: "status-watch")
            let online = try await status.run {
                await status.wait(timeout: .seconds(20)) { $0.contains { $0.payload == Array("online".utf8) } }
            }
            #expect(!online.isEmpty)

            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "load-plant"),
                logger: .test("plant")
            )
            let total = 6000
            let assets = 20
            // Numbered, each with its own time stamp: a reading the broker delivers again (its PUBACK
            // lost as the connection closed) is then refused as a duplicate, so the count is exact.
            let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
            var restarts: [Duration] = []
            try await withRunningClient(plant) {
                let clock = ContinuousClock()
                let began = clock.now
                for index in 0..<total {
                    // About 2,000 readings per second, each acknowledged by the broker (QoS 1).
                    try await plant.publish(
                        topic: "load/a\(index % assets)/v",
                        payload: Array(#"{"seq":\#(index),"v":\#(index % 97),"ts":\#(start + Int64(index))}"#.utf8),
                        qos: 1,
                        retain: false
                    )
                    if index == total / 3 {
                        daemon.signal(SIGTERM)
                        let stopped = clock.now
                        let exit = daemon.wait(timeout: .seconds(30))
                        restarts.append(clock.now - stopped)
                        #expect(exit.flatMap(ChildProcess.exitCode) == 0)
                        daemon = try startDaemon(config: config, directory: directory)
                    }
                    let due = began + .microseconds(Int64(index) * 500)
                    if due > clock.now { try await clock.sleep(until: due) }
                }
            }
            // Every acknowledged reading reaches the database, once the daemon has caught up.
            let database = directory.appendingPathComponent("vigil.db").path
            var counted = 0
            let deadline = ContinuousClock.now + .seconds(cleanSession ? 3 : 30)
            while ContinuousClock.now < deadline {
                counted = (try? EventReader.open(path: database).readingCounts().values.reduce(0, +)) ?? 0
                if counted >= total { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            daemon.signal(SIGTERM)
            #expect(daemon.wait(timeout: .seconds(30)).flatMap(ChildProcess.exitCode) == 0)
            counted = try EventReader.open(path: database).readingCounts().values.reduce(0, +)
            // Stopped within the unit's TimeoutStopSec.
            #expect(restarts.allSatisfy { $0 < .seconds(30) })
            return counted
        }
    }

    @Test func configCheckExitsZeroOrNamesTheLine() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try writeConfig(directory, port: 1883)
        let ok = try runCommand(Repository.vigilBinary, ["config", "check", good])
        #expect(ok.status == 0)
        #expect(ok.output.contains("ok"))

        let bad = directory.appendingPathComponent("bad.yaml").path
        try "broker:\n  host: h\n  prot: 1883\nassets: []\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try runCommand(Repository.vigilBinary, ["config", "check", bad])
        #expect(refused.status == 78)
        #expect(refused.error.contains("bad.yaml:3:3: broker.prot: unknown key 'prot'"))
    }

    @Test func runRefusesABadConfigurationWithExitCode78() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.yaml").path
        try "broker:\n  host: h\n  password: hunter2xyz\nassets: []\n".write(
            toFile: bad,
            atomically: true,
            encoding: .utf8
        )
        let result = try runCommand(Repository.vigilBinary, ["run", "--config", bad])
        #expect(result.status == 78)
        #expect(result.error.contains("broker.password"))
        #expect(!result.error.contains("hunter2xyz"))
    }

    @Test func runExitsAtOnceNamingATLSFileItCannotRead() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(directory, port: 1)
        let missing = directory.appendingPathComponent("missing-ca.pem").path
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(
            of: "  inbound_queue: 64\n",
            with: "  inbound_queue: 64\n  tls:\n    ca_file: \(missing)\n"
        ).write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try startDaemon(config: config, directory: directory)
        let status = daemon.wait(timeout: .seconds(20))
        if status == nil {
            daemon.signal(SIGKILL)
            daemon.wait()
        }
        let log =
            (try? String(contentsOfFile: directory.appendingPathComponent("vigil.log").path, encoding: .utf8)) ?? ""
        #expect(status.flatMap(ChildProcess.exitCode).map { $0 != 0 } == true, "still running or exit 0: \(log)")
        #expect(log.contains("loading the TLS CA file \(missing) failed"), "\(log)")
        #expect(log.contains("No such file or directory"), "\(log)")
    }

    @Test func helpReadsLikeAManPage() throws {
        for command in [
            ["--help"], ["run", "--help"], ["events", "--help"], ["config", "check", "--help"], ["simulate", "--help"],
        ] {
            let result = try runCommand(Repository.vigilBinary, command)
            #expect(result.status == 0)
            #expect(result.output.contains("USAGE:"))
            #expect(result.output.contains("OVERVIEW:"))
        }
        let events = try runCommand(Repository.vigilBinary, ["events", "--help"])
        #expect(events.output.contains("--since"))
        #expect(events.output.contains("Examples:"))
    }

    @Test func eventsRejectsBadFilters() throws {
        let result = try runCommand(
            Repository.vigilBinary,
            ["events", "--database", "/nonexistent", "--since", "yesterday"]
        )
        #expect(result.status == 64)
        #expect(result.error.contains("--since"))
    }
}

/// Files that ship with the daemon.
@Suite struct ShippedFilesTests {
    @Test func systemdUnitScores1Point1OrLowerInSystemdAnalyzeSecurity() throws {
        let result = try runCommand(
            Repository.root.appendingPathComponent("scripts/unit-security-score.sh").path,
            [Repository.root.appendingPathComponent("systemd/vigil.service").path]
        )
        #expect(result.status == 0, "\(result.error)")
        let score = try #require(Double(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(score <= 1.1)
    }

    @Test func systemdUnitIsANotifyServiceWithAWatchdog() throws {
        let unit = try String(
            contentsOf: Repository.root.appendingPathComponent("systemd/vigil.service"),
            encoding: .utf8
        )
        for line in [
            "Type=notify", "WatchdogSec=", "DynamicUser=yes", "StateDirectory=vigil", "ConfigurationDirectory=vigil",
        ] {
            #expect(unit.contains(line), "missing \(line)")
        }
    }

    @Test func examplesAreValidAgainstTheConfigSchema() throws {
        let examples = Repository.root.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path)
            .filter { $0.hasSuffix(".yaml") }.map { examples.appendingPathComponent($0).path }
        #expect(files.count >= 2)
        #expect(try SchemaCheck.problems(schema: "config.schema.json", files: files) == nil)
    }

    @Test func schemaCheckerRejectsAnInvalidAlert() throws {
        // The schema checks above are only worth something if the checker can fail.
        #expect(try SchemaCheck.problems(schema: "alert.schema.json", jsonDocuments: [#"{"asset": "x"}"#]) != nil)
    }
}
