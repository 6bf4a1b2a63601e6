/// A `RecurrentNetwork<Float>` repacked for fast inference: each layer's weights transposed and
/// packed in panels of 16 gate columns (LSTM: one `[(I+H) × 4H]` matrix, x rows then h rows; GRU:
/// `[I × 3H]` and `[H × 3H]`), biases pre-summed where the maths allows, and eight-lane
/// activations. Streams are stepped six at a time through every layer and the head, so each
/// block's gates stay in the first-level cache. Results equal the training network's to about 1e-6.
///
/// ```swift
/// let engine = InferenceNetwork(network)
/// var state = engine.makeState(streams: 1)
/// engine.step(input, state: &state, output: output)  // one new sample, one prediction, no allocation
/// ```
public struct InferenceNetwork: Sendable {
    /// Where one layer's packed weights live, and its shape.
    struct LayerPlan: Sendable {
        let kind: RecurrentKind
        let inputSize: Int
        let hiddenSize: Int
        /// Gate columns padded to whole panels.
        let width: Int
        /// LSTM: `[(I+H) × width]`. GRU: the input part `[I × width]`.
        let weights: Int
        /// GRU only: the hidden part `[H × width]`.
        let hiddenWeights: Int
        /// LSTM: b_ih + b_hh. GRU: b_ih.
        let bias: Int
        /// GRU only: b_hh.
        let hiddenBias: Int

        var panels: Int { width / Kernels.panelWidth }
    }

    let storage: PackedWeights
    let layers: [LayerPlan]
    /// The head: `[H × headWidth]` packed, and its bias.
    let headWeights: Int
    let headBias: Int
    let headWidth: Int
    let headActivation: Activation
    /// Input features.
    public let inputSize: Int
    /// Output features.
    public let outputSize: Int

    /// Repacks a trained network.
    public init(_ network: RecurrentNetwork<Float>) {
        // First the layout, then one allocation, then the packing.
        var count = 0
        func reserve(_ floats: Int) -> Int {
            defer { count += floats }
            return count
        }
        var layers: [LayerPlan] = []
        for layer in network.recurrent {
            let (I, H) = (layer.inputSize, layer.hiddenSize)
            switch layer.kind {
            case .lstm:
                let width = PackedWeights.paddedWidth(4 * H)
                let weights = reserve((I + H) * width)
                let bias = reserve(width)
                layers.append(
                    LayerPlan(
                        kind: .lstm,
                        inputSize: I,
                        hiddenSize: H,
                        width: width,
                        weights: weights,
                        hiddenWeights: 0,
                        bias: bias,
                        hiddenBias: 0
                    )
                )
            case .gru:
                let width = PackedWeights.paddedWidth(3 * H)
                let weights = reserve(I * width)
                let hiddenWeights = reserve(H * width)
                let bias = reserve(width)
                let hiddenBias = reserve(width)
                layers.append(
                    LayerPlan(
                        kind: .gru,
                        inputSize: I,
                        hiddenSize: H,
                        width: width,
                        weights: weights,
                        hiddenWeights: hiddenWeights,
                        bias: bias,
                        hiddenBias: hiddenBias
                    )
                )
            }
        }
        let head = network.head
        headWidth = PackedWeights.paddedWidth(head.outputSize)
        headWeights = reserve(head.inputSize * headWidth)
        headBias = reserve(headWidth)

        let storage = PackedWeights(count: count)
        for (plan, layer) in zip(layers, network.recurrent) {
            let (I, H) = (plan.inputSize, plan.hiddenSize)
            switch layer {
            case .lstm(let lstm):
                storage.pack(at: plan.weights, rows: I + H, columns: 4 * H) { k, row in
                    k < I ? lstm.weightIH[row * I + k] : lstm.weightHH[row * H + k - I]
                }
                storage.write(at: plan.bias, count: 4 * H) { lstm.biasIH[$0] + lstm.biasHH[$0] }
            case .gru(let gru):
                storage.pack(at: plan.weights, rows: I, columns: 3 * H) { k, row in gru.weightIH[row * I + k] }
                storage.pack(at: plan.hiddenWeights, rows: H, columns: 3 * H) { k, row in gru.weightHH[row * H + k] }
                storage.write(at: plan.bias, count: 3 * H) { gru.biasIH[$0] }
                storage.write(at: plan.hiddenBias, count: 3 * H) { gru.biasHH[$0] }
            }
        }
        storage.pack(at: headWeights, rows: head.inputSize, columns: head.outputSize) { k, o in
            head.weight[o * head.inputSize + k]
        }
        storage.write(at: headBias, count: head.outputSize) { head.bias[$0] }
        self.storage = storage
        self.layers = layers
        headActivation = head.activation
        inputSize = network.inputSize
        outputSize = head.outputSize
    }

    /// A zero state for `streams` independent streams.
    public func makeState(streams: Int) -> InferenceState {
        InferenceState(network: self, streams: streams)
    }

    /// One step for every stream of `state`: `inputs` `[N][I]` in, `outputs` `[N][O]` out.
    /// Allocates nothing.
    public func step(
        _ inputs: UnsafeBufferPointer<Float>,
        state: inout InferenceState,
        outputs: UnsafeMutableBufferPointer<Float>
    ) {
        let n = state.streams
        precondition(inputs.count == n * inputSize && outputs.count == n * outputSize)
        guard n > 0 else { return }
        let x = inputs.baseAddress!
        let y = outputs.baseAddress!
        let offsets = state.offsets
        state.storage.withUnsafeMutableBufferPointer { buffer in
            let memory = buffer.baseAddress!
            var first = 0
            while first < n {
                let rows = min(InferenceState.blockRows, n - first)
                switch rows {
                case 1: block(OneRow.self, first: first, x, y, memory, offsets)
                case 2: block(TwoRows.self, first: first, x, y, memory, offsets)
                case 3: block(ThreeRows.self, first: first, x, y, memory, offsets)
                case 4: block(FourRows.self, first: first, x, y, memory, offsets)
                case 5: block(FiveRows.self, first: first, x, y, memory, offsets)
                default: block(SixRows.self, first: first, x, y, memory, offsets)
                }
                first += rows
            }
        }
    }

