/// The weights of an `InferenceNetwork` in one 64-byte-aligned block, written once while the
/// network is built and only read afterwards (so sharing it between threads is safe).
final class PackedWeights: @unchecked Sendable {
    /// The first float.
    let base: UnsafeMutablePointer<Float>
    /// Floats in the block.
    let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { base.deallocate() }

    /// Columns padded to whole panels.
    static func paddedWidth(_ columns: Int) -> Int {
        (columns + Kernels.panelWidth - 1) / Kernels.panelWidth * Kernels.panelWidth
    }

    /// Writes `value(k, column)` for a `[rows × columns]` matrix in panels of 16 columns, starting at
    /// `offset`: element (k, j) goes to offset + (j / 16)·rows·16 + k·16 + j % 16.
    func pack(at offset: Int, rows: Int, columns: Int, _ value: (_ k: Int, _ column: Int) -> Float) {
        let width = Kernels.panelWidth
        for column in 0..<columns {
            let panel = base + offset + (column / width) * rows * width + column % width
            for k in 0..<rows { panel[k * width] = value(k, column) }
        }
    }

    /// Writes a vector at `offset`.
    func write(at offset: Int, count: Int, _ value: (Int) -> Float) {
        for index in 0..<count { base[offset + index] = value(index) }
    }
}
