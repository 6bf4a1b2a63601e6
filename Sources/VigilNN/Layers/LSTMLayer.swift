/// A long short-term memory layer in PyTorch's layout: gates stacked as (i, f, g, o), each weight
/// matrix row-major, and both bias vectors.
///
/// ```
/// i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
/// c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
/// ```
public struct LSTMLayer<Scalar: NNScalar>: Sendable, Hashable, Codable {
    /// Input features.
    public let inputSize: Int
    /// Hidden units.
    public let hiddenSize: Int
    /// `[4H × I]`, row-major.
    public var weightIH: [Scalar]
    /// `[4H × H]`, row-major.
    public var weightHH: [Scalar]
    /// `[4H]`.
    public var biasIH: [Scalar]
    /// `[4H]`.
    public var biasHH: [Scalar]

    /// Creates a layer with PyTorch's initialisation, U(−1/√H, 1/√H), from `random`.
    public init(inputSize: Int, hiddenSize: Int, using random: inout some RandomNumberGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        func uniform(_ count: Int) -> [Scalar] { .uniform(count: count, bound: bound, using: &random) }
        weightIH = uniform(4 * hiddenSize * inputSize)
        weightHH = uniform(4 * hiddenSize * hiddenSize)
        biasIH = uniform(4 * hiddenSize)
        biasHH = uniform(4 * hiddenSize)
    }

