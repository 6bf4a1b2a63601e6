import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The real `vigil` binary SIGKILLed at random moments under load, 50 times, and restarted each
/// time. Nothing committed may be lost, the database must stay sound, every alert must reach the
/// broker at least once, and each kill may lose at most the inbound queue's capacity of readings.
/// The negative control runs the same harness with a clean session, which loses what is published
/// while the daemon is down.
@Suite(.serialized) struct DaemonKillTests {
    static let inboundQueue = 64

    /// What the kills did, measured per sequence number (`SequenceAudit`).
    struct Outcome: CustomStringConvertible {
        var kills = 0
        var sent = 0
        var final = SequenceAudit(empty: SpikyLoad.numbering)
        /// Readings lost in each window between two audits in which every asset's frontier moved,
        /// with the number of kills the window holds (almost always one).
        var windows: [(kills: Int, lost: Int)] = []
        var integrityProblems: [String] = []
        /// Events committed before a kill and missing after it, by kill.
        var eventsLost: [Int: Int] = [:]
        var events = 0
        var undelivered = 0
        var redelivered = 0

        var lost: Int { final.missing(of: sent) }
        var worstPerKill: Int { windows.filter { $0.kills > 0 }.map { $0.lost / $0.kills }.max() ?? 0 }

        var description: String {
            "\(kills) kills: \(sent) readings sent, \(final.counted.reduce(0, +)) counted, \(lost) lost "
                + "(at most \(worstPerKill) in one kill; windows of more than one kill: "
                + "\(windows.filter { $0.kills > 1 }.count)), \(events) events, "
                + "\(undelivered) undelivered, \(redelivered) alerts delivered more than once"
        }
    }

