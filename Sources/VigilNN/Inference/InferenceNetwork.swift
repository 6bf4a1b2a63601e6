/// A `RecurrentNetwork<Float>` repacked for fast inference: each layer's weights transposed into
/// one `[(I+H) × 4H]` (LSTM) or two `[I × 3H]`, `[H × 3H]` (GRU) matrices with eight-aligned rows,
/// biases pre-summed where the maths allows, and eight-lane activations. Results equal the
/// training network's to about 1e-6.
///
/// ```swift
/// let engine = InferenceNetwork(network)
/// var state = engine.makeState(streams: 1)
/// engine.step(input, state: &state, output: output)  // one new sample, one prediction, no allocation
/// ```
public struct InferenceNetwork: Sendable {
    struct Layer: Sendable {
        let kind: RecurrentKind
        let inputSize: Int
        let hiddenSize: Int
        /// Padded width of the gate vector.
        let width: Int
        /// LSTM: `[(I+H) × width]`, x rows then h rows. GRU: the input part `[I × width]`.
        let weights: [Float]
        /// GRU only: the hidden part `[H × width]`.
        let hiddenWeights: [Float]
        /// LSTM: b_ih + b_hh. GRU: b_ih.
        let bias: [Float]
        /// GRU only: b_hh.
        let hiddenBias: [Float]
    }

    let layers: [Layer]
    let headWeights: [Float]  // [H × headWidth]
    let headBias: [Float]
    let headWidth: Int
    let headActivation: Activation
    /// Input features.
    public let inputSize: Int
    /// Output features.
    public let outputSize: Int

