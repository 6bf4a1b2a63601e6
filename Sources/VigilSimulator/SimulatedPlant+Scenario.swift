extension SimulatedPlant {
    /// The plants `vigil simulate` publishes.
    public enum Scenario: String, Sendable, CaseIterable {
        /// Two pumps and a motor, with a spike, a level shift, a drift and a stuck sensor in turn
        /// (the default plant, `SimulatedPlant.init`).
        case faults
        /// Two motors; the bearing of one wears (`SimulatedPlant.bearingWear`).
        case bearingWear = "bearing-wear"
        /// A motor whose winding temperature climbs towards its limit and is renewed every 20
        /// minutes (`SimulatedPlant.windingDrift`): the time-to-limit demo.
        case windingDrift = "winding-drift"

        /// Simulated seconds between two readings of a signal unless set: every second for the
        /// short faults, every 10 s (a common gateway rate) for the hours-long wear.
        public var defaultInterval: Int {
            switch self {
            case .faults, .windingDrift: 1
            case .bearingWear: 10
            }
        }
    }
}