    /// Runs the spiky load through `kills` SIGKILLs and a final SIGTERM, auditing after each. The
    /// daemon stays down after each kill until `downtime` more readings have been published (as a
    /// supervisor's restart delay would keep it down; counted rather than timed, so that a slow,
    /// busy machine changes nothing): they wait in the broker's session, or are lost without one.
    func run(kills: Int, cleanSession: Bool = false, downtime: Int = 300) async throws -> Outcome {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The broker runs throughout and keeps Vigil's session in memory; without persistence it
        // needs no save after every change, so the load keeps its rate.
        return try await MosquittoBroker.withBroker { broker in
            let metricsPort = Int(try FreePort.find())
            let database = directory.appendingPathComponent("vigil.db").path
            let config = directory.appendingPathComponent("vigil.yaml").path
            let session = brokerAndStorage(
                port: broker.port,
                database: database,
                clientID: "vigil-kill",
                metricsPort: metricsPort
            )
            try """
            \(cleanSession ? session.replacingOccurrences(of: "clean_session: false", with: "clean_session: true") : session)
            \(loadAssets(alarm: true))
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let text = try String(contentsOfFile: config, encoding: .utf8)
            #expect(text.contains("inbound_queue: \(Self.inboundQueue)"))
            #expect(text.contains("clean_session: \(cleanSession)"))

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
            let numbering = SpikyLoad.numbering
            var outcome = Outcome()
            outcome.kills = kills
            var daemon = try start(0)
            var random = SeededRandom(seed: 50)
            var previous = SequenceAudit(empty: numbering)
            var windowStart = previous
            var killsInWindow = 0
            func audit(_ reader: EventReader) throws {
                let current = try SequenceAudit(numbering, reader: reader)
                if current.advancedEverywhere(since: previous) {
                    // The run just audited committed a reading of every asset after the kills of the
                    // window, so the readings those kills lost now lie below the frontiers: in the gaps.
                    outcome.windows.append((killsInWindow, current.gaps - windowStart.gaps))
                    windowStart = current
                    killsInWindow = 0
                }
                previous = current
            }
            func committed(_ reader: EventReader) throws -> Set<String> {
                Set(
                    try reader.events(EventQuery(limit: 1_000_000)).map {
                        "\($0.id)/\($0.event.alarmID)/\($0.event.transition.rawValue)"
                    }
                )
            }
            outcome.sent = try await alerts.run {
                _ = try await scrape(port: metricsPort) {
                    $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1
                }
                // Load: 2,000 readings/s; every 37th a spike, so that alarms are raised and cleared all along.
                let load = SpikyLoad(brokerPort: broker.port)
                let acknowledged = Progress()
                let stop = Progress()
                async let published = load.run(acknowledged: acknowledged, until: stop)
                for kill in 1...kills {
                    try await Task.sleep(for: .milliseconds(150 + Int(random.uniform() * 650)))
                    let before = (try? committed(EventReader.open(path: database))) ?? []
                    daemon.signal(SIGKILL)
                    _ = daemon.wait(timeout: .seconds(10))
                    let reader = try EventReader.open(path: database)
                    let check = try reader.integrityCheck()
                    if check != ["ok"] { outcome.integrityProblems.append("kill \(kill): integrity_check \(check)") }
                    let missing = before.subtracting(try committed(reader))
                    if !missing.isEmpty { outcome.eventsLost[kill] = missing.count }
                    // The readings this kill lost are above the frontiers until a later run commits.
                    try audit(reader)
                    killsInWindow += 1
                    let down = acknowledged.value
                    let longest = ContinuousClock.now + .seconds(30)
                    while acknowledged.value < down + downtime && ContinuousClock.now < longest {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    daemon = try start(kill)
                }
                stop.advance()
                let count = try await published
                // Let the last run catch up (every asset's last reading committed) and deliver its
                // outbox, then stop it gracefully.
                let lastSeqs = (0..<numbering.assets).map { asset in
                    count - 1 - ((count - 1 - asset) % numbering.assets + numbering.assets) % numbering.assets
                }
                let caughtUp = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < caughtUp {
                    let audit = try? SequenceAudit(numbering, reader: EventReader.open(path: database))
                    if audit?.frontier == lastSeqs { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                _ = try await scrape(port: metricsPort) {
                    $0.value("vigil_outbox_pending") == 0 && $0.value("vigil_inbound_queue_depth") == 0
                }
                try await Task.sleep(for: .seconds(2))
                daemon.signal(SIGTERM)
                #expect(daemon.wait(timeout: .seconds(30)).flatMap(ChildProcess.exitCode) == 0)
                _ = await alerts.wait(timeout: .seconds(5)) { _ in false }
                return count
            }

            let reader = try EventReader.open(path: database)
            #expect(try reader.integrityCheck() == ["ok"])
            try audit(reader)
            outcome.final = previous
            let events = try reader.events(EventQuery(limit: 1_000_000))
            outcome.events = events.count
            // Every event's alert reached the broker at least once.
            var delivered: [String: Int] = [:]
            for message in alerts.messages {
                guard
                    let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                    let alarm = object["alarm_id"] as? String, let state = object["state"] as? String
                else { continue }
                delivered["\(alarm)/\(state)", default: 0] += 1
            }
            outcome.undelivered =
                events.filter { delivered["\($0.event.alarmID)/\($0.event.transition.rawValue)"] == nil }.count
            outcome.redelivered = delivered.values.filter { $0 > 1 }.count
            return outcome
        }
    }

    @Test func fiftyRandomKillsUnderLoadLoseNothingCommittedAndAtMostTheQueuePerKill() async throws {
        let outcome = try await run(kills: Soak.kills)
        print("daemon kills: \(outcome)")
        #expect(outcome.integrityProblems.isEmpty, "\(outcome.integrityProblems)")
        // No committed event lost: every event (by row id, alarm and transition) read before a kill
        // is there after it.
        #expect(outcome.eventsLost.isEmpty, "events lost at kills \(outcome.eventsLost)")
        #expect(outcome.events >= 5, "the load raised too few alarms to test delivery: \(outcome)")
        #expect(outcome.undelivered == 0, "\(outcome)")
        // Readings lost per kill: at most the inbound queue (acknowledged, not yet committed). A
        // window holds more than one kill only when a run committed nothing for some asset.
        for window in outcome.windows {
            #expect(window.lost <= window.kills * Self.inboundQueue, "\(window) in \(outcome)")
        }
        #expect(outcome.windows.map(\.kills).reduce(0, +) == outcome.kills, "\(outcome)")
        // Every sequence number is accounted for: the gaps are all that is missing (none left above
        // the frontiers after the final drain), and none is counted twice.
        #expect(outcome.final.gaps == outcome.lost, "\(outcome.final) vs \(outcome)")
        #expect(outcome.lost >= 0, "\(outcome)")
    }

    /// The same harness with `clean_session: true`: the broker forgets Vigil's subscriptions at
    /// every kill, so what is published until the restarted daemon subscribes again is lost: at
    /// least the 300 readings published while it is down, far more than the queue. This shows the
    /// harness sees loss when there is loss.
    @Test func negativeControlACleanSessionLosesMoreThanTheQueuePerKill() async throws {
        let outcome = try await run(kills: 5, cleanSession: true)
        print("daemon kills, negative control (clean session): \(outcome)")
        // More than the bound allows for five kills: a window may hold several kills when the load
        // is slow, so the total is what is compared.
        #expect(outcome.lost > 5 * Self.inboundQueue, "\(outcome)")
        #expect(outcome.worstPerKill > Self.inboundQueue, "\(outcome)")
    }
}

/// Readings at 2,000/s with a spike every 37th, until told to stop; each re-published until
/// acknowledged, numbered as `numbering` says.
struct SpikyLoad: Sendable {
    static let numbering = LoadNumbering(
        assets: 10,
        start: Int64(Date().timeIntervalSince1970 * 1000) - 30 * 86_400_000,
        step: 100
    )
    let brokerPort: Int32
    var perSecond = Soak.rate

    func run(acknowledged: Progress, until stop: Progress) async throws -> Int {
        let numbering = Self.numbering
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
                let payload = Array(#"{"seq":\#(index),"v":\#(value),"ts":\#(numbering.time(index))}"#.utf8)
                _ = await publishUntilAcknowledged(plant, topic: numbering.topic(index), payload: payload)
                acknowledged.advance()
                index += 1
                let due = began + .microseconds(Int64(index) * 1_000_000 / Int64(perSecond))
                if due > clock.now { try await clock.sleep(until: due) }
            }
            return index
        }
    }
}
