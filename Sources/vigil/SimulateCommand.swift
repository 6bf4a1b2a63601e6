import ArgumentParser
import Foundation
import Logging
import VigilCore
import VigilMQTT
import VigilSimulator

/// `vigil simulate`: a simulated plant publishing over MQTT.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish a simulated plant (two pumps and a motor) with injected faults.",
        discussion: """
            Publishes one JSON reading {"v": value, "ts": epoch_ms} per signal per simulated second on \
            PREFIX/ASSET/SIGNAL with QoS 1. Signals have a level, a daily drift, a load cycle and noise; \
            faults (spike, level shift, drift, stuck sensor) start at --first-fault and then every \
            --fault-every simulated seconds, each announced on standard output.

            With --speed above 1, simulated time runs faster than the clock and starts in the past, so \
            that no time stamp lies in the future: a 2-minute run at --speed 10 covers the 20 minutes \
            before it ended.
            """
    )

    @Option(name: .long, help: "Broker host.")
    var host: String = "127.0.0.1"

    @Option(name: .shortAndLong, help: "Broker port.")
    var port: Int32 = 1883

    @Option(name: .long, help: "Topic prefix.")
    var prefix: String = "plant"

    @Option(name: .long, help: "Simulated seconds per real second.")
    var speed: Double = 1

    @Option(name: .long, help: "Real seconds to run (default: until interrupted).")
    var duration: Double?

    @Option(name: .long, help: "Simulated second of the first fault.")
    var firstFault: Int = 180

    @Option(name: .long, help: "Simulated seconds between faults (0: none).")
    var faultEvery: Int = 150

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard speed >= 1, speed <= 1000 else { throw ValidationError("--speed must be 1 to 1000") }
        guard duration.map({ $0 > 0 }) ?? true else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let logger = try LoggingSetup.bootstrap(level: logging.logLevel)
        let seconds = duration.map { Int($0 * speed) } ?? Int.max / 2
        // Start far enough in the past that the last time stamp is no later than now.
        let lead = duration.map { $0 * (speed - 1) } ?? (speed > 1 ? 86_400 : 0)
        let start = Timestamp(seconds: (Date().timeIntervalSince1970 - lead).rounded(.down))
        let plant = SimulatedPlant(
            firstFault: firstFault,
            faultEvery: faultEvery,
            horizon: min(seconds, 10_000_000),
            seed: seed
        )
        let client = MQTTClient(
            options: ConnectOptions(host: host, port: port, clientID: "vigil-simulator-\(getpid())"),
            logger: logger
        )
        let publisher = PlantPublisher(plant: plant, prefix: prefix, speed: speed, start: start, logger: logger)
        printLine("simulate: \(plant.signals.count) signals on \(prefix)/<asset>/<signal>, speed \(speed)x")
        for wear in plant.wear {
            printLine(
                "simulate: \(wear.asset)/\(wear.name) wears from \(wear.start) towards \(wear.limit), reached "
                    + "\(Int(wear.secondsToLimit)) s after each renewal (every \(wear.period) s)"
            )
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.waitUntilConnected()
            try await publisher.publish(seconds: seconds, through: client) { fault in
                printLine("simulate: fault injected: \(fault)")
            }
            client.shutdown()
            try await group.waitForAll()
        }
        printLine("simulate: done")
    }
}
