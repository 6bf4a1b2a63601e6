import VigilNN

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic random generator for test data that is the same on every run: the engine's
/// SplitMix64 (`NNRandom`) with uniform and Gaussian helpers.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var base: NNRandom

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        base = NNRandom(seed: seed)
    }

    public mutating func next() -> UInt64 {
        base.next()
    }

    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// A standard normal variate (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
