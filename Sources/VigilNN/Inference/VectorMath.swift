/// Eight-lane versions of the activations for the inference kernels: the same range reduction and
/// polynomial as `NNScalar.exp`, with 2^k built from the exponent bits, so the compiler keeps all
/// eight lanes in one AVX register.
enum VectorMath {
    /// e^x for eight lanes; inputs are clamped to [−87, 88].
    ///
    /// k = round(x / ln 2) comes from adding 1.5·2²³, which leaves the integer in the low mantissa
    /// bits, so the reduction and 2^k stay in vector registers without float-to-int conversions.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = clamp(x)
        let magic = SIMD8<Float>(repeating: 12_582_912)
        var shifted = magic
        Kernels.multiplyAdd(&shifted, clamped, SIMD8(repeating: 1.442_695_04))
        let k = shifted - magic
        var r = clamped
        Kernels.multiplyAdd(&r, k, SIMD8(repeating: -0.693_359_375))
        Kernels.multiplyAdd(&r, k, SIMD8(repeating: 2.121_944_4e-4))
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = horner(p, r, 1.0 / 720)
        p = horner(p, r, 1.0 / 120)
        p = horner(p, r, 1.0 / 24)
        p = horner(p, r, 1.0 / 6)
        p = horner(p, r, 0.5)
        p = horner(p, r, 1)
        p = horner(p, r, 1)
        // The low bits of `shifted` hold k + 0x400000; moving them into the exponent field gives 2^k.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }

    /// x limited to [−87, 88] (NaN stays NaN), with compare masks and bit operations: the standard
    /// library's `pointwiseMin` and `replacing(with:where:)` are compiled lane by lane.
    @inline(__always)
    static func clamp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: -87)
        let high = SIMD8<Float>(repeating: 88)
        let below = unsafeBitCast(x .< low, to: SIMD8<Int32>.self)
        let above = unsafeBitCast(x .> high, to: SIMD8<Int32>.self)
        let bits =
            (unsafeBitCast(x, to: SIMD8<Int32>.self) & ~(below | above))
            | (unsafeBitCast(low, to: SIMD8<Int32>.self) & below)
            | (unsafeBitCast(high, to: SIMD8<Int32>.self) & above)
        return unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// p · r + c.
    @inline(__always)
    static func horner(_ p: SIMD8<Float>, _ r: SIMD8<Float>, _ c: Float) -> SIMD8<Float> {
        var result = SIMD8<Float>(repeating: c)
        Kernels.multiplyAdd(&result, p, r)
        return result
    }

    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // tanh x = 2σ(2x) − 1: accurate to a few 1e-7 absolutely, which is what the kernels need.
        2 / (1 + exp(-2 * x)) - 1
    }
}
