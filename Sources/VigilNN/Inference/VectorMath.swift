/// Eight-lane versions of the activations for the inference kernels: the same range reduction and
/// polynomial as `NNScalar.exp`, with 2^k built from the exponent bits, so the compiler keeps all
/// eight lanes in one AVX register.
@usableFromInline
enum VectorMath {
    @usableFromInline static let log2e = SIMD8<Float>(repeating: 1.442_695_04)
    @usableFromInline static let ln2High = SIMD8<Float>(repeating: 0.693_359_375)
    @usableFromInline static let ln2Low = SIMD8<Float>(repeating: -2.121_944_4e-4)

    /// e^x for eight lanes; inputs are clamped to [−87, 88].
    ///
    /// k = round(x / ln 2) comes from adding 1.5·2²³, which leaves the integer in the low mantissa
    /// bits, so the reduction and 2^k stay in vector registers without float-to-int conversions.
    @inlinable @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = pointwiseMin(pointwiseMax(x, SIMD8(repeating: -87)), SIMD8(repeating: 88))
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * log2e + magic
        let k = shifted - magic
        let r = (clamped - k * ln2High) - k * ln2Low
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + SIMD8(repeating: 1.0 / 720)
        p = p * r + SIMD8(repeating: 1.0 / 120)
        p = p * r + SIMD8(repeating: 1.0 / 24)
        p = p * r + SIMD8(repeating: 1.0 / 6)
        p = p * r + SIMD8(repeating: 0.5)
        p = p * r + SIMD8(repeating: 1)
        p = p * r + SIMD8(repeating: 1)
        // The low bits of `shifted` hold k + 0x400000; moving them into the exponent field gives 2^k.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
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
