/// The register-tiled matrix kernels of the inference path.
///
/// Weights are packed in panels of 16 columns (`PackedWeights`): panel p holds rows k = 0..<K of
/// columns 16p..<16p+16 one after another, so every kernel reads its weights front to back. The
/// batched path keeps six streams × one panel in twelve eight-lane accumulators (two weight loads
/// feed twelve multiply-adds); a single stream keeps one row × four panels (64 gate columns) in
/// eight accumulators, enough independent chains to hide the multiply-add latency.
///
/// Built with `-D VIGIL_FMA` (for a CPU with FMA, e.g. `-target-cpu x86-64-v3`), every
/// multiply-add is one fused instruction; otherwise a multiply and an add, which on a CPU without
/// FMA is the fast choice (the fused form would become a library call per lane).
enum Kernels {
    /// Columns per packed panel.
    static let panelWidth = 16

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// `accumulator += a · b`, one fused instruction where the build allows it.
    @inline(__always)
    static func multiplyAdd(_ accumulator: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        #if VIGIL_FMA
        accumulator.addProduct(a, b)
        #else
        accumulator += a * b
        #endif
    }

    /// One operand of a product: rows of `a` `lda` apart, `k` columns, multiplied by the packed
    /// weight rows starting at row `firstRow` of every panel.
    struct Operand {
        var a: UnsafePointer<Float>
        var lda: Int
        var k: Int
        var firstRow: Int
    }

    /// `z[r][0..<panels·16] = bias + Σ operands a[r] · W` for `Rows.count` rows (1 to 6; a type so
    /// that each tile height is its own specialisation), W packed with `panelRows` rows per panel.
    @inline(__always)
    static func product<Rows: TileRows>(
        _ rows: Rows.Type,
        _ first: Operand,
        _ second: Operand?,
        weights: UnsafePointer<Float>,
        panelRows: Int,
        panels: Int,
        bias: UnsafePointer<Float>,
        z: UnsafeMutablePointer<Float>,
        ldz: Int
    ) {
        let panelStride = panelRows * panelWidth
        var p = 0
        if Rows.count == 1 {
            while p + 4 <= panels {
                var tile = WideRowTile(bias: bias + p * panelWidth)
                let panel = weights + p * panelStride
                tile.accumulate(first, panels: panel, stride: panelStride)
                if let second { tile.accumulate(second, panels: panel, stride: panelStride) }
                tile.store(z + p * panelWidth)
                p += 4
            }
        }
        while p < panels {
            var tile = RowTile(bias: bias + p * panelWidth)
            let panel = weights + p * panelStride
            tile.accumulate(Rows.self, first, panel: panel)
            if let second { tile.accumulate(Rows.self, second, panel: panel) }
            tile.store(Rows.self, z + p * panelWidth, ldz: ldz)
            p += 1
        }
    }
}

/// A tile height, as a type so that the kernels are specialised for each.
protocol TileRows {
    static var count: Int { get }
}

/// Tile heights 1 to 6.
enum OneRow: TileRows { static var count: Int { 1 } }
enum TwoRows: TileRows { static var count: Int { 2 } }
enum ThreeRows: TileRows { static var count: Int { 3 } }
enum FourRows: TileRows { static var count: Int { 4 } }
enum FiveRows: TileRows { static var count: Int { 5 } }
enum SixRows: TileRows { static var count: Int { 6 } }

/// Accumulators for up to six rows × one 16-column panel.
struct RowTile {
    var c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b, c4a, c4b, c5a, c5b: SIMD8<Float>

    @inline(__always)
    init(bias: UnsafePointer<Float>) {
        let low = Kernels.load(bias)
        let high = Kernels.load(bias + 8)
        (c0a, c1a, c2a, c3a, c4a, c5a) = (low, low, low, low, low, low)
        (c0b, c1b, c2b, c3b, c4b, c5b) = (high, high, high, high, high, high)
    }

