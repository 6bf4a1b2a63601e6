public import Logging
public import VigilCore
public import VigilMQTT

/// Publishes a `SimulatedPlant` over MQTT: one JSON reading `{"v": value, "ts": epoch_ms}` per signal
/// per simulated second on `<prefix>/<asset>/<signal>`, with QoS 1, at `speed` simulated seconds per
/// real second.
public struct PlantPublisher: Sendable {
    /// The plant.
    public let plant: SimulatedPlant
    /// Topic prefix.
    public let prefix: String
    /// Simulated seconds per real second.
    public let speed: Double
    /// Event time of simulated second 0.
    public let start: Timestamp
    let logger: Logger

    /// Creates a publisher.
    public init(plant: SimulatedPlant, prefix: String = "plant", speed: Double, start: Timestamp, logger: Logger) {
        self.plant = plant
        self.prefix = prefix
        self.speed = speed
        self.start = start
        self.logger = logger
    }

    /// The payload of one reading.
    public static func payload(value: Double, time: Timestamp) -> [UInt8] {
        let rounded = (value * 10_000).rounded() / 10_000
        return Array("{\"v\":\(rounded),\"ts\":\(time.milliseconds)}".utf8)
    }

    /// Publishes simulated seconds `0..<seconds` (or until cancelled) through `client`, which must be
    /// running. Announces each fault as it begins through `announce`.
    public func publish(
        seconds: Int,
        through client: MQTTClient,
        announce: @Sendable (SimulatedPlant.Fault) -> Void
    ) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        for t in 0..<seconds {
            try Task.checkCancellation()
            for fault in plant.faults where fault.start == t { announce(fault) }
            let time = Timestamp(milliseconds: start.milliseconds + Int64(t) * 1000)
            let readings =
                plant.signals.map { ($0.asset, $0.name, plant.value(of: $0, at: t, epochSeconds: time.seconds)) }
                + plant.wear.map { ($0.asset, $0.name, plant.value(of: $0, at: t)) }
            for (asset, name, value) in readings {
                let payload = Self.payload(value: value, time: time)
                while true {
                    do {
                        try await client.publish(
                            topic: "\(prefix)/\(asset)/\(name)",
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
            let due = began + .milliseconds(Int64(Double(t + 1) * 1000 / speed))
            if due > clock.now { try await clock.sleep(until: due) }
        }
    }
}
