extension SimulatedPlant {
    /// A gradual fault: a signal's level, cycle and noise grow together, linearly over `ramp`
    /// seconds from `start`, to `factor` times their normal size, and stay there. A worn bearing
    /// does this to a motor's vibration.
    public struct Wear: Sendable, Hashable, CustomStringConvertible {
        /// The signal that wears.
        public var signal: Signal
        /// Simulated second the wear begins.
        public var start: Int
        /// Seconds until it reaches `factor`.
        public var ramp: Int
        /// How many times its normal size the signal ends at.
        public var factor: Double

        /// The signal's multiplier at simulated second `t`.
        public func factor(at t: Int) -> Double {
            let progress = min(max(Double(t - start) / Double(max(ramp, 1)), 0), 1)
            return 1 + (factor - 1) * progress
        }

        public var description: String {
            "bearing wear on \(signal.asset)/\(signal.name) from t+\(start)s: ×\(factor) over \(ramp)s"
        }
    }

    /// Two identical motors (current, vibration, temperature); the bearing of `motor-1` wears from
    /// `start`: its vibration doubles over `ramp` seconds (two hours by default). `motor-2` stays
    /// healthy, the control to compare with.
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
