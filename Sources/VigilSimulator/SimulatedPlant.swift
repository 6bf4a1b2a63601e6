import VigilCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small plant of pumps and motors whose signals look like real ones (a level, a daily drift, a
/// slower load cycle, sensor noise) and into which faults are injected on a schedule, or in which one
/// signal wears gradually (`bearingWear`).
///
/// The plant is a pure function of its seed and the simulated time, so tests and the demo see the
/// same data every run.
public struct SimulatedPlant: Sendable {
    /// One simulated signal.
    public struct Signal: Sendable, Hashable {
        /// Asset name.
        public var asset: String
        /// Signal name.
        public var name: String
        /// Normal level.
        public var level: Double
        /// Amplitude of the daily drift.
        public var dailyAmplitude: Double
        /// Amplitude of the load cycle.
        public var cycleAmplitude: Double
        /// Period of the load cycle in seconds.
        public var cyclePeriod: Double
        /// Standard deviation of the sensor noise.
        public var noise: Double
    }

    /// The kinds of fault the plant injects.
    public enum FaultKind: String, Sendable, CaseIterable {
        /// A few readings far off.
        case spike
        /// The level jumps and stays there for a while.
        case levelShift = "level_shift"
        /// The value creeps away, then recovers.
        case drift
        /// The sensor repeats its last value.
        case stuck
    }

    /// A scheduled fault.
    public struct Fault: Sendable, Hashable, CustomStringConvertible {
        /// Which fault.
        public var kind: FaultKind
        /// Asset and signal affected.
        public var signal: Signal
        /// Simulated second the fault begins, counted from the start.
        public var start: Int
        /// How many seconds it lasts.
        public var duration: Int

        public var description: String {
            "\(kind.rawValue) on \(signal.asset)/\(signal.name) from t+\(start)s for \(duration)s"
        }
    }

    /// The signals, in publishing order.
    public let signals: [Signal]
    /// The fault schedule.
    public let faults: [Fault]
    /// Gradual wear acting on a signal, if any (`bearingWear`, `windingDrift`).
    public let wear: Wear?
    let seed: UInt64

    /// The default plant: two pumps and a motor.
    public static let defaultSignals: [Signal] = [
        Signal(
            asset: "pump-1",
            name: "pressure",
            level: 6.2,
            dailyAmplitude: 0.3,
            cycleAmplitude: 0.2,
            cyclePeriod: 900,
            noise: 0.05
        ),
        Signal(
            asset: "pump-1",
            name: "flow",
            level: 118,
            dailyAmplitude: 6,
            cycleAmplitude: 4,
            cyclePeriod: 900,
            noise: 0.8
        ),
        Signal(
            asset: "pump-1",
            name: "temperature",
            level: 44,
            dailyAmplitude: 3,
            cycleAmplitude: 0.5,
            cyclePeriod: 1800,
            noise: 0.1
        ),
        Signal(
            asset: "pump-2",
            name: "pressure",
            level: 5.8,
            dailyAmplitude: 0.3,
            cycleAmplitude: 0.25,
            cyclePeriod: 700,
            noise: 0.05
        ),
        Signal(
            asset: "pump-2",
            name: "flow",
            level: 96,
            dailyAmplitude: 5,
            cycleAmplitude: 3,
            cyclePeriod: 700,
            noise: 0.7
        ),
        Signal(
            asset: "pump-2",
            name: "temperature",
            level: 41,
            dailyAmplitude: 3,
            cycleAmplitude: 0.5,
            cyclePeriod: 1800,
            noise: 0.1
        ),
        Signal(
            asset: "motor-1",
            name: "current",
            level: 12.5,
            dailyAmplitude: 0.8,
            cycleAmplitude: 0.6,
            cyclePeriod: 600,
            noise: 0.1
        ),
        Signal(
            asset: "motor-1",
            name: "vibration",
            level: 2.4,
            dailyAmplitude: 0.1,
            cycleAmplitude: 0.1,
            cyclePeriod: 600,
            noise: 0.04
        ),
        Signal(
            asset: "motor-1",
            name: "temperature",
            level: 61,
            dailyAmplitude: 4,
            cycleAmplitude: 0.8,
            cyclePeriod: 1800,
            noise: 0.12
        ),
    ]

    /// Creates a plant.
    /// - Parameters:
    ///   - signals: the signals.
    ///   - firstFault: simulated second of the first fault (after the detectors' warm-up).
    ///   - faultEvery: seconds between fault starts; 0 for none.
    ///   - horizon: seconds of schedule to plan.
    ///   - seed: the random seed.
    public init(
        signals: [Signal] = SimulatedPlant.defaultSignals,
        firstFault: Int = 180,
        faultEvery: Int = 150,
        horizon: Int = 86_400,
        seed: UInt64 = 1
    ) {
        self.signals = signals
        self.seed = seed
        wear = nil
        var faults: [Fault] = []
        if faultEvery > 0 {
            var random = SplitMix(seed: seed ^ 0xFA17)
            var start = firstFault
            var index = 0
            while start < horizon {
                let kind = FaultKind.allCases[index % FaultKind.allCases.count]
                let signal = signals[Int(random.next() % UInt64(signals.count))]
                let duration =
                    switch kind {
                    case .spike: 3
                    case .levelShift: 60
                    case .drift: 90
                    case .stuck: 60
                    }
                faults.append(Fault(kind: kind, signal: signal, start: start, duration: duration))
                start += faultEvery
                index += 1
            }
        }
        self.faults = faults
    }

    /// The value of a signal at simulated second `t` (seconds since the start) and absolute time
    /// `epochSeconds` (for the daily drift), wear and faults included.
    public func value(of signal: Signal, at t: Int, epochSeconds: Double) -> Double {
        if let fault = activeFault(on: signal, at: t), fault.kind == .stuck {
            return wornValue(of: signal, at: fault.start, epochSeconds: epochSeconds - Double(t - fault.start))
        }
        var value = wornValue(of: signal, at: t, epochSeconds: epochSeconds)
        if let fault = activeFault(on: signal, at: t) {
            let sigma = signal.noise
            switch fault.kind {
            case .spike: value += 25 * sigma
            case .levelShift: value += 15 * sigma
            case .drift: value += 30 * sigma * Double(t - fault.start) / Double(fault.duration)
            case .stuck: break
            }
        }
        return value
    }

    /// The fault acting on a signal at second `t`, if any.
    public func activeFault(on signal: Signal, at t: Int) -> Fault? {
        faults.first { $0.signal == signal && t >= $0.start && t < $0.start + $0.duration }
    }

    private func wornValue(of signal: Signal, at t: Int, epochSeconds: Double) -> Double {
        let value = normalValue(of: signal, at: t, epochSeconds: epochSeconds)
        guard let wear, wear.signal == signal else { return value }
        return value * wear.factor(at: t)
    }

    private func normalValue(of signal: Signal, at t: Int, epochSeconds: Double) -> Double {
        let day = sin(2 * Double.pi * epochSeconds / 86_400)
        let cycle = sin(2 * Double.pi * Double(t) / signal.cyclePeriod)
        var random = SplitMix(
            seed: seed &+ UInt64(bitPattern: Int64(t)) &* 0x9E37_79B9
                &+ UInt64(signal.name.utf8.count * 131 + signal.asset.utf8.count)
        )
        for byte in (signal.asset + signal.name).utf8 { random.mix(UInt64(byte)) }
        return signal.level + signal.dailyAmplitude * day + signal.cycleAmplitude * cycle + signal.noise
            * random.gaussian()
    }
}

/// SplitMix64 with Box–Muller, enough for simulated noise.
struct SplitMix: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func mix(_ value: UInt64) { state = (state ^ value) &* 0x100_0000_01B3 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func gaussian() -> Double {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
