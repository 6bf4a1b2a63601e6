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
        abstract: "Publish a simulated plant: injected faults, a bearing that wears, or a winding that heats up.",
        discussion: """
            Publishes one JSON reading {"v": value, "ts": epoch_ms} per signal every --interval \
            simulated seconds on PREFIX/ASSET/SIGNAL with QoS 1. Signals have a level, a daily drift, a \
            load cycle and noise.

            --scenario faults (the default): two pumps and a motor, a reading every second. Faults \
            (spike, level shift, drift, stuck sensor) start at --first-fault and then every \
            --fault-every simulated seconds, each announced on standard output.

            --scenario bearing-wear: two identical motors (current, vibration, temperature), a reading \
            every 10 s. From --wear-start the bearing of motor-1 wears: its vibration doubles \
            linearly over --wear-ramp seconds and stays doubled; motor-2 stays healthy. Both moments \
            are announced on standard output. With the defaults, --speed 600 --duration 36 shows the \
            4 normal hours and the 2 hours of wear in 36 s.

            --scenario winding-drift: one motor, motor-3 (current, winding_temperature), a reading every \
            second. Its winding temperature climbs from 70 °C by 1.5 °C a minute and the winding is \
            renewed every 1,200 s, so it would reach 95 °C (the demo's limit) 1,000 s after each renewal: \
            Vigil's time-to-limit prediction can be watched forming before the limit is hit.

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

    @Option(name: .long, help: "The plant: faults, bearing-wear or winding-drift.")
    var scenario: String = SimulatedPlant.Scenario.faults.rawValue

    @Option(
        name: .long,
        help: "Simulated seconds between two readings of a signal (default: 10 for bearing-wear, else 1)."
    )
    var interval: Int?

    @Option(name: .long, help: "faults: simulated second of the first fault.")
    var firstFault: Int = 180

    @Option(name: .long, help: "faults: simulated seconds between faults (0: none).")
    var faultEvery: Int = 150

    @Option(name: .long, help: "bearing-wear: simulated second the wear begins.")
    var wearStart: Int = 4 * 3600

    @Option(name: .long, help: "bearing-wear: simulated seconds until the vibration has doubled.")
    var wearRamp: Int = 2 * 3600

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard speed >= 1, speed <= 1000 else { throw ValidationError("--speed must be 1 to 1000") }
        guard duration.map({ $0 > 0 }) ?? true else { throw ValidationError("--duration must be positive") }
        guard SimulatedPlant.Scenario(rawValue: scenario) != nil else {
            throw ValidationError("--scenario must be faults, bearing-wear or winding-drift")
        }
        guard interval.map({ (1...86_400).contains($0) }) ?? true else {
            throw ValidationError("--interval must be 1 to 86400 seconds")
        }
        guard wearStart >= 0, wearRamp >= 0 else {
            throw ValidationError("--wear-start and --wear-ramp must not be negative")
        }
    }

    func run() async throws {
        let logger = try LoggingSetup.bootstrap(level: logging.logLevel)
        let seconds = duration.map { Int($0 * speed) } ?? Int.max / 2
        // Start far enough in the past that the last time stamp is no later than now.
        let lead = duration.map { $0 * (speed - 1) } ?? (speed > 1 ? 86_400 : 0)
        let start = Timestamp(seconds: (Date().timeIntervalSince1970 - lead).rounded(.down))
        let scenario = SimulatedPlant.Scenario(rawValue: scenario)!
        let interval = interval ?? scenario.defaultInterval
        let plant =
            switch scenario {
            case .faults:
                SimulatedPlant(
                    firstFault: firstFault,
                    faultEvery: faultEvery,
                    horizon: min(seconds, 10_000_000),
                    seed: seed
                )
            case .bearingWear:
                SimulatedPlant.bearingWear(start: wearStart, ramp: wearRamp, seed: seed)
            case .windingDrift:
                SimulatedPlant.windingDrift(seed: seed)
            }
        let client = MQTTClient(
            options: ConnectOptions(host: host, port: port, clientID: "vigil-simulator-\(getpid())"),
            logger: logger
        )
        let publisher = PlantPublisher(
            plant: plant,
            prefix: prefix,
            speed: speed,
            interval: interval,
            start: start,
            logger: logger
        )
        printLine(
            "simulate: \(plant.signals.count) signals on \(prefix)/<asset>/<signal>, a reading every \(interval) s"
                + " of plant time, speed \(speed)x"
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.waitUntilConnected()
            try await publisher.publish(seconds: seconds, through: client) { announcement in
                printLine("simulate: \(announcement)")
            }
            client.shutdown()
            try await group.waitForAll()
        }
        printLine("simulate: done")
    }
}
