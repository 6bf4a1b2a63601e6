extension SimulatedPlant {
    /// A gradual fault: a signal's value (its level, daily drift, load cycle and noise together)
    /// grows linearly over `ramp` seconds from `start` to `factor` times its normal size, and stays
    /// there. A worn bearing does this to a motor's vibration.
    public struct Wear: Sendable, Hashable, CustomStringConvertible {
        /// The signal that wears.
        public var signal: Signal
        /// Simulated second the wear begins.
        public var start: Int
        /// Seconds until it reaches `factor` (0: at once).
        public var ramp: Int
        /// How many times its normal size the signal ends at.
        public var factor: Double

        /// Creates a wear.
        public init(signal: Signal, start: Int, ramp: Int, factor: Double) {
            precondition(ramp >= 0, "a wear's ramp must not be negative")
            self.signal = signal
            self.start = start
            self.ramp = ramp
            self.factor = factor
        }

        /// Simulated second the wear reaches `factor`.
        public var end: Int { start + ramp }

        /// The signal's multiplier at simulated second `t`: 1 up to `start`, `factor` from `end`,
        /// linear in between.
        public func factor(at t: Int) -> Double {
            guard t < end else { return factor }
            guard t > start else { return 1 }
            return 1 + (factor - 1) * Double(t - start) / Double(ramp)
        }

        public var description: String {
            "wear on \(signal.asset)/\(signal.name) from t+\(start)s: ×\(factor) over \(ramp)s"
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

    init(signals: [Signal], wear: Wear, seed: UInt64) {
        self.signals = signals
        self.faults = []
        self.wear = wear
        self.seed = seed
    }
}