    /// Repacks a trained network.
    public init(_ network: RecurrentNetwork<Float>) {
        var layers: [Layer] = []
        for layer in network.recurrent {
            let H = layer.hiddenSize
            let I = layer.inputSize
            switch layer {
            case .lstm(let lstm):
                let width = Self.padded(4 * H)
                var weights = [Float](repeating: 0, count: (I + H) * width)
                for row in 0..<(4 * H) {
                    for k in 0..<I { weights[k * width + row] = lstm.weightIH[row * I + k] }
                    for k in 0..<H { weights[(I + k) * width + row] = lstm.weightHH[row * H + k] }
                }
                var bias = [Float](repeating: 0, count: width)
                for row in 0..<(4 * H) { bias[row] = lstm.biasIH[row] + lstm.biasHH[row] }
                layers.append(
                    Layer(
                        kind: .lstm,
                        inputSize: I,
                        hiddenSize: H,
                        width: width,
                        weights: weights,
                        hiddenWeights: [],
                        bias: bias,
                        hiddenBias: []
                    )
                )
            case .gru(let gru):
                let width = Self.padded(3 * H)
                var weights = [Float](repeating: 0, count: I * width)
                var hiddenWeights = [Float](repeating: 0, count: H * width)
                for row in 0..<(3 * H) {
                    for k in 0..<I { weights[k * width + row] = gru.weightIH[row * I + k] }
                    for k in 0..<H { hiddenWeights[k * width + row] = gru.weightHH[row * H + k] }
                }
                var bias = [Float](repeating: 0, count: width)
                var hiddenBias = [Float](repeating: 0, count: width)
                for row in 0..<(3 * H) {
                    bias[row] = gru.biasIH[row]
                    hiddenBias[row] = gru.biasHH[row]
                }
                layers.append(
                    Layer(
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
        self.layers = layers
        let head = network.head
        headWidth = Self.padded(head.outputSize)
        var headWeights = [Float](repeating: 0, count: head.inputSize * headWidth)
        var headBias = [Float](repeating: 0, count: headWidth)
        for o in 0..<head.outputSize {
            for k in 0..<head.inputSize { headWeights[k * headWidth + o] = head.weight[o * head.inputSize + k] }
            headBias[o] = head.bias[o]
        }
        self.headWeights = headWeights
        self.headBias = headBias
        headActivation = head.activation
        inputSize = network.inputSize
        outputSize = head.outputSize
    }

    private static func padded(_ count: Int) -> Int { (count + 7) / 8 * 8 }

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
        state.storage.withUnsafeMutableBufferPointer { storage in
            let base = storage.baseAddress!
            var layerInput = UnsafePointer(inputs.baseAddress!)
            var layerInputWidth = inputSize
            for (index, layer) in layers.enumerated() {
                let h = base + state.hiddenOffsets[index]
                let H = layer.hiddenSize
                let z = base + state.gatesOffset
                switch layer.kind {
                case .lstm:
                    let c = base + state.cellOffsets[index]
                    let concat = base + state.concatOffset
                    let K = layer.inputSize + H
                    for stream in 0..<n {
                        (concat + stream * K).update(
                            from: layerInput + stream * layerInputWidth,
                            count: layer.inputSize
                        )
                        (concat + stream * K + layer.inputSize).update(from: h + stream * H, count: H)
                        (z + stream * layer.width).update(from: layer.bias, count: layer.width)
                    }
                    layer.weights.withUnsafeBufferPointer { weights in
                        Kernels.multiplyAdd(
                            a: concat,
                            lda: K,
                            rows: n,
                            k: K,
                            b: weights.baseAddress!,
                            n: layer.width,
                            c: z,
                            ldc: layer.width
                        )
                    }
                    for stream in 0..<n {
                        Self.lstmCells(z: z + stream * layer.width, h: h + stream * H, c: c + stream * H, hidden: H)
                    }
                case .gru:
                    let zh = base + state.hiddenGatesOffset
                    for stream in 0..<n {
                        (z + stream * layer.width).update(from: layer.bias, count: layer.width)
                        (zh + stream * layer.width).update(from: layer.hiddenBias, count: layer.width)
                    }
                    layer.weights.withUnsafeBufferPointer { weights in
                        Kernels.multiplyAdd(
                            a: layerInput,
                            lda: layerInputWidth,
                            rows: n,
                            k: layer.inputSize,
                            b: weights.baseAddress!,
                            n: layer.width,
                            c: z,
                            ldc: layer.width
                        )
                    }
                    layer.hiddenWeights.withUnsafeBufferPointer { weights in
                        Kernels.multiplyAdd(
                            a: h,
                            lda: H,
                            rows: n,
                            k: H,
                            b: weights.baseAddress!,
                            n: layer.width,
                            c: zh,
                            ldc: layer.width
                        )
                    }
                    for stream in 0..<n {
                        Self.gruCells(
                            x: z + stream * layer.width,
                            hh: zh + stream * layer.width,
                            h: h + stream * H,
                            hidden: H
                        )
                    }
                }
                layerInput = UnsafePointer(h)
                layerInputWidth = H
            }
            let y = base + state.gatesOffset
            for stream in 0..<n { (y + stream * headWidth).update(from: headBias, count: headWidth) }
            headWeights.withUnsafeBufferPointer { weights in
                Kernels.multiplyAdd(
                    a: layerInput,
                    lda: layerInputWidth,
                    rows: n,
                    k: layerInputWidth,
                    b: weights.baseAddress!,
                    n: headWidth,
                    c: y,
                    ldc: headWidth
                )
            }
            for stream in 0..<n {
                for o in 0..<outputSize {
                    outputs[stream * outputSize + o] = headActivation.apply(y[stream * headWidth + o])
                }
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
            let cell = f * Kernels.load(c + j) + i * g
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
            let n = VectorMath.tanh(Kernels.load(x + 2 * H + j) + r * Kernels.load(hh + 2 * H + j))
            Kernels.store((1 - z) * n + z * Kernels.load(h + j), h + j)
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

/// The carried state of `streams` streams of an `InferenceNetwork`, with all scratch preallocated.
public struct InferenceState: Sendable {
    /// Number of streams.
    public let streams: Int
    var storage: [Float]
    let hiddenOffsets: [Int]
    let cellOffsets: [Int]
    let hiddenSizes: [Int]
    let isLSTM: [Bool]
    let concatOffset: Int
    let gatesOffset: Int
    let hiddenGatesOffset: Int

    init(network: InferenceNetwork, streams: Int) {
        self.streams = streams
        var offset = 0
        var hidden: [Int] = []
        var cells: [Int] = []
        var widest = network.headWidth
        var widestConcat = 0
        for layer in network.layers {
            hidden.append(offset)
            offset += streams * layer.hiddenSize
            cells.append(offset)
            if layer.kind == .lstm { offset += streams * layer.hiddenSize }
            widest = max(widest, layer.width)
            widestConcat = max(widestConcat, layer.inputSize + layer.hiddenSize)
        }
        hiddenOffsets = hidden
        cellOffsets = cells
        hiddenSizes = network.layers.map(\.hiddenSize)
        isLSTM = network.layers.map { $0.kind == .lstm }
        concatOffset = offset
        offset += streams * widestConcat
        gatesOffset = offset
        offset += streams * widest
        hiddenGatesOffset = offset
        offset += streams * widest
        storage = Array(repeating: 0, count: offset + 8)
    }

    /// The hidden states `[streams][H]` of a layer.
    public func hiddenState(layer: Int) -> [Float] {
        Array(storage[hiddenOffsets[layer]..<hiddenOffsets[layer] + streams * hiddenSizes[layer]])
    }

    /// The cell states `[streams][H]` of an LSTM layer (empty for a GRU layer).
    public func cellState(layer: Int) -> [Float] {
        guard isLSTM[layer] else { return [] }
        return Array(storage[cellOffsets[layer]..<cellOffsets[layer] + streams * hiddenSizes[layer]])
    }

    /// Every stream back to zero state.
    public mutating func reset() {
        for index in storage.indices { storage[index] = 0 }
    }
}
