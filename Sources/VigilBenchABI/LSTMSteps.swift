import VigilNN

// A C-callable face of the engine for the shared benchmark harness (../shared/perf-anchors), so
// that Vigil's engine is timed in the same process as the plain C loop, LiteRT and ONNX Runtime,
// interleaved, on the same weights. Nothing else uses this module.

/// The engine, its state and the stream position, behind an opaque pointer.
final class BenchHandle {
    let engine: InferenceNetwork
    var state: InferenceState
    let batch: Int
    let input: Int
    let hidden: Int

    /// Moves the state out, leaving an empty one in its place.
    func takeState() -> InferenceState {
        var taken = engine.makeState(streams: 0)
        swap(&taken, &state)
        return taken
    }

    init(engine: InferenceNetwork, batch: Int, input: Int, hidden: Int) {
        self.engine = engine
        self.state = engine.makeState(streams: batch)
        self.batch = batch
        self.input = input
        self.hidden = hidden
    }
}

/// Builds an LSTM(I→H) + Linear(H→I) engine from the harness's weights: `wx` [4H×I], `wh` [4H×H],
/// `bias` [4H] (gates i, f, g, o), `wy` [I×H], `by` [I].
@_cdecl("vigil_lstm_create")
public func vigilLSTMCreate(
    _ batch: Int32,
    _ input: Int32,
    _ hidden: Int32,
    _ wx: UnsafePointer<Float>,
    _ wh: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>,
    _ wy: UnsafePointer<Float>,
    _ by: UnsafePointer<Float>
) -> UnsafeMutableRawPointer {
    let (B, I, H) = (Int(batch), Int(input), Int(hidden))
    let lstm = LSTMLayer<Float>(
        inputSize: I,
        hiddenSize: H,
        weightIH: Array(UnsafeBufferPointer(start: wx, count: 4 * H * I)),
        weightHH: Array(UnsafeBufferPointer(start: wh, count: 4 * H * H)),
        biasIH: Array(UnsafeBufferPointer(start: bias, count: 4 * H)),
        biasHH: Array(repeating: 0, count: 4 * H)
    )
    let head = DenseLayer<Float>(
        inputSize: H,
        outputSize: I,
        weight: Array(UnsafeBufferPointer(start: wy, count: I * H)),
        bias: Array(UnsafeBufferPointer(start: by, count: I))
    )
    let engine = InferenceNetwork(RecurrentNetwork(recurrent: [.lstm(lstm)], head: head))
    return Unmanaged.passRetained(BenchHandle(engine: engine, batch: B, input: I, hidden: H)).toOpaque()
}

/// Runs `n` steps on inputs `xs` [T][B][I] starting at step `start` (modulo T), then copies the
/// last outputs and the state to `y` [B][I], `h` [B][H], `c` [B][H].
@_cdecl("vigil_lstm_steps")
public func vigilLSTMSteps(
    _ handle: UnsafeMutableRawPointer,
    _ n: Int32,
    _ xs: UnsafePointer<Float>,
    _ steps: Int32,
    _ start: Int64,
    _ y: UnsafeMutablePointer<Float>,
    _ h: UnsafeMutablePointer<Float>,
    _ c: UnsafeMutablePointer<Float>
) {
    let bench = Unmanaged<BenchHandle>.fromOpaque(handle).takeUnretainedValue()
    let width = bench.batch * bench.input
    let outputs = UnsafeMutableBufferPointer(start: y, count: width)
    // The engine and state are taken out of the handle for the loop, as a caller holding them in
    // local variables would: no class-property access (and its exclusivity check) per step.
    let engine = bench.engine
    var state = bench.takeState()
    for t in 0..<Int64(n) {
        let offset = Int((start + t) % Int64(steps)) * width
        engine.step(UnsafeBufferPointer(start: xs + offset, count: width), state: &state, outputs: outputs)
    }
    bench.state = state
    let hidden = bench.state.hiddenState(layer: 0)
    let cells = bench.state.cellState(layer: 0)
    h.update(from: hidden, count: hidden.count)
    c.update(from: cells, count: cells.count)
}

/// Frees an engine made by `vigil_lstm_create`.
@_cdecl("vigil_lstm_destroy")
public func vigilLSTMDestroy(_ handle: UnsafeMutableRawPointer) {
    Unmanaged<BenchHandle>.fromOpaque(handle).release()
}
