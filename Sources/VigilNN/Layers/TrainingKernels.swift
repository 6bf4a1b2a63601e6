/// The inner loops of the layers' training passes, on raw pointers so that the compiler can
/// vectorise them. Each adds its terms to every element in the same order as the plain loop it
/// replaced (one term per row or column, in index order), so results are identical bit for bit.
enum TrainingKernels {
    /// `z[i] += Σₖ columns[k·n + i] · values[k]` for `i` in `0..<n`, `k` ascending: a matrix stored
    /// column by column times a vector.
    @inline(__always)
    static func addColumns<Scalar: NNScalar>(
        _ z: UnsafeMutablePointer<Scalar>,
        columns: UnsafePointer<Scalar>,
        values: UnsafePointer<Scalar>,
        count: Int,
        length n: Int
    ) {
        for k in 0..<count {
            let value = values[k]
            let column = columns + k * n
            for i in 0..<n { z[i] += column[i] * value }
        }
    }

    /// `out[k] += Σᵣ weights[r] · rows[r·n + k]` for `k` in `0..<n`, `r` ascending: a vector times a
    /// row-major matrix.
    @inline(__always)
    static func addRows<Scalar: NNScalar>(
        _ out: UnsafeMutablePointer<Scalar>,
        rows: UnsafePointer<Scalar>,
        weights: UnsafePointer<Scalar>,
        count: Int,
        length n: Int
    ) {
        for r in 0..<count {
            let weight = weights[r]
            let row = rows + r * n
            for k in 0..<n { out[k] += weight * row[k] }
        }
    }

    /// `g[r·n + k] += d[r] · v[k]`: an outer product added to a row-major gradient.
    @inline(__always)
    static func addOuter<Scalar: NNScalar>(
        _ g: UnsafeMutablePointer<Scalar>,
        d: UnsafePointer<Scalar>,
        v: UnsafePointer<Scalar>,
        rows: Int,
        length n: Int
    ) {
        for r in 0..<rows {
            let weight = d[r]
            let row = g + r * n
            for k in 0..<n { row[k] += weight * v[k] }
        }
    }
}

/// Calls `body` with the base addresses of two arrays (which must not be empty).
@inline(__always)
func withAddresses<Scalar, Result>(
    _ a: [Scalar],
    _ b: [Scalar],
    _ body: (UnsafePointer<Scalar>, UnsafePointer<Scalar>) -> Result
) -> Result {
    a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in body(a.baseAddress!, b.baseAddress!) } }
}

/// Calls `body` with the base addresses of two mutable arrays (which must not be empty).
@inline(__always)
func withMutableAddresses<Scalar, Result>(
    _ a: inout [Scalar],
    _ b: inout [Scalar],
    _ body: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>) -> Result
) -> Result {
    a.withUnsafeMutableBufferPointer { a in
        b.withUnsafeMutableBufferPointer { b in body(a.baseAddress!, b.baseAddress!) }
    }
}
