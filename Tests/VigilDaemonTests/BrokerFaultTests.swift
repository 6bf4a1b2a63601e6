import Foundation
import Synchronization
import Testing
import VigilConfig
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The broker restarted or killed mid-stream at 2,000 readings/s (QoS 1), with the daemon
/// in-process and its figures read from the metrics endpoint. With the documented broker
/// configuration (persistence, no queue cap) nothing is lost. The negative controls run the same
/// harness with the known-bad settings: a broker without persistence, and a client that
/// subscribes only on its first connect.
@Suite(.serialized) struct BrokerFaultTests {
    enum Fault: String, CustomTestStringConvertible, CaseIterable {
        case gracefulRestart
        case sigkill

        var testDescription: String { rawValue }
    }

    /// The test configuration's `reconnect_delay_max`: no backoff delay is longer.
    static let backoffCap = Duration.milliseconds(500)
    /// What a reconnect may take beyond the backoff: TCP connect, CONNACK, SUBACK and a scrape of
    /// the metrics endpoint (polled every 25 ms). On loopback these take a few milliseconds when the
    /// machine is idle; 500 ms allows for two busy cores shared by the load, broker and daemon.
    static let connectAllowance = Duration.milliseconds(500)

    /// Runs 12,000 readings (6 s) through the daemon, with `fault` a third of the way through.
    func run(_ fault: Fault, persistence: Bool = true, resubscribe: Bool = true) async throws -> LoadOutcome {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        // With persistence (saved after every change, as docs/operations.md says) the broker comes
        // back with Vigil's session and every reading it had acknowledged; without, it forgets the
        // session, which is the case re-subscribing exists for.
        return try await MosquittoBroker.withBroker(persistence: persistence) { broker in
            let metricsPort = Int(try FreePort.find())
            let load = SequencedLoad(brokerPort: broker.port, count: Soak.rate * 6)
            let configuration = try load.configuration(
                database: database,
                metricsPort: metricsPort,
                clientID: "vigil-fault"
            )
            #expect(configuration.broker.reconnectDelayMax.duration == Self.backoffCap)
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                handleSignals: false,
                adjustIngest: { $0.resubscribeOnReconnect = resubscribe },
                logger: .test("daemon")
            )
            var outcome = try await withDaemon(daemon) {
                _ = try await scrape(port: metricsPort) {
                    $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1
                }
                let acknowledged = Progress()
                let (retries, reconnect) = try await withThrowingTaskGroup(of: (Int?, Duration?).self) { group in
                    group.addTask { (try await load.run(acknowledged: acknowledged), nil) }
                    group.addTask {
                        while acknowledged.value < load.count / 3 {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        let connects =
                            try await scrape(port: metricsPort)
                            .value("vigil_mqtt_connects_total", ["connection": "ingest"]) ?? 0
                        try await offThePool {
                            switch fault {
                            case .gracefulRestart: broker.stop()
                            case .sigkill: broker.kill()
                            }
                        }
                        try await Task.sleep(for: Soak.outage)
                        try await offThePool { try broker.start() }
                        return (nil, try await waitForIngestReconnect(metricsPort: metricsPort, after: connects))
                    }
                    var retries = 0
                    var reconnect: Duration?
                    for try await (r, d) in group {
                        if let r { retries = r }
                        if let d { reconnect = d }
                    }
                    return (retries, reconnect)
                }
                return try await LoadOutcome.read(
                    metricsPort: metricsPort,
                    sent: load.count,
                    retries: retries,
                    reconnect: reconnect,
                    patience: .seconds(30)
                )
            }
            // The daemon has stopped and committed its last batch: account for every sequence number.
            outcome.audit = try SequenceAudit(load.numbering, reader: EventReader.open(path: database))
            return outcome
        }
    }

    @Test(arguments: Fault.allCases)
    func brokerFaultMidStreamLosesNothingAndStoresNothingTwice(_ fault: Fault) async throws {
        let outcome = try await run(fault)
        #expect(outcome.lost == 0, "\(outcome)")
        #expect(outcome.accepted == outcome.sent, "\(outcome)")
        // A redelivered reading is refused as a duplicate when it is its signal's latest, and as late
        // when a newer one of the signal came first (two of a signal were in flight at the kill):
        // the aligner keeps each signal's latest time, not every time it has seen. Either way the
        // original was taken once (the audit below); anything else refused is a fault.
        let refusedOtherwise = outcome.rejectedByReason.filter {
            $0.value > 0 && !["duplicate", "late"].contains($0.key)
        }
        #expect(refusedOtherwise.isEmpty, "\(outcome)")
        // Every sequence number committed exactly once: none missing below the frontiers, none above.
        let audit = try #require(outcome.audit)
        #expect(audit.gaps == 0, "\(outcome)")
        #expect(audit.missing(of: outcome.sent) == 0, "\(outcome)")
        // Reconnected within the backoff cap after the broker accepts connections again, plus what
        // the connection itself takes.
        let reconnect = try #require(outcome.reconnect, "never reconnected: \(outcome)")
        #expect(reconnect <= Self.backoffCap + Self.connectAllowance, "\(outcome)")
        print("broker fault \(fault.rawValue): \(outcome)")
    }

