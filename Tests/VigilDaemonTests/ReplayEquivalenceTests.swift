import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// The promise behind every accuracy figure: the daemon fed a series over MQTT raises the same
/// alarms, at the same ticks and with the same ids, as `vigil replay` on the same rows.
@Suite(.serialized) struct ReplayEquivalenceTests {
    static func configuration(port: Int32, database: String) -> String {
        """
        \(brokerAndStorage(port: port, database: database, clientID: "vigil-replay-test"))
        assets:
          - name: "{asset}"
            tick: 1s
            signals:
              - name: value
                topic: "nab/{asset}/value"
                value: "$.v"
                time: "$.ts"
            detector:
              kind: lstm
              warmup: 120
              activation_delay: 10
              hidden: 8
              epochs: 5
              autoregressive: 4
              window: 60
              fallback_warmup: 30
            alarm: {threshold: 0.99, min_duration: 2, clear_below: 0.9, clear_after: 3, cooldown: 30s}
        """
    }

    /// A NAB-like series: a daily-looking wave with noise, a spike, a level shift and a dip.
    static func series() -> [Double] {
        var random = SeededRandom(seed: 21)
        return (0..<900).map { t in
            var value = 50 + 10 * sin(Double(t) / 40) + random.gaussian()
            if t == 400 { value += 40 }
            if (600..<660).contains(t) { value += 25 }
            if (800..<805).contains(t) { value -= 30 }
            return value
        }
    }

    @Test func theDaemonRaisesTheSameAlarmsAsReplay() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values = Self.series()
        let start = Timestamp(seconds: (Date().timeIntervalSince1970 - 3600).rounded(.down))
        try await MosquittoBroker.withBroker { broker in
            let text = Self.configuration(port: broker.port, database: directory.appendingPathComponent("d.db").path)
            let configFile = directory.appendingPathComponent("vigil.yaml").path
            try text.write(toFile: configFile, atomically: true, encoding: .utf8)

            // The replay: the same rows as a NAB file.
            let csv = directory.appendingPathComponent("machine-1.csv").path
            var rows = "timestamp,value\n"
            for (index, value) in values.enumerated() {
                rows += "\((start + .seconds(index)).iso8601),\(value)\n"
            }
            try rows.write(toFile: csv, atomically: true, encoding: .utf8)
            let replayEvents = directory.appendingPathComponent("replay.jsonl").path
            let replay = try await ChildProcess.run(
                Repository.vigilBinary,
                [
                    "replay", csv, "--format", "nab", "--config", configFile, "--quiet", "--output",
                    directory.appendingPathComponent("scores.csv").path, "--events", replayEvents,
                ]
            )
            #expect(replay.status ?? 0 == 0, "\(replay.output)")
            let expected = try Self.transitions(jsonLines: String(contentsOfFile: replayEvents, encoding: .utf8))
            #expect(expected.filter { $0.state == "raised" }.count >= 2, "\(expected)")
            #expect(expected.allSatisfy { !$0.alarm.isEmpty && !$0.time.isEmpty && !$0.detector.isEmpty })

            // The daemon, fed the same rows over MQTT.
            let daemon = try Daemon(
                configuration: try ConfigLoader.parse(text),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/alerts/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            let messages = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        for (index, value) in values.enumerated() {
                            try await plant.publish(
                                topic: "nab/machine-1/value",
                                payload: reading(value, at: start + .seconds(index)),
                                qos: 1,
                                retain: false
                            )
                        }
                    }
                    return await watcher.wait(timeout: .seconds(60)) { messages in
                        messages.count >= expected.count
                    }
                }
            }
            let received = try Self.transitions(
                jsonLines: messages.map { String(decoding: $0.payload, as: UTF8.self) }.joined(separator: "\n")
            )
            // The last tick is closed by replay's end of file but never by the daemon: compare the
            // alarms the daemon could have seen.
            let lastTick = (start + .seconds(values.count - 1)).iso8601
            #expect(received == expected.filter { $0.time < lastTick }, "daemon \(received)\nreplay \(expected)")
        }
    }

    struct Transition: Equatable, CustomStringConvertible {
        var alarm: String
        var state: String
        var time: String
        var detector: String
        var description: String { "\(state) \(alarm) at \(time) by \(detector)" }
    }

    static func transitions(jsonLines: String) throws -> [Transition] {
        try jsonLines.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return Transition(
                alarm: object["alarm_id"] as? String ?? "",
                state: object["state"] as? String ?? "",
                time: object["time"] as? String ?? "",
                detector: object["detector"] as? String ?? ""
            )
        }
    }
}