    /// Creates a layer from given parameters.
    public init(
        inputSize: Int,
        hiddenSize: Int,
        weightIH: [Scalar],
        weightHH: [Scalar],
        biasIH: [Scalar],
        biasHH: [Scalar]
    ) {
        precondition(weightIH.count == 4 * hiddenSize * inputSize && weightHH.count == 4 * hiddenSize * hiddenSize)
        precondition(biasIH.count == 4 * hiddenSize && biasHH.count == 4 * hiddenSize)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    /// One step for one stream: reads `x` (I) and the state (h, c), writes the new state in place.
    /// `gates` is scratch of 4H; nothing is allocated.
    @inlinable
    public func step(
        x: UnsafeBufferPointer<Scalar>,
        h: UnsafeMutableBufferPointer<Scalar>,
        c: UnsafeMutableBufferPointer<Scalar>,
        gates: UnsafeMutableBufferPointer<Scalar>
    ) {
        let H = hiddenSize
        let I = inputSize
        weightIH.withUnsafeBufferPointer { wx in
            weightHH.withUnsafeBufferPointer { wh in
                for row in 0..<(4 * H) {
                    var sum = biasIH[row] + biasHH[row]
                    let xBase = row * I
                    for k in 0..<I { sum += wx[xBase + k] * x[k] }
                    let hBase = row * H
                    for k in 0..<H { sum += wh[hBase + k] * h[k] }
                    gates[row] = sum
                }
            }
        }
        for j in 0..<H {
            let i = Scalar.sigmoid(gates[j])
            let f = Scalar.sigmoid(gates[H + j])
            let g = Scalar.tanh(gates[2 * H + j])
            let o = Scalar.sigmoid(gates[3 * H + j])
            let cell = f * c[j] + i * g
            c[j] = cell
            h[j] = o * Scalar.tanh(cell)
        }
    }

    /// What the forward pass keeps for back-propagation: per step and stream the activated gates
    /// (i, f, g, o), the cell state and tanh of it.
    public struct Cache: Sendable {
        var gates: [Scalar]  // [T][B][4H]
        var cells: [Scalar]  // [T+1][B][H], index 0 is the initial cell state
        var hiddens: [Scalar]  // [T+1][B][H], index 0 is the initial hidden state
        var tanhCells: [Scalar]  // [T][B][H]
        let steps: Int
        let batch: Int

        /// The cell state after the last step, `[B][H]`.
        public var finalCell: [Scalar] { Array(cells[(steps * (cells.count / (steps + 1)))...]) }
    }

    /// Runs a sequence `[T][B][I]` from initial states `[B][H]`; returns the hidden states `[T][B][H]`
    /// and what back-propagation needs.
    @_specialize(exported:true,where Scalar == Float)
    public func forward(
        _ inputs: [Scalar],
        steps: Int,
        batch: Int,
        h0: [Scalar],
        c0: [Scalar]
    ) -> (outputs: [Scalar], cache: Cache) {
        let H = hiddenSize
        let I = inputSize
        precondition(inputs.count == steps * batch * I && h0.count == batch * H && c0.count == batch * H)
        var cache = Cache(
            gates: Array(repeating: 0, count: steps * batch * 4 * H),
            cells: c0 + Array(repeating: 0, count: steps * batch * H),
            hiddens: h0 + Array(repeating: 0, count: steps * batch * H),
            tanhCells: Array(repeating: 0, count: steps * batch * H),
            steps: steps,
            batch: batch
        )
        for t in 0..<steps {
            for b in 0..<batch {
                let xBase = (t * batch + b) * I
                let previous = (t * batch + b) * H
                let next = ((t + 1) * batch + b) * H
                let gateBase = (t * batch + b) * 4 * H
                for row in 0..<(4 * H) {
                    var sum = biasIH[row] + biasHH[row]
                    for k in 0..<I { sum += weightIH[row * I + k] * inputs[xBase + k] }
                    for k in 0..<H { sum += weightHH[row * H + k] * cache.hiddens[previous + k] }
                    cache.gates[gateBase + row] = sum
                }
                for j in 0..<H {
                    let i = Scalar.sigmoid(cache.gates[gateBase + j])
                    let f = Scalar.sigmoid(cache.gates[gateBase + H + j])
                    let g = Scalar.tanh(cache.gates[gateBase + 2 * H + j])
                    let o = Scalar.sigmoid(cache.gates[gateBase + 3 * H + j])
                    cache.gates[gateBase + j] = i
                    cache.gates[gateBase + H + j] = f
                    cache.gates[gateBase + 2 * H + j] = g
                    cache.gates[gateBase + 3 * H + j] = o
                    let cell = f * cache.cells[previous + j] + i * g
                    let tanhCell = Scalar.tanh(cell)
                    cache.cells[next + j] = cell
                    cache.tanhCells[(t * batch + b) * H + j] = tanhCell
                    cache.hiddens[next + j] = o * tanhCell
                }
            }
        }
        return (Array(cache.hiddens[(batch * H)...]), cache)
    }

    /// Back-propagates through time.
    /// - Parameters:
    ///   - outputGradients: dL/dh_t for every step, `[T][B][H]`.
    ///   - inputs: the forward inputs `[T][B][I]`.
    ///   - cache: from `forward`.
    ///   - gradients: accumulates dL/d(parameters), in the layout of `parameters`.
    /// - Returns: dL/dx `[T][B][I]`, and dL/dh0, dL/dc0 `[B][H]`.
    @_specialize(exported:true,where Scalar == Float)
    public func backward(
        outputGradients: [Scalar],
        inputs: [Scalar],
        cache: Cache,
        gradients: inout [Scalar]
    ) -> (inputs: [Scalar], h0: [Scalar], c0: [Scalar]) {
        let H = hiddenSize
        let I = inputSize
        let T = cache.steps
        let B = cache.batch
        precondition(gradients.count == parameterCount)
        let offsetHH = weightIH.count
        let offsetBI = offsetHH + weightHH.count
        let offsetBH = offsetBI + biasIH.count
        var dInputs = [Scalar](repeating: 0, count: T * B * I)
        var dhNext = [Scalar](repeating: 0, count: B * H)
        var dcNext = [Scalar](repeating: 0, count: B * H)
        var dz = [Scalar](repeating: 0, count: 4 * H)
        for t in stride(from: T - 1, through: 0, by: -1) {
            for b in 0..<B {
                let state = (t * B + b) * H
                let previous = (t * B + b) * H  // index into cells/hiddens for step t-1 (offset by one step)
                let gateBase = (t * B + b) * 4 * H
                for j in 0..<H {
                    let i = cache.gates[gateBase + j]
                    let f = cache.gates[gateBase + H + j]
                    let g = cache.gates[gateBase + 2 * H + j]
                    let o = cache.gates[gateBase + 3 * H + j]
                    let tanhCell = cache.tanhCells[state + j]
                    let dh = outputGradients[state + j] + dhNext[b * H + j]
                    let dc = dh * o * (1 - tanhCell * tanhCell) + dcNext[b * H + j]
                    dz[j] = dc * g * i * (1 - i)
                    dz[H + j] = dc * cache.cells[previous + j] * f * (1 - f)
                    dz[2 * H + j] = dc * i * (1 - g * g)
                    dz[3 * H + j] = dh * tanhCell * o * (1 - o)
                    dcNext[b * H + j] = dc * f
                }
                let xBase = (t * B + b) * I
                for row in 0..<(4 * H) {
                    let d = dz[row]
                    gradients[offsetBI + row] += d
                    gradients[offsetBH + row] += d
                    for k in 0..<I {
                        gradients[row * I + k] += d * inputs[xBase + k]
                        dInputs[xBase + k] += d * weightIH[row * I + k]
                    }
                    for k in 0..<H {
                        gradients[offsetHH + row * H + k] += d * cache.hiddens[previous + k]
                    }
                }
                for k in 0..<H {
                    var sum: Scalar = 0
                    for row in 0..<(4 * H) { sum += dz[row] * weightHH[row * H + k] }
                    dhNext[b * H + k] = sum
                }
            }
        }
        return (dInputs, dhNext, dcNext)
    }

    /// All parameters in one flat vector: weightIH, weightHH, biasIH, biasHH.
    public var parameters: [Scalar] {
        get { weightIH + weightHH + biasIH + biasHH }
        set {
            let parts = newValue.split(into: [weightIH.count, weightHH.count, biasIH.count, biasHH.count])
            weightIH = parts[0]
            weightHH = parts[1]
            biasIH = parts[2]
            biasHH = parts[3]
        }
    }

    /// Number of parameters.
    public var parameterCount: Int { weightIH.count + weightHH.count + biasIH.count + biasHH.count }
}
