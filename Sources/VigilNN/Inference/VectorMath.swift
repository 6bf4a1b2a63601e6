/// Eight-lane versions of the activations for the inference kernels: the same range reduction and
/// polynomial as `NNScalar.exp`, with 2^k built from the exponent bits, so the compiler keeps all
/// eight lanes in one AVX register.
@usableFromInline
enum VectorMath {
    @usableFromInline static let log2e = SIMD8<Float>(repeating: 1.442_695_04)
    @usableFromInline static let ln2High = SIMD8<Float>(repeating: 0.693_359_375)
    @usableFromInline static let ln2Low = SIMD8<Float>(repeating: -2.121_944_4e-4)

    /// e^x for eight lanes; inputs are clamped to [−87, 88].
    @inlinable @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = x.clamped(lowerBound: SIMD8(repeating: -87), upperBound: SIMD8(repeating: 88))
        let k = (clamped * log2e).rounded(.toNearestOrEven)
        let r = (clamped - k * ln2High) - k * ln2Low
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + (1.0 / 720)
        p = p * r + (1.0 / 120)
        p = p * r + (1.0 / 24)
        p = p * r + (1.0 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (SIMD8<Int32>(k, rounding: .toNearestOrEven) &+ 127) &<< 23
        // 2^k from its IEEE 754 bits; the clamp keeps k within the normal exponents.
        return p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    @inlinable @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // tanh x = 2σ(2x) − 1: accurate to a few 1e-7 absolutely, which is what the kernels need.
        2 / (1 + exp(-2 * x)) - 1
    }
}
