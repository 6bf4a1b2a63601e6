import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// A device that connects with Vigil's client id takes over Vigil's session (issue 12, failure 3):
/// Vigil must notice, say so, and the documented broker settings must prevent it.
@Suite(.serialized) struct ClientIDTakeoverTests {
    /// Connects with `clientID` every 300 ms for `rounds` rounds, as a device with its own login
    /// would (mosquitto_pub connects, publishes once and disconnects).
    func impersonate(_ clientID: String, port: Int32, rounds: Int, user: (String, String)? = nil) async throws {
        for _ in 0..<rounds {
            var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-i", clientID, "-t", "plant/dev1/x", "-m", "1"]
            if let (name, password) = user { arguments += ["-u", name, "-P", password] }
            _ = try await ChildProcess.run("/usr/bin/mosquitto_pub", arguments, timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aSessionTakeoverIsDetectedLoggedWithItsRateAndNoticed() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = LogCapture()
        try await MosquittoBroker.withBroker { broker in
            let daemon = try Daemon(
                configuration: try testConfiguration(
                    port: broker.port,
                    database: directory.appendingPathComponent("vigil.db").path
                ),
                password: nil,
                handleSignals: false,
                logger: capture.logger(label: "vigil", level: .info)
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/notice"])
            let notices = try await watcher.run {
                try await withDaemon(daemon) {
                    try await impersonate("vigil-test", port: broker.port, rounds: 20)
                    return await watcher.wait(timeout: .seconds(15)) { !$0.isEmpty }
                }
            }
            let takeover = capture.messages.filter { $0.contains("takeover") || $0.contains("taken over") }
            #expect(!takeover.isEmpty, "nothing logged about the takeover")
            #expect(takeover.contains { $0.contains("mqtt.losses_per_minute=") }, "\(takeover)")
            let documents = notices.map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(documents.contains { $0.contains("\"session_takeover\"") }, "\(documents)")
            #expect(try SchemaCheck.problems(schema: "notice.schema.json", jsonDocuments: documents) == nil)
        }
    }

    /// A broker with logins for Vigil's two connections and two devices, binding client ids to user
    /// names when `bound` (the documented mosquitto setting).
    func withLogins<T>(bound: Bool, _ body: (MosquittoBroker) async throws -> T) async throws -> T {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwords = directory.appendingPathComponent("passwd").path
        for (index, user) in ["vigil", "vigil-pub", "dev1", "dev2"].enumerated() {
            let result = try runCommand(
                "/usr/bin/mosquitto_passwd",
                (index == 0 ? ["-c"] : []) + ["-b", passwords, user, "\(user)-secret"]
            )
            #expect(result.status == 0, "\(result.error)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwords)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        return try await MosquittoBroker.withBroker(
            extraConfiguration: "allow_anonymous false\npassword_file \(passwords)\n"
                + (bound ? "use_username_as_clientid true\n" : "")
        ) { broker in try await body(broker) }
    }

    /// Runs Vigil with its two logins while dev1 connects as client id `vigil` every 300 ms and dev2
    /// publishes 60 readings; returns the lost connections of both and the readings counted.
    func impersonationAgainstLogins(bound: Bool) async throws -> (losses: Int, readings: Int) {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await withLogins(bound: bound) { broker in
            let configuration = try ConfigLoader.parse(
                """
                broker:
                  host: 127.0.0.1
                  port: \(broker.port)
                  client_id: vigil
                  username: vigil
                  publish_username: vigil-pub
                  keepalive: 5s
                  reconnect_delay: 100ms
                  reconnect_delay_max: 500ms
                storage:
                  path: \(directory.appendingPathComponent("vigil.db").path)
                metrics:
                  port: 0
                assets:
                \(jsonFleet)
                """
            )
            let daemon = try Daemon(
                configuration: configuration,
                password: "vigil-secret",
                publishPassword: "vigil-pub-secret",
                handleSignals: false,
                logger: .test("daemon")
            )
            let plant = MQTTClient(
                options: ConnectOptions(
                    host: "127.0.0.1",
                    port: broker.port,
                    clientID: "dev2",
                    username: "dev2",
                    password: "dev2-secret"
                ),
                logger: .test("dev2")
            )
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 300)
            return try await withDaemon(daemon) {
                try await withRunningClient(plant) {
                    async let attack: Void = impersonate(
                        "vigil",
                        port: broker.port,
                        rounds: 20,
                        user: ("dev1", "dev1-secret")
                    )
                    for index in 0..<60 {
                        try await plant.publish(
                            topic: "test/pump-1/x",
                            payload: reading(20, at: start + .seconds(index)),
                            qos: 1,
                            retain: false
                        )
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await attack
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline, daemon.metrics.snapshot.readingsAccepted < 60 {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let losses =
                    daemon.subscriber.statistics.connectionLosses + daemon.publisher.statistics.connectionLosses
                return (losses, daemon.metrics.snapshot.readingsAccepted)
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func withClientIDsBoundToUserNamesADeviceCannotTakeVigilsClientID() async throws {
        let bound = try await impersonationAgainstLogins(bound: true)
        #expect(bound.losses == 0, "Vigil lost its connection \(bound.losses) times")
        #expect(bound.readings == 60)
        // The control: the same logins without the setting, and dev1 takes Vigil's session again and again.
        let open = try await impersonationAgainstLogins(bound: false)
        print("client id takeover: \(bound.losses) losses with use_username_as_clientid, \(open.losses) without")
        #expect(open.losses >= 3, "the control lost only \(open.losses) connections")
    }
}
