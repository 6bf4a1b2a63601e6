extension SimulatedPlant {
    /// A gradual fault: a signal's value (its level, daily drift, load cycle and noise together)
    /// grows linearly over `ramp` seconds from `start` to `factor` times its normal size, and stays
    /// there. A worn bearing does this to a motor's vibration. With a `renewal`, the part is renewed
    /// every `renewal` seconds from `start` and the wear starts again from 1, as a winding whose
    /// temperature climbs towards its limit until the motor is serviced.
    public struct Wear: Sendable, Hashable, CustomStringConvertible {
        /// The signal that wears.
        public var signal: Signal
        /// Simulated second the wear begins.
        public var start: Int
        /// Seconds until it reaches `factor` (0: at once).
        public var ramp: Int
        /// How many times its normal size the signal ends at.
        public var factor: Double
        /// Seconds between renewals of the worn part, counted from `start` (nil: never renewed).
        public var renewal: Int?

        /// Creates a wear.
        public init(signal: Signal, start: Int, ramp: Int, factor: Double, renewal: Int? = nil) {
            precondition(ramp >= 0, "a wear's ramp must not be negative")
            precondition(renewal.map { $0 >= max(ramp, 1) } ?? true, "a wear is renewed after its ramp at the soonest")
            self.signal = signal
            self.start = start
            self.ramp = ramp
            self.factor = factor
            self.renewal = renewal
        }

        /// Simulated second the wear reaches `factor`.
        public var end: Int { start + ramp }

        /// The signal's multiplier at simulated second `t`: 1 up to `start`, `factor` from `end`,
        /// linear in between; with a renewal, the same again from each renewal.
        public func factor(at t: Int) -> Double {
            let t = renewal.map { t > start ? start + (t - start) % $0 : t } ?? t
            guard t < end else { return factor }
            guard t > start else { return 1 }
            return 1 + (factor - 1) * Double(t - start) / Double(ramp)
        }

        public var description: String {
            "wear on \(signal.asset)/\(signal.name) from t+\(start)s: ×\(factor) over \(ramp)s"
                + (renewal.map { ", renewed every \($0)s" } ?? "")
        }
    }

    /// Two identical motors (current, vibration, temperature); the bearing of `motor-1` wears from
    /// `start` (4 hours by default): its vibration doubles over `ramp` seconds (two hours by
    /// default). `motor-2` stays healthy, the control to compare with.
    ///
    /// ```swift
    /// let plant = SimulatedPlant.bearingWear()
    /// let vibration = plant.signals[1]  // motor-1/vibration
    /// plant.value(of: vibration, at: 6 * 3600, epochSeconds: 0)  // about 4.8 instead of 2.4
    /// ```
    public static func bearingWear(start: Int = 4 * 3600, ramp: Int = 2 * 3600, seed: UInt64 = 1) -> SimulatedPlant {
        let motor = defaultSignals.filter { $0.asset == "motor-1" }
        let control = motor.map { signal in
            var copy = signal
            copy.asset = "motor-2"
            return copy
        }
        let vibration = motor.first { $0.name == "vibration" }!
        return SimulatedPlant(
            signals: motor + control,
            wear: Wear(signal: vibration, start: start, ramp: ramp, factor: 2),
            seed: seed
        )
    }

    /// One motor (`motor-3`: current and winding temperature) whose winding temperature climbs from
    /// 70 °C by 1.5 °C a minute and is renewed every 1,200 s: it reaches the demo's limit of 95 °C
    /// (`examples/demo.yaml`) 1,000 s after each renewal, so a time-to-limit prediction can be
    /// watched forming before the limit is hit, again and again.
    ///
    /// ```swift
    /// let plant = SimulatedPlant.windingDrift()
    /// let winding = plant.signals[1]  // motor-3/winding_temperature
    /// plant.value(of: winding, at: 600, epochSeconds: 0)  // about 85
    /// ```
    public static func windingDrift(seed: UInt64 = 1) -> SimulatedPlant {
        var current = defaultSignals.first { $0.asset == "motor-1" && $0.name == "current" }!
        current.asset = "motor-3"
        let winding = Signal(
            asset: "motor-3",
            name: "winding_temperature",
            level: 70,
            dailyAmplitude: 0,
            cycleAmplitude: 0,
            cyclePeriod: 600,
            noise: 0.4
        )
        return SimulatedPlant(
            signals: [current, winding],
            wear: Wear(signal: winding, start: 0, ramp: 1200, factor: 100.0 / 70, renewal: 1200),
            seed: seed
        )
    }

    init(signals: [Signal], wear: Wear, seed: UInt64) {
        self.signals = signals
        self.faults = []
        self.wear = wear
        self.seed = seed
    }
}