    /// Steps streams `first..<first+rows` through every layer and the head.
    @inline(__always)
    private func block<Rows: TileRows>(
        _ rows: Rows.Type,
        first: Int,
        _ x: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>,
        _ memory: UnsafeMutablePointer<Float>,
        _ offsets: InferenceState.Offsets
    ) {
        let weights = UnsafePointer(storage.base)
        let z = memory + offsets.gates
        let zh = memory + offsets.hiddenGates
        var input = x + first * inputSize
        var inputWidth = inputSize
        for (index, layer) in layers.enumerated() {
            let H = layer.hiddenSize
            let h = memory + offsets.layers[index].hidden + first * H
            let xOperand = Kernels.Operand(a: input, lda: inputWidth, k: layer.inputSize, firstRow: 0)
            switch layer.kind {
            case .lstm:
                let c = memory + offsets.layers[index].cell + first * H
                Kernels.product(
                    rows,
                    xOperand,
                    Kernels.Operand(a: h, lda: H, k: H, firstRow: layer.inputSize),
                    weights: weights + layer.weights,
                    panelRows: layer.inputSize + H,
                    panels: layer.panels,
                    bias: weights + layer.bias,
                    z: z,
                    ldz: layer.width
                )
                for row in 0..<Rows.count {
                    Self.lstmCells(z: z + row * layer.width, h: h + row * H, c: c + row * H, hidden: H)
                }
            case .gru:
                Kernels.product(
                    rows,
                    xOperand,
                    nil,
                    weights: weights + layer.weights,
                    panelRows: layer.inputSize,
                    panels: layer.panels,
                    bias: weights + layer.bias,
                    z: z,
                    ldz: layer.width
                )
                Kernels.product(
                    rows,
                    Kernels.Operand(a: h, lda: H, k: H, firstRow: 0),
                    nil,
                    weights: weights + layer.hiddenWeights,
                    panelRows: H,
                    panels: layer.panels,
                    bias: weights + layer.hiddenBias,
                    z: zh,
                    ldz: layer.width
                )
                for row in 0..<Rows.count {
                    Self.gruCells(x: z + row * layer.width, hh: zh + row * layer.width, h: h + row * H, hidden: H)
                }
            }
            input = UnsafePointer(h)
            inputWidth = H
        }
        Kernels.product(
            rows,
            Kernels.Operand(a: input, lda: inputWidth, k: inputWidth, firstRow: 0),
            nil,
            weights: weights + headWeights,
            panelRows: inputWidth,
            panels: headWidth / Kernels.panelWidth,
            bias: weights + headBias,
            z: z,
            ldz: headWidth
        )
        let out = y + first * outputSize
        for row in 0..<Rows.count {
            for o in 0..<outputSize {
                out[row * outputSize + o] = headActivation.apply(z[row * headWidth + o])
            }
        }
    }

    @inline(__always)
    static func lstmCells(
        z: UnsafeMutablePointer<Float>,
        h: UnsafeMutablePointer<Float>,
        c: UnsafeMutablePointer<Float>,
        hidden H: Int
    ) {
        var j = 0
        while j + 8 <= H {
            let i = VectorMath.sigmoid(Kernels.load(z + j))
            let f = VectorMath.sigmoid(Kernels.load(z + H + j))
            let g = VectorMath.tanh(Kernels.load(z + 2 * H + j))
            let o = VectorMath.sigmoid(Kernels.load(z + 3 * H + j))
            var cell = i * g
            Kernels.multiplyAdd(&cell, f, Kernels.load(c + j))
            Kernels.store(cell, c + j)
            Kernels.store(o * VectorMath.tanh(cell), h + j)
            j += 8
        }
        while j < H {
            let cell = Float.sigmoid(z[H + j]) * c[j] + Float.sigmoid(z[j]) * Float.tanh(z[2 * H + j])
            c[j] = cell
            h[j] = Float.sigmoid(z[3 * H + j]) * Float.tanh(cell)
            j += 1
        }
    }

    @inline(__always)
    static func gruCells(
        x: UnsafeMutablePointer<Float>,
        hh: UnsafeMutablePointer<Float>,
        h: UnsafeMutablePointer<Float>,
        hidden H: Int
    ) {
        var j = 0
        while j + 8 <= H {
            let r = VectorMath.sigmoid(Kernels.load(x + j) + Kernels.load(hh + j))
            let z = VectorMath.sigmoid(Kernels.load(x + H + j) + Kernels.load(hh + H + j))
            var preactivation = Kernels.load(x + 2 * H + j)
            Kernels.multiplyAdd(&preactivation, r, Kernels.load(hh + 2 * H + j))
            let n = VectorMath.tanh(preactivation)
            // (1 − z)·n + z·h = n + z·(h − n)
            var next = n
            Kernels.multiplyAdd(&next, z, Kernels.load(h + j) - n)
            Kernels.store(next, h + j)
            j += 8
        }
        while j < H {
            let r = Float.sigmoid(x[j] + hh[j])
            let z = Float.sigmoid(x[H + j] + hh[H + j])
            let n = Float.tanh(x[2 * H + j] + r * hh[2 * H + j])
            h[j] = (1 - z) * n + z * h[j]
            j += 1
        }
    }
}
