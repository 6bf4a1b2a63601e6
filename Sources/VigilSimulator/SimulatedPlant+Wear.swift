/// The plant's wearing signals: each rises steadily towards a limit, as a winding temperature does
/// while its insulation ages, and falls back when the part is renewed (every `period` seconds), so a
/// time-to-limit prediction can be watched forming before the limit is reached.
extension SimulatedPlant {
    /// A signal that wears.
    public struct Wear: Sendable, Hashable {
        /// Asset name.
        public var asset: String
        /// Signal name.
        public var name: String
        /// The value just after a renewal.
        public var start: Double
        /// How much it rises per second.
        public var rate: Double
        /// Seconds between renewals.
        public var period: Int
        /// Standard deviation of the sensor noise.
        public var noise: Double
        /// The limit the demo configures for it (`examples/demo.yaml`), reached `(limit − start) /
        /// rate` seconds after each renewal.
        public var limit: Double

        /// Seconds after a renewal at which the limit is reached.
        public var secondsToLimit: Double { (limit - start) / rate }
    }

    /// The default wearing signal: motor-1's winding temperature, from 70 °C at 1.5 °C a minute, so
    /// that it reaches the demo's 95 °C limit 1,000 s after each renewal (every 1,200 s).
    public static let defaultWear: [Wear] = [
        Wear(asset: "motor-1", name: "winding_temperature", start: 70, rate: 0.025, period: 1200, noise: 0.5, limit: 95)
    ]

    /// The value of a wearing signal at simulated second `t`.
    public func value(of wear: Wear, at t: Int) -> Double {
        var random = SplitMix(seed: seed &+ UInt64(bitPattern: Int64(t)) &* 0x2545_F491_4F6C_DD1D)
        for byte in (wear.asset + wear.name).utf8 { random.mix(UInt64(byte)) }
        let age = Double(((t % wear.period) + wear.period) % wear.period)
        return wear.start + wear.rate * age + wear.noise * random.gaussian()
    }
}
