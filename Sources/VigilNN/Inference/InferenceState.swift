/// The carried state of `streams` streams of an `InferenceNetwork`, with all scratch preallocated.
public struct InferenceState: Sendable {
    /// Streams stepped together through the kernels (the register tile's height).
    static let blockRows = 6

    /// Where each part lives in `storage`.
    struct Offsets: Sendable {
        struct Layer: Sendable {
            /// `[streams][H]` hidden states.
            let hidden: Int
            /// `[streams][H]` cell states (LSTM).
            let cell: Int
        }
        let layers: [Layer]
        /// Scratch `[blockRows][widest]` for gate pre-activations and the head's outputs.
        let gates: Int
        /// Scratch `[blockRows][widest]` for the hidden part of GRU gates.
        let hiddenGates: Int
    }

    /// Number of streams.
    public let streams: Int
    var storage: [Float]
    let offsets: Offsets
    let hiddenSizes: [Int]
    let isLSTM: [Bool]

    init(network: InferenceNetwork, streams: Int) {
        self.streams = streams
        var offset = 0
        var layers: [Offsets.Layer] = []
        var widest = network.headWidth
        for layer in network.layers {
            let hidden = offset
            offset += streams * layer.hiddenSize
            let cell = offset
            if layer.kind == .lstm { offset += streams * layer.hiddenSize }
            layers.append(Offsets.Layer(hidden: hidden, cell: cell))
            widest = max(widest, layer.width)
        }
        let gates = offset
        offset += Self.blockRows * widest
        let hiddenGates = offset
        offset += Self.blockRows * widest
        offsets = Offsets(layers: layers, gates: gates, hiddenGates: hiddenGates)
        hiddenSizes = network.layers.map(\.hiddenSize)
        isLSTM = network.layers.map { $0.kind == .lstm }
        storage = Array(repeating: 0, count: offset)
    }

    /// The hidden states `[streams][H]` of a layer.
    public func hiddenState(layer: Int) -> [Float] {
        let start = offsets.layers[layer].hidden
        return Array(storage[start..<start + streams * hiddenSizes[layer]])
    }

    /// The cell states `[streams][H]` of an LSTM layer (empty for a GRU layer).
    public func cellState(layer: Int) -> [Float] {
        guard isLSTM[layer] else { return [] }
        let start = offsets.layers[layer].cell
        return Array(storage[start..<start + streams * hiddenSizes[layer]])
    }

    /// Replaces the hidden states `[streams][H]` of a layer (a restored or chosen initial state).
    public mutating func setHiddenState(layer: Int, _ values: [Float]) {
        let start = offsets.layers[layer].hidden
        precondition(values.count == streams * hiddenSizes[layer], "hidden state of the wrong size")
        storage.replaceSubrange(start..<start + values.count, with: values)
    }

    /// Replaces the cell states `[streams][H]` of an LSTM layer.
    public mutating func setCellState(layer: Int, _ values: [Float]) {
        precondition(isLSTM[layer], "layer \(layer) has no cell state")
        let start = offsets.layers[layer].cell
        precondition(values.count == streams * hiddenSizes[layer], "cell state of the wrong size")
        storage.replaceSubrange(start..<start + values.count, with: values)
    }

    /// Every stream back to zero state.
    public mutating func reset() {
        for index in storage.indices { storage[index] = 0 }
    }
}
