import Foundation
import Testing
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// Credentials and access control against a real mosquitto with a password file and the ACL that
/// docs/operations.md documents.
@Suite(.serialized) struct SecurityTests {
    static let secret = "s3cret-Pa55-Vigil-7q"
    /// The publishing connection's own password (`publish_password_file`).
    static let publishSecret = "pub-s3cret-Pa55-Vigil-9z"
    static let acl = """
        user vigil
        topic read plant/#
        topic read vigil/command

        user vigil-pub
        topic write vigil/#

        user operator
        topic write vigil/command
        topic read vigil/#

        pattern write plant/%u/#
        """

    /// A broker that knows `users` (name: password), refuses anonymous clients, applies the ACL and
    /// binds client ids to user names, as docs/operations.md documents.
    func withSecuredBroker<T>(
        _ directory: URL,
        users: [String: String],
        _ body: (MosquittoBroker) async throws -> T
    )
        async throws -> T
    {
        let passwords = directory.appendingPathComponent("mosquitto.passwd").path
        for (index, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
            let result = try runCommand(
                "/usr/bin/mosquitto_passwd",
                (index == 0 ? ["-c"] : []) + ["-b", passwords, user, password]
            )
            #expect(result.status == 0, "\(result.error)")
        }
        let acl = directory.appendingPathComponent("mosquitto.acl").path
        try Self.acl.write(toFile: acl, atomically: true, encoding: .utf8)
        for file in [passwords, acl] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        return try await MosquittoBroker.withBroker(
            extraConfiguration:
                "allow_anonymous false\npassword_file \(passwords)\nacl_file \(acl)\nuse_username_as_clientid true"
        ) { broker in try await body(broker) }
    }

