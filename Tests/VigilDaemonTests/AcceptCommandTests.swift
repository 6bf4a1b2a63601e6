import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// The operator's "accept new normal" end to end: `vigil accept` → command topic → daemon →
/// acknowledgement, a `cleared` alert by `operator`, and the asset learning again.
@Suite(.serialized) struct AcceptCommandTests {
    static func configuration(port: Int32, database: String, keys: String = "") -> String {
        """
        \(brokerAndStorage(port: port, database: database, clientID: "vigil-accept-test"))
        \(keys)
        assets:
          - name: "{asset}"
            tick: 1s
            signals:
              - name: "{signal}"
                topic: "test/{asset}/{signal}"
                value: "$.v"
                time: "$.ts"
            detector:
              kind: lstm
              warmup: 80
              activation_delay: 2
              hidden: 4
              epochs: 5
              autoregressive: 2
              calibration: shift
              window: 40
              fallback_warmup: 20
            alarm: {threshold: 0.99, min_duration: 3, clear_below: 0.96, clear_after: 3, cooldown: 1m}
        """
    }

    @Test func vigilAcceptClosesTheAlarmAndTheAssetLearnsAgain() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            // The operator's key pair: the daemon lists the public key, vigil accept signs with the private one.
            let keyFile = directory.appendingPathComponent("operator.key").path
            let generated = try runCommand(Repository.vigilBinary, ["key", "generate", "operator-1", "--out", keyFile])
            #expect(generated.status == 0, "\(generated.error)")
            let keys = generated.output.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            let text = Self.configuration(
                port: broker.port,
                database: directory.appendingPathComponent("v.db").path,
                keys: keys
            )
            let configFile = directory.appendingPathComponent("vigil.yaml").path
            try text.write(toFile: configFile, atomically: true, encoding: .utf8)
            let daemon = try Daemon(
                configuration: try ConfigLoader.parse(text),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            var random = SeededRandom(seed: 3)
            // 150 normal readings, then a lasting shift of 20 standard deviations.
            let values = (0..<220).map { index in 20 + 0.5 * random.gaussian() + (index >= 150 ? 10 : 0) }
            let start = Timestamp(seconds: Date().timeIntervalSince1970 - 600)
            let (accepted, refused, messages) = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        try await EndToEndTests().publish(plant, asset: "pump-3", values: values, start: start)
                    }
                    let raised = await watcher.wait(timeout: .seconds(60)) { messages in
                        messages.contains {
                            $0.topic == "vigil/alerts/pump-3"
                                && String(decoding: $0.payload, as: UTF8.self).contains("\"raised\"")
                        }
                    }
                    #expect(raised.contains { $0.topic == "vigil/alerts/pump-3" }, "no alarm before the command")
                    // Spawned and awaited without blocking a thread: the daemon in this process needs them.
                    let accept = { (arguments: [String]) in
                        try await ChildProcess.run(
                            Repository.vigilBinary,
                            ["accept"] + arguments + ["--config", configFile, "--timeout", "30"]
                        )
                    }
                    let unsigned = try await accept(["pump-3"])
                    #expect(unsigned.output.contains("give --key FILE"), "\(unsigned.output)")
                    let accepted = try await accept(["pump-3", "--key", keyFile])
                    let refused = try await accept(["pump-99", "--key", keyFile])
                    // The alarm is closed now: without --force the same command is refused.
                    let noAlarm = try await accept(["pump-3", "--key", keyFile])
                    #expect(noAlarm.output.contains("refused (no_open_alarm)"), "\(noAlarm.output)")
                    let messages = await watcher.wait(timeout: .seconds(10)) { messages in
                        messages.filter { $0.topic == "vigil/command/ack" }.count >= 3
                    }
                    return (accepted, refused, messages)
                }
            }
            // The output decides: another test's Foundation `Process` may reap our child first, and
            // then its exit code is unknown (see `ChildProcess.run`).
            #expect(accepted.output.contains("accept: accepted: pump-3"), "\(accepted.output)")
            #expect(accepted.status ?? 0 == 0)
            #expect(
                refused.output.contains("accept: refused (unknown_asset): unknown asset 'pump-99'"),
                "\(refused.output)"
            )
            #expect(refused.status ?? 1 == 1)

            let alerts = messages.filter { $0.topic == "vigil/alerts/pump-3" }.map {
                try! JSONSerialization.jsonObject(with: Data($0.payload)) as! [String: Any]
            }
            let summary = alerts.map { "\($0["state"] ?? "-") by \($0["detector"] ?? "-") at \($0["time"] ?? "-")" }
            #expect(alerts.suffix(2).map { $0["state"] as? String } == ["raised", "cleared"], "\(summary)")
            #expect(alerts.suffix(2).map { $0["detector"] as? String } == ["lstm", "operator"], "\(summary)")
            #expect(
                try SchemaCheck.problems(
                    schema: "alert.schema.json",
                    jsonDocuments: messages.filter { $0.topic == "vigil/alerts/pump-3" }.map {
                        String(decoding: $0.payload, as: UTF8.self)
                    }
                ) == nil
            )
            let states = messages.filter { $0.topic == "vigil/state/pump-3" }.map {
                String(decoding: $0.payload, as: UTF8.self)
            }
            #expect(states.suffix(2) == ["alarm", "learning"])

            // The audit trail holds each command with its origin and outcome, as the schema says.
            let audit = try runCommand(
                Repository.vigilBinary,
                [
                    "events", "--database", directory.appendingPathComponent("v.db").path, "--kind", "command",
                    "--format", "json",
                ]
            )
            let lines = audit.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(audit.output)\(audit.error)")
            #expect(try SchemaCheck.problems(schema: "command-audit.schema.json", jsonDocuments: lines) == nil)
            #expect(lines.allSatisfy { $0.contains("\"origin\":\"key operator-1\"") })
            #expect(lines.map { $0.contains("\"outcome\":\"accepted\"") } == [true, false, false])
            let acks = messages.filter { $0.topic == "vigil/command/ack" }.map {
                String(decoding: $0.payload, as: UTF8.self)
            }
            #expect(try SchemaCheck.problems(schema: "command-ack.schema.json", jsonDocuments: acks) == nil)
        }
    }

    @Test(arguments: [
        ("", "not a JSON object"),
        ("{\"command\":\"reboot\",\"asset\":\"a\"}", "unknown command 'reboot'"),
        ("{\"command\":\"accept_new_normal\"}", "needs an 'asset'"),
        ("{\"command\":\"accept_new_normal\",\"asset\":\"a\\u0007b\"}", "needs an 'asset'"),
    ])
    func aBadCommandIsRefusedWithTheReason(_ payload: String, _ reason: String) {
        guard case .invalid(let detail) = OperatorCommand(payload: Array(payload.utf8)).action else {
            Issue.record("accepted \(payload)")
            return
        }
        #expect(detail.contains(reason))
    }
}
