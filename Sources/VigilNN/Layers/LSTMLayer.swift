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
        let G = 4 * H
        precondition(inputs.count == steps * batch * I && h0.count == batch * H && c0.count == batch * H)
        precondition(steps > 0 && batch > 0)
        var gates = [Scalar](repeating: 0, count: steps * batch * G)
        var cells = c0 + [Scalar](repeating: 0, count: steps * batch * H)
        var hiddens = h0 + [Scalar](repeating: 0, count: steps * batch * H)
        var tanhCells = [Scalar](repeating: 0, count: steps * batch * H)
        // Weights column by column, and each gate's two biases added first, as `step` adds them.
        let columns = weightIH.transposed(rows: G, columns: I) + weightHH.transposed(rows: G, columns: H)
        let bias = zip(biasIH, biasHH).map { $0 + $1 }
        withAddresses(inputs, columns) { x, wx in
            let wh = wx + G * I
            withMutableAddresses(&gates, &tanhCells) { z, tanhCell in
                withMutableAddresses(&cells, &hiddens) { cell, hidden in
                    for t in 0..<steps {
                        for b in 0..<batch {
                            let previous = (t * batch + b) * H
                            let next = previous + batch * H
                            let gate = z + (t * batch + b) * G
                            for row in 0..<G { gate[row] = bias[row] }
                            TrainingKernels.addColumns(
                                gate,
                                columns: wx,
                                values: x + (t * batch + b) * I,
                                count: I,
                                length: G
                            )
                            TrainingKernels.addColumns(
                                gate,
                                columns: wh,
                                values: hidden + previous,
                                count: H,
                                length: G
                            )
                            for j in 0..<H {
                                let i = Scalar.sigmoid(gate[j])
                                let f = Scalar.sigmoid(gate[H + j])
                                let g = Scalar.tanh(gate[2 * H + j])
                                let o = Scalar.sigmoid(gate[3 * H + j])
                                gate[j] = i
                                gate[H + j] = f
                                gate[2 * H + j] = g
                                gate[3 * H + j] = o
                                let c = f * cell[previous + j] + i * g
                                let tanhC = Scalar.tanh(c)
                                cell[next + j] = c
                                tanhCell[previous + j] = tanhC
                                hidden[next + j] = o * tanhC
                            }
                        }
                    }
                }
            }
        }
        let cache = Cache(
            gates: gates,
            cells: cells,
            hiddens: hiddens,
            tanhCells: tanhCells,
            steps: steps,
            batch: batch
        )
        return (Array(hiddens[(batch * H)...]), cache)
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
        let G = 4 * H
        let T = cache.steps
        let B = cache.batch
        precondition(gradients.count == parameterCount)
        let offsetHH = weightIH.count
        let offsetBI = offsetHH + weightHH.count
        let offsetBH = offsetBI + biasIH.count
        var dInputs = [Scalar](repeating: 0, count: T * B * I)
        // dL/dh and dL/dc flowing to the previous step, [B][H] each, then dL/d(pre-activations) [4H].
        var carried = [Scalar](repeating: 0, count: 2 * B * H + G)
        let weights = weightIH + weightHH
        let activations = cache.gates + cache.tanhCells
        let states = cache.cells + cache.hiddens
        withAddresses(outputGradients, inputs) { dOut, x in
            withAddresses(weights, activations) { wx, gate in
                let wh = wx + G * I
                let tanhCell = gate + T * B * G
                states.withUnsafeBufferPointer { states in
                    let cell = states.baseAddress!
                    let hidden = cell + (T + 1) * B * H
                    withMutableAddresses(&gradients, &carried) { grad, dhNext in
                        let dcNext = dhNext + B * H
                        let dz = dcNext + B * H
                        dInputs.withUnsafeMutableBufferPointer { dx in
                            let dx = dx.baseAddress!
                            for t in stride(from: T - 1, through: 0, by: -1) {
                                for b in 0..<B {
                                    // Index of step t in the outputs, and of step t-1 in cells and hiddens
                                    // (which start with the initial state).
                                    let state = (t * B + b) * H
                                    let g = gate + (t * B + b) * G
                                    for j in 0..<H {
                                        let i = g[j]
                                        let f = g[H + j]
                                        let c = g[2 * H + j]
                                        let o = g[3 * H + j]
                                        let tanhC = tanhCell[state + j]
                                        let dh = dOut[state + j] + dhNext[b * H + j]
                                        let dc = dh * o * (1 - tanhC * tanhC) + dcNext[b * H + j]
                                        dz[j] = dc * c * i * (1 - i)
                                        dz[H + j] = dc * cell[state + j] * f * (1 - f)
                                        dz[2 * H + j] = dc * i * (1 - c * c)
                                        dz[3 * H + j] = dh * tanhC * o * (1 - o)
                                        dcNext[b * H + j] = dc * f
                                    }
                                    for row in 0..<G {
                                        grad[offsetBI + row] += dz[row]
                                        grad[offsetBH + row] += dz[row]
                                    }
                                    let xt = x + (t * B + b) * I
                                    TrainingKernels.addOuter(grad, d: dz, v: xt, rows: G, length: I)
                                    TrainingKernels.addRows(
                                        dx + (t * B + b) * I,
                                        rows: wx,
                                        weights: dz,
                                        count: G,
                                        length: I
                                    )
                                    TrainingKernels.addOuter(
                                        grad + offsetHH,
                                        d: dz,
                                        v: hidden + state,
                                        rows: G,
                                        length: H
                                    )
                                    let dh = dhNext + b * H
                                    for k in 0..<H { dh[k] = 0 }
                                    TrainingKernels.addRows(dh, rows: wh, weights: dz, count: G, length: H)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dInputs, Array(carried[0..<(B * H)]), Array(carried[(B * H)..<(2 * B * H)]))
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