    func writeConfig(_ directory: URL, brokerPort: Int32, passwordFile: String, metricsPort: Int) throws -> String {
        let path = directory.appendingPathComponent("vigil.yaml").path
        try """
        broker:
          host: 127.0.0.1
          port: \(brokerPort)
          client_id: vigil-secure
          username: vigil
          password_file: \(passwordFile)
          publish_username: vigil-pub
          publish_password_file: \(passwordFile).pub
          clean_session: false
          reconnect_delay: 200ms
          reconnect_delay_max: 1s
        storage:
          path: \(directory.appendingPathComponent("vigil.db").path)
        metrics:
          port: \(metricsPort)
        assets:
          - name: "{asset}"
            signals:
              - name: "{signal}"
                topic: "plant/{asset}/{signal}"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func writeSecret(_ text: String, to path: String, mode: Int = 0o600) throws {
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func thePasswordNeverAppearsInLogsEnvironmentOrConfigShowAndAWrongOneIsRefused() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withSecuredBroker(directory, users: ["vigil": Self.secret, "vigil-pub": Self.publishSecret]) {
            broker in
            let passwordFile = directory.appendingPathComponent("broker.pass").path
            try writeSecret(Self.publishSecret, to: passwordFile + ".pub")
            let metricsPort = Int(try FreePort.find())
            let config = try writeConfig(
                directory,
                brokerPort: broker.port,
                passwordFile: passwordFile,
                metricsPort: metricsPort
            )
            var logs: [String] = []
            for (password, label) in [(Self.secret, "right"), ("wrong-\(Self.secret)", "wrong")] {
                try writeSecret(password, to: passwordFile)
                let log = directory.appendingPathComponent("vigil-\(label).log").path
                let daemon = try ChildProcess(
                    executable: Repository.vigilBinary,
                    arguments: ["run", "--config", config, "--log-level", "trace"],
                    outputPath: log
                )
                let figures = try await scrape(port: metricsPort) {
                    label == "right"
                        ? $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1
                        : $0.value("vigil_mqtt_reconnects_total", ["connection": "ingest"]) ?? 0 >= 2
                }
                var storm: (attempts: Int, allowed: Int, window: Duration)?
                if label == "wrong" {
                    // Refused, and retried no faster than the backoff allows (200 ms doubling to 1 s).
                    let clock = ContinuousClock()
                    let began = clock.now
                    let before = figures.value("vigil_mqtt_reconnects_total", ["connection": "ingest"]) ?? 0
                    try await Task.sleep(for: .seconds(5))
                    let after =
                        try await scrape(port: metricsPort)
                        .value("vigil_mqtt_reconnects_total", ["connection": "ingest"]) ?? 0
                    let window = clock.now - began
                    storm = (
                        Int(after - before),
                        ReconnectBackoff.mostAttempts(in: window, initial: .milliseconds(200), maximum: .seconds(1)),
                        window
                    )
                }
                let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(daemon.pid)/environ"))) ?? Data()
                #expect(!environment.isEmpty)
                #expect(String(decoding: environment, as: UTF8.self).range(of: Self.secret) == nil, "\(label)")
                daemon.signal(SIGTERM)
                _ = daemon.wait(timeout: .seconds(30))
                logs.append(try String(contentsOfFile: log, encoding: .utf8))
                if label == "right" {
                    #expect(figures.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1)
                } else {
                    // Refused, and retried with backoff rather than in a storm: over five seconds, no
                    // more attempts than the fastest schedule the backoff allows, and still retrying.
                    #expect(figures.value("vigil_mqtt_connects_total", ["connection": "ingest"]) == 0)
                    #expect(logs.last?.contains("not authorised") == true || logs.last?.contains("refused") == true)
                    let storm = try #require(storm)
                    print(
                        "wrong password: \(storm.attempts) attempts in \(storm.window), backoff allows \(storm.allowed)"
                    )
                    #expect(storm.attempts >= 1, "\(storm)")
                    #expect(storm.attempts <= storm.allowed, "\(storm)")
                }
            }
            for log in logs {
                #expect(log.range(of: Self.secret) == nil, "the password is in the log")
                #expect(log.range(of: Self.publishSecret) == nil, "the publishing password is in the log")
            }
            let show = try runCommand(Repository.vigilBinary, ["config", "show", config])
            #expect(show.status == 0, "\(show.error)")
            #expect(show.output.contains("password_file: \(passwordFile)"))
            #expect(show.output.range(of: Self.secret) == nil)
        }
    }

    @Test func aPasswordFileReadableByOthersRefusesToStart() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("broker.pass").path
        try writeSecret(Self.secret, to: passwordFile, mode: 0o644)
        let config = try writeConfig(directory, brokerPort: 1883, passwordFile: passwordFile, metricsPort: 0)
        let result = try runCommand(Repository.vigilBinary, ["run", "--config", config])
        #expect(result.status == 78)
        #expect(result.error.contains("readable by others"), "\(result.error)")
        #expect(result.error.range(of: Self.secret) == nil)
    }

    @Test func withTheDocumentedACLADeviceCanNeitherPublishOnVigilsTopicsNorReachThemThroughVigil() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let users = [
            "vigil": Self.secret, "vigil-pub": Self.publishSecret, "operator": "op-pass", "dev1": "dev1-pass",
            "dev2": "dev2-pass",
        ]
        try await withSecuredBroker(directory, users: users) { broker in
            let passwordFile = directory.appendingPathComponent("broker.pass").path
            try writeSecret(Self.secret, to: passwordFile)
            try writeSecret(Self.publishSecret, to: passwordFile + ".pub")
            let metricsPort = Int(try FreePort.find())
            let config = try writeConfig(
                directory,
                brokerPort: broker.port,
                passwordFile: passwordFile,
                metricsPort: metricsPort
            )
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
            let operatorView = MQTTClient(
                options: ConnectOptions(
                    host: "127.0.0.1",
                    port: broker.port,
                    clientID: "operator-view",
                    username: "operator",
                    password: "op-pass",
                    subscriptions: [.init(filter: "vigil/#")]
                ),
                logger: .test("operator")
            )
            let watcher = Collector(client: operatorView)
            let device = MQTTClient(
                options: ConnectOptions(
                    host: "127.0.0.1",
                    port: broker.port,
                    clientID: "dev1",
                    username: "dev1",
                    password: "dev1-pass"
                ),
                logger: .test("dev1")
            )
            let forged = #"{"schema":"vigil.alert/1","asset":"pump-1","state":"raised"}"#
            let figures = try await watcher.run {
                try await withRunningClient(device) {
                    // A denied publish may cost the device its connection; each is sent once it is back.
                    func send(_ topic: String, _ payload: String) async throws {
                        for _ in 0..<100 {
                            do {
                                try await device.publish(
                                    topic: topic,
                                    payload: Array(payload.utf8),
                                    qos: 1,
                                    retain: false
                                )
                                return
                            } catch {
                                try await Task.sleep(for: .milliseconds(100))
                            }
                        }
                        Issue.record("could not publish on \(topic)")
                    }
                    // Allowed: its own readings.
                    try await send("plant/dev1/temp", "21.5")
                    // Denied by the broker: Vigil's outputs, the command topic, another device's subtree.
                    for topic in ["vigil/alerts/pump-1", "vigil/state/pump-1", "vigil/status", "vigil/command"] {
                        try await send(topic, forged)
                    }
                    try await send("plant/dev2/temp", "99")
                    // Reaches Vigil, whose name check refuses it: no alert topic can be built from it.
                    try await send("plant/dev1/..", "1")
                }
                return try await scrape(port: metricsPort) {
                    $0.value("vigil_readings_accepted_total") ?? 0 >= 1
                        && $0.value("vigil_rejected_total", ["reason": "invalid_name"]) ?? 0 >= 1
                }
            }
            let seen = watcher.messages
            // QoS 1 is at least once, and these plain payloads carry no time stamp, so a publish the
            // device repeats after losing its connection may count twice; what matters is which
            // messages reached Vigil: only dev1's reading and its crafted name, never dev2's.
            let accepted = figures.value("vigil_readings_accepted_total") ?? 0
            let refused = figures.value("vigil_rejected_total", ["reason": "invalid_name"]) ?? 0
            #expect(accepted >= 1 && refused >= 1, "\(figures)")
            #expect(
                figures.value("vigil_messages_received_total") == accepted + refused,
                "something else reached Vigil"
            )
            #expect(figures.total("vigil_rejected_total") == refused)
            let deadline = ContinuousClock.now + .seconds(10)
            var assets: [String: Int] = [:]
            repeat {
                assets = try EventReader.open(path: directory.appendingPathComponent("vigil.db").path).readingCounts()
                if assets["dev1"] != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(Set(assets.keys) == ["dev1"], "plant/dev2 reached Vigil: \(assets)")
            #expect(
                !seen.contains { String(decoding: $0.payload, as: UTF8.self) == forged },
                "a forged message got through"
            )
            #expect(!seen.contains { $0.topic.hasPrefix("vigil/alerts/") })
            #expect(seen.contains { $0.topic == "vigil/deadletter/invalid_name" })
        }
    }
}