    /// Without persistence the broker forgets Vigil's session: readings published before Vigil has
    /// subscribed again have no one to be queued for. Re-subscribing bounds the loss to that gap
    /// (none at all when Vigil is back before the devices); the client that subscribed only once
    /// receives nothing more.
    @Test func negativeControlsABrokerWithoutPersistenceLosesTheGapAndASubscribeOnceClientEverything() async throws {
        let resubscribing = try await run(.sigkill, persistence: false)
        let subscribeOnce = try await run(.sigkill, persistence: false, resubscribe: false)
        print("negative control (broker without persistence, SIGKILL): \(resubscribing)")
        print("negative control (and a subscribe-once client): \(subscribeOnce)")
        #expect(subscribeOnce.lost > Soak.rate * 3, "\(subscribeOnce)")
        #expect(resubscribing.lost < subscribeOnce.lost / 2, "\(resubscribing) vs \(subscribeOnce)")
    }
}

/// The real binary stalled (SIGSTOP) while 6,000 readings are published (three seconds at 2,000
/// readings/s): the broker must queue them for it. With the documented `max_queued_messages 0`
/// nothing is lost; with mosquitto's default of 1,000, the same harness sees the broker drop
/// readings.
@Suite(.serialized) struct StalledDaemonTests {
    /// Readings published while the daemon is stopped.
    static let stalledReadings = 6000

    func run(brokerQueue: Int) async throws -> LoadOutcome {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await MosquittoBroker.withBroker(extraConfiguration: "max_queued_messages \(brokerQueue)") {
            broker in
            let metricsPort = Int(try FreePort.find())
            let load = SequencedLoad(brokerPort: broker.port, count: Soak.rate * 6)
            let config = directory.appendingPathComponent("vigil.yaml").path
            try """
            \(brokerAndStorage(port: broker.port, database: directory.appendingPathComponent("vigil.db").path, clientID: "vigil-stall", metricsPort: metricsPort))
            \(loadAssets())
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let daemon = try ChildProcess(
                executable: Repository.vigilBinary,
                arguments: ["run", "--config", config, "--log-level", "warning"],
                outputPath: directory.appendingPathComponent("vigil.log").path
            )
            defer {
                daemon.signal(SIGCONT)
                daemon.signal(SIGTERM)
                _ = daemon.wait(timeout: .seconds(30))
            }
            _ = try await scrape(port: metricsPort) { $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1 }
            let acknowledged = Progress()
            async let published = load.run(acknowledged: acknowledged)
            while acknowledged.value < load.count / 3 { try await Task.sleep(for: .milliseconds(5)) }
            daemon.signal(SIGSTOP)
            // Stalled until the broker has taken 6,000 more readings for it (3 s at 2,000/s, longer
            // when the machine is busy), so the broker's queue is put to the same test at any speed.
            let stalledAt = acknowledged.value
            let deadline = ContinuousClock.now + .seconds(60)
            while acknowledged.value < stalledAt + Self.stalledReadings, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            daemon.signal(SIGCONT)
            let retries = try await published
            return try await LoadOutcome.read(
                metricsPort: metricsPort,
                sent: load.count,
                retries: retries,
                reconnect: nil,
                patience: .seconds(30)
            )
        }
    }

    @Test func aStalledDaemonLosesNothingWithTheDocumentedBrokerQueue() async throws {
        let outcome = try await run(brokerQueue: 0)
        print("stalled for 6,000 readings, max_queued_messages 0: \(outcome)")
        #expect(outcome.lost == 0, "\(outcome)")
    }

    @Test func negativeControlMosquittosDefaultQueueOf1000DropsReadings() async throws {
        let outcome = try await run(brokerQueue: 1000)
        print("stalled for 6,000 readings, max_queued_messages 1000: \(outcome)")
        #expect(outcome.lost > 1000, "\(outcome)")
    }
}
