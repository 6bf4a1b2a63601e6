import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The real `vigil` binary SIGKILLed at random moments under load, 50 times, and restarted each
/// time. Nothing committed may be lost, the database must stay sound, and every alert must reach
/// the broker at least once.
@Suite(.serialized) struct DaemonKillTests {
    static let kills = Soak.kills
    static let inboundQueue = 64

    @Test func fiftyRandomKillsUnderLoadLoseNothingCommittedAndDeliverEveryAlert() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker(persistence: true) { broker in
            let metricsPort = Int(try FreePort.find())
            let database = directory.appendingPathComponent("vigil.db").path
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: database, clientID: "vigil-kill", metricsPort: metricsPort))
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
            #expect(try String(contentsOfFile: config, encoding: .utf8).contains("inbound_queue: \(Self.inboundQueue)"))

            func start(_ run: Int) throws -> ChildProcess {
                try ChildProcess(
                    executable: Repository.vigilBinary,
                    arguments: ["run", "--config", config, "--log-level", "warning"],
                    outputPath: directory.appendingPathComponent("vigil-\(run).log").path
                )
            }
            // Alerts are collected by a persistent session, so none is missed while it reconnects.
            let alerts = Collector(
                port: broker.port,
                filters: ["vigil/alerts/#"],
                id: "kill-alerts",
                cleanSession: false
            )
            var daemon = try start(0)
            var random = SeededRandom(seed: 50)
            var problems: [String] = []
            var eventsBeforeKill: [Int] = []
            var eventsAfterKill: [Int] = []
            let sent = try await alerts.run {
                _ = try await scrape(port: metricsPort) {
                    $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1
                }
                // Load: 2,000 readings/s; every 37th a spike, so that alarms are raised and cleared all along.
                let load = SpikyLoad(brokerPort: broker.port)
                let acknowledged = Progress()
                let stop = Progress()
                async let published = load.run(acknowledged: acknowledged, until: stop)
                for kill in 1...Self.kills {
                    try await Task.sleep(for: .milliseconds(150 + Int(random.uniform() * 650)))
                    let before = (try? EventReader.open(path: database).events(EventQuery(limit: 1_000_000)).count) ?? 0
                    daemon.signal(SIGKILL)
                    _ = daemon.wait(timeout: .seconds(10))
                    let reader = try EventReader.open(path: database)
                    let check = try reader.integrityCheck()
                    if check != ["ok"] { problems.append("kill \(kill): integrity_check \(check)") }
                    eventsBeforeKill.append(before)
                    eventsAfterKill.append(try reader.events(EventQuery(limit: 1_000_000)).count)
                    daemon = try start(kill)
                }
                stop.advance()
                let count = try await published
                // Let the last run catch up and deliver its outbox, then stop it gracefully.
                _ = try await scrape(port: metricsPort) { $0.value("vigil_outbox_pending") == 0 }
                try await Task.sleep(for: .seconds(2))
                daemon.signal(SIGTERM)
                #expect(daemon.wait(timeout: .seconds(30)).flatMap(ChildProcess.exitCode) == 0)
                _ = await alerts.wait(timeout: .seconds(5)) { _ in false }
                return count
            }

            #expect(problems.isEmpty, "\(problems)")
            // No committed event lost: what was in the database before a kill is there after it.
            let shrunk = zip(eventsBeforeKill, eventsAfterKill).enumerated().filter { $0.element.1 < $0.element.0 }
            #expect(shrunk.isEmpty, "events lost at kills \(shrunk.map { $0.offset + 1 })")

            let reader = try EventReader.open(path: database)
            #expect(try reader.integrityCheck() == ["ok"])
            let events = try reader.events(EventQuery(limit: 1_000_000))
            #expect(events.count >= 5, "the load raised too few alarms to test delivery: \(events.count)")
            // Every event's alert reached the broker at least once.
            struct Key: Hashable {
                var alarm: String
                var state: String
            }
            var delivered: [Key: Int] = [:]
            for message in alerts.messages {
                guard
                    let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                    let alarm = object["alarm_id"] as? String, let state = object["state"] as? String
                else { continue }
                delivered[Key(alarm: alarm, state: state), default: 0] += 1
            }
            let undelivered = events.filter {
                delivered[Key(alarm: $0.event.alarmID, state: $0.event.transition.rawValue)] == nil
            }
            #expect(undelivered.isEmpty, "\(undelivered.count) of \(events.count) events never reached the broker")
            let redelivered = delivered.values.filter { $0 > 1 }.count

            // Readings lost per kill: at most the inbound queue. None counted twice: a reading the
            // broker delivers again after a kill (processed, its PUBACK lost) is refused as a duplicate.
            let counted = try reader.readingCounts().values.reduce(0, +)
            let lost = sent - counted
            print(
                "\(Self.kills) kills: \(sent) readings sent, \(counted) counted, \(lost) lost "
                    + "(\(Double(lost) / Double(Self.kills)) per kill), \(events.count) events, "
                    + "\(redelivered) alerts delivered more than once, integrity ok after every kill"
            )
            #expect(lost >= 0, "readings counted twice: \(-lost)")
            #expect(lost <= Self.kills * Self.inboundQueue, "lost \(lost) readings in \(Self.kills) kills")
        }
    }
}

/// Readings at 2,000/s with a spike every 37th, until told to stop; each re-published until acknowledged.
struct SpikyLoad: Sendable {
    let brokerPort: Int32
    let assets = 10
    let start = Int64(Date().timeIntervalSince1970 * 1000) - 30 * 86_400_000

    func run(acknowledged: Progress, until stop: Progress) async throws -> Int {
        let plant = MQTTClient(
            options: ConnectOptions(
                host: "127.0.0.1",
                port: brokerPort,
                clientID: "spiky-plant",
                keepalive: .seconds(5),
                reconnectDelay: .milliseconds(50),
                reconnectDelayMax: .milliseconds(200)
            ),
            logger: .test("load")
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await plant.run() }
            defer { plant.shutdown() }
            try await plant.waitUntilConnected()
            let clock = ContinuousClock()
            let began = clock.now
            var index = 0
            var random = SeededRandom(seed: 7)
            while stop.value == 0 {
                let value = index % 37 == 0 ? 100.0 : 20 + 0.3 * random.gaussian()
                let payload = Array(#"{"v":\#(value),"ts":\#(start + Int64(index) * 100)}"#.utf8)
                while (try? await plant.publish(
                    topic: "load/a\(index % assets)/v",
                    payload: payload,
                    qos: 1,
                    retain: false
                ))
                    == nil
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                acknowledged.advance()
                index += 1
                let due = began + .microseconds(Int64(index) * 500)
                if due > clock.now { try await clock.sleep(until: due) }
            }
            return index
        }
    }
}
