/// The floating-point types the engine computes in: `Float` for models, `Double` for gradient
/// checks. The transcendental functions are implemented here, in Swift, so that the engine imports
/// nothing (no Foundation, no C library).
public protocol NNScalar: BinaryFloatingPoint, Sendable, Codable where Self.Exponent == Int {
    /// ln 2 split in a high part with trailing zero bits and a low correction, for range reduction.
    static var ln2High: Self { get }
    /// See `ln2High`.
    static var ln2Low: Self { get }
    /// Above this, exp overflows.
    static var expMax: Self { get }
    /// Below this, exp underflows to zero.
    static var expMin: Self { get }
    /// Taylor coefficients 1/n! for the reduced argument, highest degree first.
    static var expCoefficients: [Self] { get }
    /// 2 to the power `k`, for a whole number `k` (exactly; built from the bits where it is normal).
    static func powerOfTwo(_ k: Self) -> Self
}

extension Float: NNScalar {
    public static let ln2High: Float = 0.693_359_375
    public static let ln2Low: Float = -2.121_944_4e-4
    public static let expMax: Float = 88.72
    public static let expMin: Float = -103.9
    public static let expCoefficients: [Float] = [
        1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1,
    ]

    @inlinable
    public static func powerOfTwo(_ k: Float) -> Float {
        let e = Int32(k)
        if e >= -126 && e <= 127 { return Float(bitPattern: UInt32(e + 127) << 23) }
        return Float(sign: .plus, exponent: Int(e), significand: 1)
    }
}

extension Double: NNScalar {
    public static let ln2High: Double = 6.931_471_803_691_238_164_90e-01
    public static let ln2Low: Double = 1.908_214_929_270_587_700_02e-10
    public static let expMax: Double = 709.7
    public static let expMin: Double = -745.1
    public static let expCoefficients: [Double] = (0...14).reversed().map { n in
        1 / (1...max(n, 1)).reduce(1.0) { $0 * Double($1) }
    }

    @inlinable
    public static func powerOfTwo(_ k: Double) -> Double {
        let e = Int64(k)
        if e >= -1022 && e <= 1023 { return Double(bitPattern: UInt64(e + 1023) << 52) }
        return Double(sign: .plus, exponent: Int(e), significand: 1)
    }
}

extension NNScalar {
    /// e to the power x: range reduction by ln 2, a polynomial on [-ln2/2, ln2/2], and scaling by 2^k.
    /// Relative error about 1e-7 for `Float` and 1e-16 for `Double`.
    @inlinable
    public static func exp(_ x: Self) -> Self {
        if x.isNaN { return x }
        if x > expMax { return .infinity }
        if x < expMin { return 0 }
        let k = (x / (ln2High + ln2Low)).rounded()
        let r = (x - k * ln2High) - k * ln2Low
        var p: Self = 0
        for coefficient in expCoefficients { p = p * r + coefficient }
        return powerOfTwo(k) * p
    }

    /// The logistic function 1 / (1 + e^-x).
    @inlinable
    public static func sigmoid(_ x: Self) -> Self {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// The hyperbolic tangent, as (1 − e^(−2|x|)) / (1 + e^(−2|x|)) with the sign of x.
    @inlinable
    public static func tanh(_ x: Self) -> Self {
        let e = exp(-2 * abs(x))
        let magnitude = (1 - e) / (1 + e)
        return x < 0 ? -magnitude : magnitude
    }

    /// The natural logarithm, for losses (by Newton's method on `exp`; not on any hot path).
    @inlinable
    public static func log(_ x: Self) -> Self {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        if x.isInfinite { return x }
        // Start from the exponent, then refine y ← y + 2(x − e^y)/(x + e^y).
        var y = Self(x.exponent) * (ln2High + ln2Low)
        for _ in 0..<8 {
            let e = exp(y)
            y += 2 * (x - e) / (x + e)
        }
        return y
    }
}

/// An activation function of a dense layer.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    /// f(x) = x.
    case identity
    /// f(x) = 1 / (1 + e^-x).
    case sigmoid
    /// f(x) = tanh x.
    case tanh
    /// f(x) = max(0, x).
    case relu

    /// Applies the function.
    @inlinable
    public func apply<Scalar: NNScalar>(_ x: Scalar) -> Scalar {
        switch self {
        case .identity: x
        case .sigmoid: Scalar.sigmoid(x)
        case .tanh: Scalar.tanh(x)
        case .relu: max(0, x)
        }
    }

    /// The derivative expressed through the output y = f(x).
    @inlinable
    public func derivative<Scalar: NNScalar>(output y: Scalar) -> Scalar {
        switch self {
        case .identity: 1
        case .sigmoid: y * (1 - y)
        case .tanh: 1 - y * y
        case .relu: y > 0 ? 1 : 0
        }
    }
}
