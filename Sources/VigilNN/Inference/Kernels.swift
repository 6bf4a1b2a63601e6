/// The matrix kernel of the inference path: C[r][j] += Σₖ A[r][k] · B[k][j], with B's rows padded
/// to a multiple of 8 columns. Four rows of A are processed together, so every eight-lane load of B
/// feeds four fused multiply-adds (the batched path), and a single row degrades to the axpy loop of
/// the plain C reference (the streaming path).
@usableFromInline
enum Kernels {
    @inlinable @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// `c[rows][n] += a[rows][k] · b[k][n]`; `n` is a multiple of 8; rows of `a` are `lda` apart.
    @inlinable
    static func multiplyAdd(
        a: UnsafePointer<Float>,
        lda: Int,
        rows: Int,
        k: Int,
        b: UnsafePointer<Float>,
        n: Int,
        c: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        var r = 0
        while r + 4 <= rows {
            var j = 0
            while j + 16 <= n {
                var c00 = load(c + r * ldc + j)
                var c01 = load(c + r * ldc + j + 8)
                var c10 = load(c + (r + 1) * ldc + j)
                var c11 = load(c + (r + 1) * ldc + j + 8)
                var c20 = load(c + (r + 2) * ldc + j)
                var c21 = load(c + (r + 2) * ldc + j + 8)
                var c30 = load(c + (r + 3) * ldc + j)
                var c31 = load(c + (r + 3) * ldc + j + 8)
                for kk in 0..<k {
                    let w0 = load(b + kk * n + j)
                    let w1 = load(b + kk * n + j + 8)
                    let a0 = SIMD8(repeating: a[r * lda + kk])
                    let a1 = SIMD8(repeating: a[(r + 1) * lda + kk])
                    let a2 = SIMD8(repeating: a[(r + 2) * lda + kk])
                    let a3 = SIMD8(repeating: a[(r + 3) * lda + kk])
                    c00 += a0 * w0
                    c01 += a0 * w1
                    c10 += a1 * w0
                    c11 += a1 * w1
                    c20 += a2 * w0
                    c21 += a2 * w1
                    c30 += a3 * w0
                    c31 += a3 * w1
                }
                store(c00, c + r * ldc + j)
                store(c01, c + r * ldc + j + 8)
                store(c10, c + (r + 1) * ldc + j)
                store(c11, c + (r + 1) * ldc + j + 8)
                store(c20, c + (r + 2) * ldc + j)
                store(c21, c + (r + 2) * ldc + j + 8)
                store(c30, c + (r + 3) * ldc + j)
                store(c31, c + (r + 3) * ldc + j + 8)
                j += 16
            }
            while j < n {
                var c0 = load(c + r * ldc + j)
                var c1 = load(c + (r + 1) * ldc + j)
                var c2 = load(c + (r + 2) * ldc + j)
                var c3 = load(c + (r + 3) * ldc + j)
                for kk in 0..<k {
                    let w = load(b + kk * n + j)
                    c0 += SIMD8(repeating: a[r * lda + kk]) * w
                    c1 += SIMD8(repeating: a[(r + 1) * lda + kk]) * w
                    c2 += SIMD8(repeating: a[(r + 2) * lda + kk]) * w
                    c3 += SIMD8(repeating: a[(r + 3) * lda + kk]) * w
                }
                store(c0, c + r * ldc + j)
                store(c1, c + (r + 1) * ldc + j)
                store(c2, c + (r + 2) * ldc + j)
                store(c3, c + (r + 3) * ldc + j)
                j += 8
            }
            r += 4
        }
        while r < rows {
            // One row: accumulators for 32 columns stay in registers while b streams past once.
            let row = c + r * ldc
            let x = a + r * lda
            var j = 0
            while j + 32 <= n {
                var c0 = load(row + j)
                var c1 = load(row + j + 8)
                var c2 = load(row + j + 16)
                var c3 = load(row + j + 24)
                for kk in 0..<k {
                    let scalar = SIMD8<Float>(repeating: x[kk])
                    let weights = b + kk * n + j
                    c0 += scalar * load(weights)
                    c1 += scalar * load(weights + 8)
                    c2 += scalar * load(weights + 16)
                    c3 += scalar * load(weights + 24)
                }
                store(c0, row + j)
                store(c1, row + j + 8)
                store(c2, row + j + 16)
                store(c3, row + j + 24)
                j += 32
            }
            while j < n {
                var c0 = load(row + j)
                for kk in 0..<k { c0.addProduct(SIMD8(repeating: x[kk]), load(b + kk * n + j)) }
                store(c0, row + j)
                j += 8
            }
            r += 1
        }
    }
}
