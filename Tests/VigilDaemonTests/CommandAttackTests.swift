import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// Commands from whoever can publish on the command topic (issue 12, failure 2): they must not
/// silence a fault, flood the log or the outbox, forge log lines, or pass without a trace.
@Suite(.serialized) struct CommandAttackTests {
    /// Runs an in-process daemon on `test/{asset}/{signal}` whose log goes to `capture`, with a
    /// watcher on `vigil/#` and a client that plays the attacker.
    func withAttack<T: Sendable>(
        capture: LogCapture,
        extra: String = "",
        _ body: (MosquittoBroker, MQTTClient, Collector, String) async throws -> T
    ) async throws -> T {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        return try await MosquittoBroker.withBroker { broker in
            let daemon = try Daemon(
                configuration: try testConfiguration(port: broker.port, database: database, extra: extra),
                password: nil,
                handleSignals: false,
                logger: capture.logger(label: "vigil", level: .info)
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/#"])
            let attacker = MQTTClient(
                options: ConnectOptions(
                    host: "127.0.0.1",
                    port: broker.port,
                    clientID: "attacker",
                    inboundCapacity: 100_000
                ),
                logger: .test("attacker")
            )
            return try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(attacker) {
                        try await body(broker, attacker, watcher, database)
                    }
                }
            }
        }
    }

    func command(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(.timeLimit(.minutes(2)))
    func acceptNewNormalSentThroughAFaultByAnyoneDoesNotSilenceIt() async throws {
        let capture = LogCapture()
        let alerts = try await withAttack(capture: capture) { _, attacker, watcher, _ in
            var random = SeededRandom(seed: 21)
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 300)
            // 60 normal ticks, then a 12 s fault; a command every 1.5 s of plant time throughout.
            for index in 0..<90 {
                let fault = index >= 60 && index < 72
                let value = 20 + 0.5 * random.gaussian() + (fault ? 15 : 0)
                try await attacker.publish(
                    topic: "test/pump-1/x",
                    payload: reading(value, at: start + .seconds(index)),
                    qos: 1,
                    retain: false
                )
                if index % 3 == 0 {
                    try await attacker.publish(
                        topic: "vigil/command",
                        payload: command(#"{"command":"accept_new_normal","asset":"pump-1","id":"x\#(index)"}"#),
                        qos: 1,
                        retain: false
                    )
                }
            }
            return await watcher.wait(timeout: .seconds(20)) { messages in
                messages.contains { $0.topic == "vigil/alerts/pump-1" }
            }.filter { $0.topic == "vigil/alerts/pump-1" }
        }
        #expect(!alerts.isEmpty, "the fault raised no alert")
        #expect(
            !alerts.contains { String(decoding: $0.payload, as: UTF8.self).contains("\"operator\"") },
            "an unauthenticated command closed the alarm"
        )
    }

    @Test(.timeLimit(.minutes(2)))
    func aFloodOfInvalidCommandsGivesBoundedLogLinesAndAcknowledgements() async throws {
        let capture = LogCapture()
        let (acks, readings) = try await withAttack(capture: capture) { _, attacker, watcher, database in
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 300)
            for index in 0..<2000 {
                try await attacker.publish(
                    topic: "vigil/command",
                    payload: command(#"{"command":"reboot","asset":"pump-\#(index)"}"#),
                    qos: 0,
                    retain: false
                )
                if index % 100 == 0 {
                    try await attacker.publish(
                        topic: "test/pump-1/x",
                        payload: reading(20, at: start + .seconds(index / 100)),
                        qos: 1,
                        retain: false
                    )
                }
            }
            // The readings between the commands all count.
            let deadline = ContinuousClock.now + .seconds(30)
            var counted = 0
            while ContinuousClock.now < deadline {
                counted = (try? EventReader.open(path: database).readingCounts()["pump-1"]) ?? 0
                if counted >= 20 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(1))
            return (watcher.messages.filter { $0.topic == "vigil/command/ack" }.count, counted)
        }
        let commandLines = capture.messages.filter { $0.lowercased().contains("command") }
        #expect(readings == 20)
        #expect(commandLines.count <= 100, "\(commandLines.count) log lines for 2,000 commands")
        #expect(acks <= 100, "\(acks) acknowledgements queued for 2,000 commands")
    }

    @Test(.timeLimit(.minutes(2)))
    func aNewlineOrEscapeInACommandCannotForgeALogLine() async throws {
        let capture = LogCapture()
        _ = try await withAttack(capture: capture) { _, attacker, watcher, _ in
            for payload in [
                #"{"command":"reboot\n2026-01-01T00:00:00+0000 critical vigil : Database was corrupt","asset":"a"}"#,
                #"{"command":"accept_new_normal","asset":"pump-1\u001b[2J\u001b[31m","id":"1"}"#,
                #"{"command":"accept_new_normal","asset":"pump\r\nforged","id":"2\n3"}"#,
            ] {
                try await attacker.publish(topic: "vigil/command", payload: command(payload), qos: 1, retain: false)
            }
            _ = await watcher.wait(timeout: .seconds(10)) { messages in
                messages.filter { $0.topic == "vigil/command/ack" }.count >= 3
            }
            return 0
        }
        let lines = capture.messages
        #expect(lines.contains { $0.lowercased().contains("command") }, "the commands were not logged")
        for line in lines {
            #expect(
                !line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"),
                "\(line.debugDescription)"
            )
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aCommandNamingAnUnknownAssetIsLogged() async throws {
        let capture = LogCapture()
        _ = try await withAttack(capture: capture) { _, attacker, watcher, _ in
            try await attacker.publish(
                topic: "vigil/command",
                payload: command(#"{"command":"accept_new_normal","asset":"pump-404","id":"7"}"#),
                qos: 1,
                retain: false
            )
            _ = await watcher.wait(timeout: .seconds(10)) { messages in
                messages.contains { $0.topic == "vigil/command/ack" }
            }
            return 0
        }
        #expect(capture.messages.contains { $0.contains("pump-404") }, "\(capture.messages)")
    }

    @Test(.timeLimit(.minutes(2)))
    func everyCommandLeavesAnAuditRecordThatVigilEventsPrints() async throws {
        let capture = LogCapture()
        let database = try await withAttack(capture: capture) { _, attacker, watcher, database in
            try await attacker.publish(
                topic: "vigil/command",
                payload: command(#"{"command":"accept_new_normal","asset":"pump-9","id":"audit-1"}"#),
                qos: 1,
                retain: false
            )
            _ = await watcher.wait(timeout: .seconds(10)) { messages in
                messages.contains { $0.topic == "vigil/command/ack" }
            }
            try await Task.sleep(for: .milliseconds(500))
            let result = try runCommand(
                Repository.vigilBinary,
                ["events", "--database", database, "--kind", "command", "--format", "json"]
            )
            return (result, database)
        }
        let (result, _) = database
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("audit-1"), "\(result.output)")
        #expect(result.output.contains("pump-9"), "\(result.output)")
    }
}