    @inline(__always)
    mutating func accumulate<Rows: TileRows>(_: Rows.Type, _ operand: Kernels.Operand, panel: UnsafePointer<Float>) {
        var w = panel + operand.firstRow * Kernels.panelWidth
        let a0 = operand.a
        if Rows.count == 1 {
            // One row: split k over three extra pairs of accumulators to break the dependency chain.
            let zero = SIMD8<Float>()
            (c1a, c1b, c2a, c2b, c3a, c3b) = (zero, zero, zero, zero, zero, zero)
            var kk = 0
            while kk + 4 <= operand.k {
                var s = SIMD8(repeating: a0[kk])
                Kernels.multiplyAdd(&c0a, s, Kernels.load(w))
                Kernels.multiplyAdd(&c0b, s, Kernels.load(w + 8))
                s = SIMD8(repeating: a0[kk + 1])
                Kernels.multiplyAdd(&c1a, s, Kernels.load(w + 16))
                Kernels.multiplyAdd(&c1b, s, Kernels.load(w + 24))
                s = SIMD8(repeating: a0[kk + 2])
                Kernels.multiplyAdd(&c2a, s, Kernels.load(w + 32))
                Kernels.multiplyAdd(&c2b, s, Kernels.load(w + 40))
                s = SIMD8(repeating: a0[kk + 3])
                Kernels.multiplyAdd(&c3a, s, Kernels.load(w + 48))
                Kernels.multiplyAdd(&c3b, s, Kernels.load(w + 56))
                w += 64
                kk += 4
            }
            while kk < operand.k {
                let s = SIMD8(repeating: a0[kk])
                Kernels.multiplyAdd(&c0a, s, Kernels.load(w))
                Kernels.multiplyAdd(&c0b, s, Kernels.load(w + 8))
                w += 16
                kk += 1
            }
            c0a += (c1a + c2a) + c3a
            c0b += (c1b + c2b) + c3b
            return
        }
        let lda = operand.lda
        let a1 = a0 + lda
        let a2 = a1 + lda
        let a3 = a2 + lda
        let a4 = a3 + lda
        let a5 = a4 + lda
        for kk in 0..<operand.k {
            let low = Kernels.load(w)
            let high = Kernels.load(w + 8)
            var s = SIMD8(repeating: a0[kk])
            Kernels.multiplyAdd(&c0a, s, low)
            Kernels.multiplyAdd(&c0b, s, high)
            s = SIMD8(repeating: a1[kk])
            Kernels.multiplyAdd(&c1a, s, low)
            Kernels.multiplyAdd(&c1b, s, high)
            if Rows.count > 2 {
                s = SIMD8(repeating: a2[kk])
                Kernels.multiplyAdd(&c2a, s, low)
                Kernels.multiplyAdd(&c2b, s, high)
            }
            if Rows.count > 3 {
                s = SIMD8(repeating: a3[kk])
                Kernels.multiplyAdd(&c3a, s, low)
                Kernels.multiplyAdd(&c3b, s, high)
            }
            if Rows.count > 4 {
                s = SIMD8(repeating: a4[kk])
                Kernels.multiplyAdd(&c4a, s, low)
                Kernels.multiplyAdd(&c4b, s, high)
            }
            if Rows.count > 5 {
                s = SIMD8(repeating: a5[kk])
                Kernels.multiplyAdd(&c5a, s, low)
                Kernels.multiplyAdd(&c5b, s, high)
            }
            w += 16
        }
    }

    @inline(__always)
    func store<Rows: TileRows>(_: Rows.Type, _ z: UnsafeMutablePointer<Float>, ldz: Int) {
        Kernels.store(c0a, z)
        Kernels.store(c0b, z + 8)
        if Rows.count > 1 {
            Kernels.store(c1a, z + ldz)
            Kernels.store(c1b, z + ldz + 8)
        }
        if Rows.count > 2 {
            Kernels.store(c2a, z + 2 * ldz)
            Kernels.store(c2b, z + 2 * ldz + 8)
        }
        if Rows.count > 3 {
            Kernels.store(c3a, z + 3 * ldz)
            Kernels.store(c3b, z + 3 * ldz + 8)
        }
        if Rows.count > 4 {
            Kernels.store(c4a, z + 4 * ldz)
            Kernels.store(c4b, z + 4 * ldz + 8)
        }
        if Rows.count > 5 {
            Kernels.store(c5a, z + 5 * ldz)
            Kernels.store(c5b, z + 5 * ldz + 8)
        }
    }
}

/// Accumulators for one row × four consecutive panels (64 columns): the streaming step.
struct WideRowTile {
    var c0, c1, c2, c3, c4, c5, c6, c7: SIMD8<Float>

    @inline(__always)
    init(bias: UnsafePointer<Float>) {
        c0 = Kernels.load(bias)
        c1 = Kernels.load(bias + 8)
        c2 = Kernels.load(bias + 16)
        c3 = Kernels.load(bias + 24)
        c4 = Kernels.load(bias + 32)
        c5 = Kernels.load(bias + 40)
        c6 = Kernels.load(bias + 48)
        c7 = Kernels.load(bias + 56)
    }

    @inline(__always)
    mutating func accumulate(_ operand: Kernels.Operand, panels: UnsafePointer<Float>, stride: Int) {
        let offset = operand.firstRow * Kernels.panelWidth
        var w0 = panels + offset
        var w1 = w0 + stride
        var w2 = w1 + stride
        var w3 = w2 + stride
        let a = operand.a
        for kk in 0..<operand.k {
            let s = SIMD8(repeating: a[kk])
            Kernels.multiplyAdd(&c0, s, Kernels.load(w0))
            Kernels.multiplyAdd(&c1, s, Kernels.load(w0 + 8))
            Kernels.multiplyAdd(&c2, s, Kernels.load(w1))
            Kernels.multiplyAdd(&c3, s, Kernels.load(w1 + 8))
            Kernels.multiplyAdd(&c4, s, Kernels.load(w2))
            Kernels.multiplyAdd(&c5, s, Kernels.load(w2 + 8))
            Kernels.multiplyAdd(&c6, s, Kernels.load(w3))
            Kernels.multiplyAdd(&c7, s, Kernels.load(w3 + 8))
            w0 += 16
            w1 += 16
            w2 += 16
            w3 += 16
        }
    }

    @inline(__always)
    func store(_ z: UnsafeMutablePointer<Float>) {
        Kernels.store(c0, z)
        Kernels.store(c1, z + 8)
        Kernels.store(c2, z + 16)
        Kernels.store(c3, z + 24)
        Kernels.store(c4, z + 32)
        Kernels.store(c5, z + 40)
        Kernels.store(c6, z + 48)
        Kernels.store(c7, z + 56)
    }
}
