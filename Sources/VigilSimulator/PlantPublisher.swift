public import Logging
public import VigilCore
public import VigilMQTT

/// Publishes a `SimulatedPlant` over MQTT: one JSON reading `{"v": value, "ts": epoch_ms}` per signal
/// every `interval` simulated seconds on `<prefix>/<asset>/<signal>`, with QoS 1, at `speed`
/// simulated seconds per real second.
public struct PlantPublisher: Sendable {
    /// The plant.
    public let plant: SimulatedPlant
    /// Topic prefix.
    public let prefix: String
    /// Simulated seconds per real second (`.infinity`: as fast as the broker acknowledges).
    public let speed: Double
    /// Simulated seconds between two readings of a signal.
    public let interval: Int
    /// Event time of simulated second 0.
    public let start: Timestamp
    let logger: Logger

    /// Creates a publisher.
    public init(
        plant: SimulatedPlant,
        prefix: String = "plant",
        speed: Double,
        interval: Int = 1,
        start: Timestamp,
        logger: Logger
    ) {
        precondition(speed > 0, "speed must be positive")
        precondition(interval >= 1, "interval must be at least 1 s")
        self.plant = plant
        self.prefix = prefix
        self.speed = speed
        self.interval = interval
        self.start = start
        self.logger = logger
    }

    /// The payload of one reading.
    public static func payload(value: Double, time: Timestamp) -> [UInt8] {
        let rounded = (value * 10_000).rounded() / 10_000
        return Array("{\"v\":\(rounded),\"ts\":\(time.milliseconds)}".utf8)
    }

    /// Publishes the readings of simulated seconds `0..<seconds`, one every `interval` (or until
    /// cancelled), through `client`, which must be running. Announces what begins between two
    /// readings (`SimulatedPlant.announcements(in:)`) through `announce`, before the first reading
    /// that shows it.
    public func publish(
        seconds: Int,
        through client: MQTTClient,
        announce: @Sendable (SimulatedPlant.Announcement) -> Void
    ) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        for t in stride(from: 0, to: seconds, by: interval) {
            try Task.checkCancellation()
            for announcement in plant.announcements(in: t..<(t + interval)) { announce(announcement) }
            let time = Timestamp(milliseconds: start.milliseconds + Int64(t) * 1000)
            for signal in plant.signals {
                let value = plant.value(of: signal, at: t, epochSeconds: time.seconds)
                let payload = Self.payload(value: value, time: time)
                while true {
                    do {
                        try await client.publish(
                            topic: "\(prefix)/\(signal.asset)/\(signal.name)",
                            payload: payload,
                            qos: 1,
                            retain: false
                        )
                        break
                    } catch let error as MQTTError where error.kind == .notConnected {
                        try await client.waitUntilConnected()
                    }
                }
            }
            guard speed.isFinite else { continue }
            let due = began + .milliseconds(Int64(Double(t + interval) * 1000 / speed))
            if due > clock.now { try await clock.sleep(until: due) }
        }
    }
}
