import Foundation
import Synchronization
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilTestSupport

/// The hostile-input corpus against the real `vigil` binary and a real broker: every kind of bad
/// payload, many times, between valid readings. Figures come from the metrics endpoint.
@Suite(.serialized) struct BadInputCorpusTests {
    /// One kind of bad input: where it goes, what it is, and the reason it must be refused with.
    struct Kind: Sendable {
        var name: String
        var topic: String
        var payload: [UInt8]
        var reason: RejectionReason

        init(_ name: String, topic: String = "test/good/x", _ payload: [UInt8], _ reason: RejectionReason) {
            self.name = name
            self.topic = topic
            self.payload = payload
            self.reason = reason
        }

        init(_ name: String, topic: String = "test/good/x", _ payload: String, _ reason: RejectionReason) {
            self.init(name, topic: topic, Array(payload.utf8), reason)
        }
    }

    /// The corpus; `previous` is the last valid reading's time stamp (ms), `round` the repetition.
    ///
    /// Names with `/`, `+` or `#` in a capture, and control characters (ESC, BEL, DEL, C1) anywhere
    /// in a topic, cannot be published at all: `/` splits levels, wildcards are refused in a
    /// publish topic, and libmosquitto (and the broker, from any client) refuses control characters
    /// as malformed UTF-8. `TopicPatternTests` and `IntakeTests` refuse them as `invalid_name` all
    /// the same; here a topic level carries what can be published: SQL, the printable part of ANSI
    /// sequences, bidirectional overrides and zero-width characters.
    static func corpus(previous: Int64, round: Int, now: Int64) -> [Kind] {
        var random = SeededRandom(seed: UInt64(round) + 1)
        let binary = (0..<64).map { _ in UInt8(truncatingIfNeeded: Int(random.uniform() * 256)) } + [0xFF, 0x00]
        return [
            Kind("empty", [UInt8](), .empty),
            Kind("binary", binary, .malformed),
            Kind(
                "invalid UTF-8",
                [0x7B, 0x22, 0x76, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],
                .malformed
            ),
            Kind("truncated", #"{"v": 12.5, "ts": "#, .malformed),
            Kind("trailing garbage", #"{"v": 1, "ts": \#(previous)} {"v": 2}"#, .malformed),
            Kind("duplicate keys", #"{"v": 1, "v": 999, "ts": \#(previous + 100)}"#, .malformed),
            Kind(
                "deep nesting",
                String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
                .malformed
            ),
            Kind("oversize", "{\"v\": 1, \"pad\": \"" + String(repeating: "x", count: 70_000) + "\"}", .oversize),
            Kind("missing value", #"{"w": 1, "ts": \#(previous + 100)}"#, .missingField),
            Kind("string value", #"{"v": "21.5", "ts": \#(previous + 100)}"#, .wrongType),
            Kind("boolean value", #"{"v": true, "ts": \#(previous + 100)}"#, .wrongType),
            Kind("null value", #"{"v": null, "ts": \#(previous + 100)}"#, .wrongType),
            Kind("object value", #"{"v": {"x": 1}, "ts": \#(previous + 100)}"#, .wrongType),
            Kind("SQL in a string", #"{"v": "1; DROP TABLE event; --", "ts": \#(previous + 100)}"#, .wrongType),
            Kind(
                "ANSI escape in a string",
                #"{"v": "\u001b[2J\u001b[31mALARM", "ts": \#(previous + 100)}"#,
                .wrongType
            ),
            Kind("raw control byte in a string", "{\"v\": \"\u{1b}[2J\", \"ts\": \(previous + 100)}", .malformed),
            Kind("bare NaN", #"{"v": NaN, "ts": \#(previous + 100)}"#, .malformed),
            Kind("NaN string", #"{"v": "NaN", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("nan string", #"{"v": "nan", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("Infinity string", #"{"v": "Infinity", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("-inf string", #"{"v": "-inf", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("bare Infinity", #"{"v": Infinity, "ts": \#(previous + 100)}"#, .malformed),
            Kind("bare -Infinity", #"{"v": -Infinity, "ts": \#(previous + 100)}"#, .malformed),
            Kind("+Infinity string", #"{"v": "+Infinity", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("-Infinity string", #"{"v": "-Infinity", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("INF string", #"{"v": "INF", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("inf string", #"{"v": "inf", "ts": \#(previous + 100)}"#, .nonFinite),
            Kind("overflowing number", #"{"v": 1e999, "ts": \#(previous + 100)}"#, .malformed),
            Kind("absurd magnitude", #"{"v": -1.5e308, "ts": \#(previous + 100)}"#, .outOfRange),
            Kind("out of range", #"{"v": 5000, "ts": \#(previous + 100)}"#, .outOfRange),
            Kind("unreadable time stamp", #"{"v": 20, "ts": "yesterday"}"#, .badTimestamp),
            Kind("time stamp before 2000", #"{"v": 20, "ts": 1000}"#, .badTimestamp),
            Kind("time stamp a day ahead", #"{"v": 20, "ts": \#(now + 86_400_000)}"#, .badTimestamp),
            Kind("replayed reading", #"{"v": 20, "ts": \#(previous)}"#, .duplicate),
            Kind("time going backwards", #"{"v": 20, "ts": \#(previous - 5000)}"#, .late),
            Kind("name '..'", topic: "test/../x", #"{"v": 20, "ts": \#(previous + 100)}"#, .invalidName),
            Kind(
                "name with SQL",
                topic: "test/x';DROP TABLE event;--/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "name with a space and quote",
                topic: "test/pump \"1\"/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "signal name with SQL",
                topic: "test/good/x';DELETE FROM asset;--",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "asset name with an ANSI sequence's printable part",
                topic: "test/[2J[31mALARM/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "asset name with a right-to-left override",
                topic: "test/pump\u{202E}1-gnp/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "signal name with a zero-width space",
                topic: "test/good/x\u{200B}",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            // The subscription is test/+/+, so every topic the broker delivers for it has a route; a
            // message on a topic without one reaches Vigil only through a subscription its persistent
            // session kept from an earlier configuration (legacy/#, set up below).
            Kind("unknown topic", topic: "legacy/pump-1/x", #"{"v": 1, "ts": \#(previous + 100)}"#, .unknownTopic),
            Kind(
                "name of 65 characters",
                topic: "test/\(String(repeating: "a", count: 65))/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .invalidName
            ),
            Kind(
                "flood of new devices",
                topic: "test/flood-\(round)/x",
                #"{"v": 1, "ts": \#(previous + 100)}"#,
                .tooManySeries
            ),
        ]
    }

    @Test func everyKindIsRefusedWithItsReasonWithoutAlertsAndTheNextValidReadingCounts() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let metricsPort = Int(try FreePort.find())
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: directory.appendingPathComponent("vigil.db").path, clientID: "vigil-corpus", metricsPort: metricsPort))
            assets:
              - name: "{asset}"
                max_assets: 1
                max_rate: 10
                signals:
                  - name: "{signal}"
                    topic: "test/{asset}/{signal}"
                    value: "$.v"
                    time: "$.ts"
                    min: -1000
                    max: 1000
                detector: {window: 40, warmup: 20, stuck_after: 0}
                alarm: {threshold: 0.99, min_duration: 3, clear_below: 0.9, clear_after: 2, cooldown: 1m}
            """.write(toFile: config, atomically: true, encoding: .utf8)

            // Stale retained messages, waiting on the broker before the daemon subscribes.
            let stale = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "corpus-stale"),
                logger: .test("stale")
            )
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "corpus-plant"),
                logger: .test("plant")
            )
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let start = now - 3_600_000
            try await withRunningClient(stale) {
                try await stale.publish(
                    topic: "test/good/x",
                    payload: Array(#"{"v": 20, "ts": \#(start - 60_000)}"#.utf8),
                    qos: 1,
                    retain: true
                )
                try await stale.publish(
                    topic: "vigil/command",
                    payload: Array(#"{"command": "accept_new_normal", "asset": "good"}"#.utf8),
                    qos: 1,
                    retain: true
                )
            }

            // An earlier configuration's subscription, kept by the broker in Vigil's persistent session.
            let legacy = MQTTClient(
                options: ConnectOptions(
                    host: "127.0.0.1",
                    port: broker.port,
                    clientID: "vigil-corpus",
                    cleanSession: false,
                    subscriptions: [.init(filter: "legacy/#", qos: 1)]
                ),
                logger: .test("legacy")
            )
            try await withRunningClient(legacy) { try await legacy.waitUntilConnected(subscribed: true) }

            // The watcher's persistent session exists before the daemon starts: the stale retained
            // messages are refused, and dead-lettered, as soon as the daemon subscribes.
            func watcher() -> Collector {
                Collector(
                    port: broker.port,
                    filters: ["vigil/alerts/#", "vigil/deadletter/#"],
                    id: "corpus-watch",
                    cleanSession: false
                )
            }
            try await watcher().run {}
            let alerts = watcher()
            let rounds = Soak.enabled ? 200 : 60
            var expected: [RejectionReason: Int] = [.retained: 2]
            var valid = 0
            var accepted = 0
            var rss: [Int] = []
            // The daemon starts once the watcher is subscribed: the dead letters of the stale
            // retained messages go out as soon as it subscribes, and a dead letter is not kept for
            // a subscriber that is away.
            let started = Mutex<ChildProcess?>(nil)
            defer {
                if let daemon = started.withLock({ $0 }) {
                    daemon.signal(SIGTERM)
                    _ = daemon.wait(timeout: .seconds(30))
                }
            }
            let (figures, daemon) = try await alerts.run {
                let daemon = try ChildProcess(
                    executable: Repository.vigilBinary,
                    arguments: ["run", "--config", config, "--log-level", "warning"],
                    outputPath: directory.appendingPathComponent("vigil.log").path
                )
                started.withLock { $0 = daemon }
                _ = try await scrape(
                    port: metricsPort,
                    until: { $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1 }
                )
                try await withRunningClient(plant) {
                    var random = SeededRandom(seed: 5)
                    var time = start
                    func sendValid() async throws {
                        time += 1000
                        try await plant.publish(
                            topic: "test/good/x",
                            payload: reading(20 + 0.5 * random.gaussian(), at: Timestamp(milliseconds: time)),
                            qos: 1,
                            retain: false
                        )
                        valid += 1
                        accepted += 1
                    }
                    try await sendValid()
                    for round in 0..<rounds {
                        for index in Self.corpus(previous: time, round: round, now: now).indices {
                            // Built afresh for each kind: the replayed reading repeats the latest one.
                            let kind = Self.corpus(previous: time, round: round, now: now)[index]
                            try await plant.publish(topic: kind.topic, payload: kind.payload, qos: 1, retain: false)
                            expected[kind.reason, default: 0] += 1
                            try await sendValid()
                            if round == 0 {
                                // The valid reading right after this kind was processed.
                                let figures = try await scrape(port: metricsPort) {
                                    $0.value("vigil_readings_accepted_total") == Double(accepted)
                                }
                                #expect(
                                    figures.value("vigil_readings_accepted_total") == Double(accepted),
                                    "the valid reading after '\(kind.name)' was not taken"
                                )
                            }
                        }
                        // A flood from one device: 100 readings of x 1 ms apart. With max_rate 10 the
                        // signal's budget (9 left after the valid reading at `time`, refilled at 0.01 per
                        // ms) takes those at +1 to +9 ms and +100 ms, and refuses 90.
                        for offset in 1...100 {
                            try await plant.publish(
                                topic: "test/good/x",
                                payload: reading(20, at: Timestamp(milliseconds: time + Int64(offset))),
                                qos: 1,
                                retain: false
                            )
                        }
                        accepted += 10
                        expected[.rateLimited, default: 0] += 90
                        try await sendValid()
                        if round % 10 == 9 {
                            // Let the daemon catch up before reading its memory: after a warm-up of ten
                            // rounds, then every ten.
                            _ = try await scrape(port: metricsPort) {
                                $0.value("vigil_readings_accepted_total") == Double(accepted)
                            }
                            rss.append(try residentKilobytes(of: daemon.pid))
                        }
                    }
                }
                let total = expected.values.reduce(0, +)
                // Every refusal is dead-lettered or, beyond the per-reason budget, counted as suppressed.
                let figures = try await scrape(port: metricsPort) {
                    $0.value("vigil_readings_accepted_total") == Double(accepted)
                        && $0.total("vigil_rejected_total") >= Double(total)
                        && ($0.value("vigil_dead_letters_published_total") ?? 0)
                            + ($0.value("vigil_dead_letters_suppressed_total") ?? 0) == Double(total)
                }
                let published = Int(figures.value("vigil_dead_letters_published_total") ?? 0)
                // Dead letters are delivered to subscribers too.
                _ = await alerts.wait(timeout: .seconds(10)) { messages in
                    messages.filter { $0.topic.hasPrefix("vigil/deadletter/") }.count >= published
                }
                return (figures, daemon)
            }

            let log = (try? String(contentsOf: directory.appendingPathComponent("vigil.log"), encoding: .utf8)) ?? ""
            #expect(daemon.isRunning, "the daemon died; log: \(log.suffix(2000))")
            #expect(figures.value("vigil_readings_accepted_total") == Double(accepted))
            for reason in RejectionReason.allCases {
                #expect(
                    figures.value("vigil_rejected_total", ["reason": reason.rawValue])
                        == Double(expected[reason, default: 0]),
                    "\(reason.rawValue)"
                )
            }
            #expect(figures.value("vigil_events_recorded_total") == 0)
            #expect(figures.value("vigil_engine_errors_total") == 0)
            #expect(figures.value("vigil_store_errors_total") == 0)
            let letters = alerts.messages.filter {
                $0.topic.hasPrefix("vigil/deadletter/") && $0.topic != "vigil/deadletter/suppressed"
            }
            // Each reason's first refusals are letters; a flood of one reason is held to its budget.
            #expect(letters.count == Int(figures.value("vigil_dead_letters_published_total") ?? -1))
            #expect(letters.count < expected.values.reduce(0, +))
            #expect(alerts.messages.allSatisfy { !$0.topic.hasPrefix("vigil/alerts/") })
            #expect(
                Set(letters.map { $0.topic.split(separator: "/").last.map(String.init) ?? "" })
                    == Set(expected.keys.map(\.rawValue))
            )
            // Memory is flat: after the first ten rounds, thousands more bad messages (each round has
            // 45 kinds and a flood of 90 refused readings) grow the daemon by less than 4 MiB.
            let total = expected.values.reduce(0, +)
            print("bad-input corpus: \(total) refused, \(accepted) accepted; RSS every ten rounds: \(rss) kB")
            #expect(rss.count == rounds / 10)
            if let warm = rss.first, let peak = rss.max() { #expect(peak - warm < 4096, "RSS \(rss) kB") }

            // `vigil status` reads the same endpoint and prints the main figures.
            let status = try await ChildProcess.run(Repository.vigilBinary, ["status", "--config", config])
            #expect(status.status.flatMap(ChildProcess.exitCode) == 0, "\(status.output)")
            for line in [
                "ingest     up, connects 1", "publish    up, connects 1",
                "messages   received \(Int(figures.value("vigil_messages_received_total") ?? -1)), "
                    + "readings accepted \(accepted)",
                "rejected   \(total) (", "duplicate \(rounds)", "rate_limited \(90 * rounds)",
                "unknown_topic \(rounds)",
                "inbound    0 queued and 0 uncommitted of 64", "outbox     0 pending",
                "events     0 recorded", "assets     learning 0, normal 1, alarm 0", "detectors  robust-mad 1",
                "models     learning 0, training 0, active 0", "commands   accepted 0, refused 0",
                "errors     store 0, engine 0",
            ] {
                #expect(status.output.contains(line), "'\(line)' missing from: \(status.output)")
            }
        }
    }

}

/// Reads the metrics endpoint until `done` holds (or 30 s pass) and returns the last reading.
func scrape(port: Int, until done: (MetricsText) -> Bool = { _ in true }) async throws -> MetricsText {
    let deadline = ContinuousClock.now + .seconds(30)
    var last = MetricsText("")
    while ContinuousClock.now < deadline {
        if let text = try? await MetricsEndpoint.fetch(address: "127.0.0.1", port: port) {
            last = MetricsText(text)
            if done(last) { return last }
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    return last
}
