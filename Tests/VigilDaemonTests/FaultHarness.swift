import Dispatch
import Foundation
import Synchronization
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The longer variants `make soak` runs (`VIGIL_SOAK=1`): 5,000 readings/s (broker faults, the
/// stalled daemon, the kills and the database faults), 60 s outages, 500 kills, 200 rounds of the
/// bad-input corpus. `make test` runs the short ones.
enum Soak {
    static let enabled = ProcessInfo.processInfo.environment["VIGIL_SOAK"] == "1"
    /// Readings per second of the fault loads.
    static let rate = enabled ? 5000 : 2000
    /// How long a broker stays down.
    static let outage: Duration = enabled ? .seconds(60) : .seconds(1)
    /// How many times the daemon is killed.
    static let kills = enabled ? 500 : 50
}

/// How a fault load numbers its readings: reading `seq` goes to asset `a<seq % assets>` (signal
/// `v`) with its own time stamp `start + seq * step` ms and `"seq": seq` in its payload.
struct LoadNumbering: Sendable {
    let assets: Int
    let start: Int64
    let step: Int64

    func asset(_ seq: Int) -> String { "a\(seq % assets)" }

    func topic(_ seq: Int) -> String { "load/\(asset(seq))/v" }

    func time(_ seq: Int) -> Int64 { start + Int64(seq) * step }

    /// How many of the sequence numbers `0...last` belong to asset number `asset`.
    func count(asset: Int, upTo last: Int) -> Int { last >= asset ? (last - asset) / assets + 1 : 0 }
}

/// Exactly which readings of a numbered load the daemon has committed, per sequence number.
///
/// The aligner refuses a reading whose own time stamp is not after its signal's last one, and the
/// time stamps grow with the sequence number, so the readings committed for an asset are distinct
/// sequence numbers, all at or below the highest one (its committed `signal_time`). Its committed
/// count then says exactly how many of its sequence numbers below that frontier are missing.
struct SequenceAudit: Sendable, CustomStringConvertible {
    /// How the load numbers its readings.
    let numbering: LoadNumbering
    /// Each asset's highest committed sequence number (-1: none yet).
    var frontier: [Int]
    /// Each asset's committed readings.
    var counted: [Int]
    /// Sequence numbers missing at or below each asset's frontier, summed: lost for good.
    var gaps: Int

    /// The audit of an empty database.
    init(empty numbering: LoadNumbering) {
        self.numbering = numbering
        frontier = Array(repeating: -1, count: numbering.assets)
        counted = Array(repeating: 0, count: numbering.assets)
        gaps = 0
    }

    /// Audits what a database holds.
    init(_ numbering: LoadNumbering, counts: [String: Int], signalTimes: [String: [String: Int64]]) {
        self.init(empty: numbering)
        for asset in 0..<numbering.assets {
            let name = numbering.asset(asset)
            counted[asset] = counts[name] ?? 0
            if let time = signalTimes[name]?["v"] {
                frontier[asset] = Int((time - numbering.start) / numbering.step)
            }
            gaps += numbering.count(asset: asset, upTo: frontier[asset]) - counted[asset]
        }
    }

    /// Audits a database through its reader.
    init(_ numbering: LoadNumbering, reader: EventReader) throws {
        self.init(numbering, counts: try reader.readingCounts(), signalTimes: try reader.signalTimes())
    }

    /// Sequence numbers below `sent` never committed: the gaps and everything above the frontiers.
    func missing(of sent: Int) -> Int {
        (0..<numbering.assets).map { numbering.count(asset: $0, upTo: sent - 1) - counted[$0] }.reduce(0, +)
    }

    /// Whether every asset's frontier is beyond the one in `earlier`.
    func advancedEverywhere(since earlier: SequenceAudit) -> Bool {
        zip(frontier, earlier.frontier).allSatisfy { $0 > $1 }
    }

    var description: String { "counted \(counted.reduce(0, +)), gaps \(gaps), frontiers \(frontier)" }
}

/// The fault tests' load: numbered readings at a steady rate, each re-published until the broker
/// acknowledges it, so that "lost" is exact. Reading `i` goes to `load/a<i % assets>/v` with its
/// own time stamp `start + i` ms, so a redelivery is recognisable as a duplicate.
struct SequencedLoad: Sendable {
    let brokerPort: Int32
    let count: Int
    let perSecond: Int
    let numbering: LoadNumbering

    init(brokerPort: Int32, count: Int, perSecond: Int = Soak.rate, assets: Int = 20) {
        self.brokerPort = brokerPort
        self.count = count
        self.perSecond = perSecond
        // An hour ago, so that every time stamp lies in the past of the daemon's clock.
        numbering = LoadNumbering(
            assets: assets,
            start: Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000,
            step: 1
        )
    }

    func topic(_ index: Int) -> String { numbering.topic(index) }

    func payload(_ index: Int) -> [UInt8] {
        Array(#"{"seq":\#(index),"v":\#(20 + Double(index % 7) * 0.1),"ts":\#(numbering.time(index))}"#.utf8)
    }

    /// Publishes every reading; `acknowledged` counts those the broker has acknowledged. Returns
    /// the number of publish attempts beyond one per reading.
    func run(acknowledged: Progress) async throws -> Int {
        let plant = MQTTClient(
            options: ConnectOptions(
                host: "127.0.0.1",
                port: brokerPort,
                clientID: "load-plant-\(UUID().uuidString.prefix(8))",
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
            var retries = 0
            for index in 0..<count {
                retries += await publishUntilAcknowledged(plant, topic: topic(index), payload: payload(index)) - 1
                acknowledged.advance()
                let due = began + .microseconds(Int64(index) * 1_000_000 / Int64(perSecond))
                if due > clock.now { try await clock.sleep(until: due) }
            }
            return retries
        }
    }

    /// The daemon configuration for this load, with the metrics endpoint on `metricsPort`.
    func configuration(database: String, metricsPort: Int, clientID: String) throws -> VigilConfiguration {
        try ConfigLoader.parse(
            """
            \(brokerAndStorage(port: brokerPort, database: database, clientID: clientID, metricsPort: metricsPort))
            \(loadAssets())
            """
        )
    }
}

/// The `assets:` section the fault loads publish to (`load/{asset}/{signal}`, JSON with the value at
/// `$.v` and its time at `$.ts`): the robust detector quick to warm up, with no stuck rule, and with
/// `alarm`, an alarm policy that raises at once and clears soon after. `detector: nil` leaves the
/// detector's defaults.
func loadAssets(detector: String? = "{window: 40, warmup: 20, stuck_after: 0}", alarm: Bool = false) -> String {
    var text = """
        assets:
          - name: "{asset}"
            signals:
              - name: "{signal}"
                topic: "load/{asset}/{signal}"
                value: "$.v"
                time: "$.ts"
        """
    if let detector { text += "\n    detector: \(detector)" }
    if alarm {
        text += "\n    alarm: {threshold: 0.99, min_duration: 1, clear_below: 0.9, clear_after: 2, cooldown: 1s}"
    }
    return text
}

/// Publishes until the broker acknowledges; a publish that is not acknowledged within two
/// seconds (its connection died with it) is sent again. Returns the number of attempts.
func publishUntilAcknowledged(_ client: MQTTClient, topic: String, payload: [UInt8]) async -> Int {
    var attempts = 0
    while true {
        attempts += 1
        let acknowledged = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await client.publish(topic: topic, payload: payload, qos: 1, retain: false)) != nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if acknowledged { return attempts }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

/// A counter shared between the load and the fault it waits for.
final class Progress: Sendable {
    private let count = Mutex(0)

    /// Counts one more.
    func advance() { count.withLock { $0 += 1 } }

    /// The count.
    var value: Int { count.withLock { $0 } }
}

/// What the daemon made of a load, read from its metrics endpoint.
struct LoadOutcome: CustomStringConvertible {
    var sent: Int
    var accepted: Int
    var duplicates: Int
    var otherRejections: Int
    /// Every rejection by reason, for the message of a failed expectation.
    var rejectedByReason: [String: Int] = [:]
    var retries: Int
    var reconnect: Duration?
    /// What the database holds, per sequence number, once the daemon has stopped.
    var audit: SequenceAudit?

    var lost: Int { sent - accepted }

    var description: String {
        "sent \(sent), accepted \(accepted), lost \(lost), duplicates refused \(duplicates), "
            + "other rejections \(otherRejections) (by reason: \(rejectedByReason.sorted { $0.key < $1.key })), "
            + "publisher retries \(retries), "
            + "reconnected \(reconnect.map { "\($0)" } ?? "-") after the broker was back"
            + (audit.map { "; committed: \($0)" } ?? "")
    }

    /// Waits until the daemon has accounted for every reading (or `patience` passes) and reads the figures.
    static func read(
        metricsPort: Int,
        sent: Int,
        retries: Int,
        reconnect: Duration?,
        patience: Duration
    ) async throws
        -> LoadOutcome
    {
        let deadline = ContinuousClock.now + patience
        var figures = MetricsText("")
        var last = -1.0
        var lastChange = ContinuousClock.now
        repeat {
            figures = try await scrape(port: metricsPort)
            let accepted = figures.value("vigil_readings_accepted_total") ?? 0
            if accepted >= Double(sent) { break }
            // Settled: nothing more has arrived for three seconds.
            if accepted != last {
                last = accepted
                lastChange = ContinuousClock.now
            } else if ContinuousClock.now - lastChange > .seconds(3) {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        let duplicates = Int(figures.value("vigil_rejected_total", ["reason": "duplicate"]) ?? 0)
        return LoadOutcome(
            sent: sent,
            accepted: Int(figures.value("vigil_readings_accepted_total") ?? 0),
            duplicates: duplicates,
            otherRejections: Int(figures.total("vigil_rejected_total")) - duplicates,
            rejectedByReason: Dictionary(
                figures.values("vigil_rejected_total", by: "reason").filter { $0.1 > 0 }.map { ($0.0, Int($0.1)) },
                uniquingKeysWith: +
            ),
            retries: retries,
            reconnect: reconnect,
            audit: nil
        )
    }
}

/// Runs blocking work (stopping and starting processes) off the cooperative thread pool.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Polls the endpoint until the ingest connection has connected more than `connects` times;
/// returns how long that took.
func waitForIngestReconnect(metricsPort: Int, after connects: Double) async throws -> Duration? {
    let began = ContinuousClock.now
    while ContinuousClock.now - began < .seconds(20) {
        let figures = try await scrape(port: metricsPort)
        if figures.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1,
            figures.value("vigil_mqtt_connects_total", ["connection": "ingest"]) ?? 0 > connects
        {
            return ContinuousClock.now - began
        }
        try await Task.sleep(for: .milliseconds(25))
    }
    return nil
}

/// A process's resident memory in kB, from /proc.
func residentKilobytes(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
    return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
}
