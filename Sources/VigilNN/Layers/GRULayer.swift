/// A gated recurrent unit in PyTorch's layout: gates stacked as (r, z, n), both bias vectors, and
/// the reset gate applied after the hidden matmul (ONNX's `linear_before_reset = 1`).
///
/// ```
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)       z = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// ```
public struct GRULayer<Scalar: NNScalar>: Sendable, Hashable, Codable {
    /// Input features.
    public let inputSize: Int
    /// Hidden units.
    public let hiddenSize: Int
    /// `[3H × I]`, row-major.
    public var weightIH: [Scalar]
    /// `[3H × H]`, row-major.
    public var weightHH: [Scalar]
    /// `[3H]`.
    public var biasIH: [Scalar]
    /// `[3H]`.
    public var biasHH: [Scalar]

    /// Creates a layer with PyTorch's initialisation, U(−1/√H, 1/√H), from `random`.
    public init(inputSize: Int, hiddenSize: Int, using random: inout some RandomNumberGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        func uniform(_ count: Int) -> [Scalar] { .uniform(count: count, bound: bound, using: &random) }
        weightIH = uniform(3 * hiddenSize * inputSize)
        weightHH = uniform(3 * hiddenSize * hiddenSize)
        biasIH = uniform(3 * hiddenSize)
        biasHH = uniform(3 * hiddenSize)
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
        precondition(weightIH.count == 3 * hiddenSize * inputSize && weightHH.count == 3 * hiddenSize * hiddenSize)
        precondition(biasIH.count == 3 * hiddenSize && biasHH.count == 3 * hiddenSize)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    /// One step for one stream: reads `x` (I) and `h`, writes the new `h` in place. `scratch` holds 6H;
    /// nothing is allocated.
    @inlinable
    public func step(
        x: UnsafeBufferPointer<Scalar>,
        h: UnsafeMutableBufferPointer<Scalar>,
        scratch: UnsafeMutableBufferPointer<Scalar>
    ) {
        let H = hiddenSize
        let I = inputSize
        weightIH.withUnsafeBufferPointer { wx in
            weightHH.withUnsafeBufferPointer { wh in
                for row in 0..<(3 * H) {
                    var sx = biasIH[row]
                    for k in 0..<I { sx += wx[row * I + k] * x[k] }
                    var sh = biasHH[row]
                    for k in 0..<H { sh += wh[row * H + k] * h[k] }
                    scratch[row] = sx
                    scratch[3 * H + row] = sh
                }
            }
        }
        for j in 0..<H {
            let r = Scalar.sigmoid(scratch[j] + scratch[3 * H + j])
            let z = Scalar.sigmoid(scratch[H + j] + scratch[4 * H + j])
            let n = Scalar.tanh(scratch[2 * H + j] + r * scratch[5 * H + j])
            h[j] = (1 - z) * n + z * h[j]
        }
    }

    /// What the forward pass keeps: per step and stream r, z, n and W_hn h + b_hn.
    public struct Cache: Sendable {
        var gates: [Scalar]  // [T][B][3H]: r, z, n
        var hiddenLinear: [Scalar]  // [T][B][H]: W_hn h + b_hn
        var hiddens: [Scalar]  // [T+1][B][H]
        let steps: Int
        let batch: Int
    }

    /// Runs a sequence `[T][B][I]` from `h0` `[B][H]`; returns the hidden states `[T][B][H]`.
    @_specialize(exported:true,where Scalar == Float)
    public func forward(_ inputs: [Scalar], steps: Int, batch: Int, h0: [Scalar]) -> (outputs: [Scalar], cache: Cache) {
        let H = hiddenSize
        let I = inputSize
        let G = 3 * H
        precondition(inputs.count == steps * batch * I && h0.count == batch * H)
        precondition(steps > 0 && batch > 0)
        var gates = [Scalar](repeating: 0, count: steps * batch * G)
        var hiddenLinear = [Scalar](repeating: 0, count: steps * batch * H)
        var hiddens = h0 + [Scalar](repeating: 0, count: steps * batch * H)
        // Weights column by column; the input and hidden parts of each gate summed apart, as `step` does.
        let columns = weightIH.transposed(rows: G, columns: I) + weightHH.transposed(rows: G, columns: H)
        var parts = [Scalar](repeating: 0, count: 2 * G)
        withAddresses(inputs, columns) { x, wx in
            let wh = wx + G * I
            withMutableAddresses(&gates, &hiddenLinear) { gate, linear in
                withMutableAddresses(&hiddens, &parts) { hidden, inputPart in
                    let hiddenPart = inputPart + G
                    for t in 0..<steps {
                        for b in 0..<batch {
                            let previous = (t * batch + b) * H
                            let next = previous + batch * H
                            for row in 0..<G {
                                inputPart[row] = biasIH[row]
                                hiddenPart[row] = biasHH[row]
                            }
                            let xt = x + (t * batch + b) * I
                            TrainingKernels.addColumns(inputPart, columns: wx, values: xt, count: I, length: G)
                            TrainingKernels.addColumns(
                                hiddenPart,
                                columns: wh,
                                values: hidden + previous,
                                count: H,
                                length: G
                            )
                            let g = gate + (t * batch + b) * G
                            for j in 0..<H {
                                let r = Scalar.sigmoid(inputPart[j] + hiddenPart[j])
                                let z = Scalar.sigmoid(inputPart[H + j] + hiddenPart[H + j])
                                let n = Scalar.tanh(inputPart[2 * H + j] + r * hiddenPart[2 * H + j])
                                g[j] = r
                                g[H + j] = z
                                g[2 * H + j] = n
                                linear[previous + j] = hiddenPart[2 * H + j]
                                hidden[next + j] = (1 - z) * n + z * hidden[previous + j]
                            }
                        }
                    }
                }
            }
        }
        let cache = Cache(gates: gates, hiddenLinear: hiddenLinear, hiddens: hiddens, steps: steps, batch: batch)
        return (Array(hiddens[(batch * H)...]), cache)
    }

    /// Back-propagates through time; see `LSTMLayer.backward`. Returns dL/dx and dL/dh0.
    @_specialize(exported:true,where Scalar == Float)
    public func backward(
        outputGradients: [Scalar],
        inputs: [Scalar],
        cache: Cache,
        gradients: inout [Scalar]
    ) -> (inputs: [Scalar], h0: [Scalar]) {
        let H = hiddenSize
        let I = inputSize
        let G = 3 * H
        let T = cache.steps
        let B = cache.batch
        precondition(gradients.count == parameterCount)
        let offsetHH = weightIH.count
        let offsetBI = offsetHH + weightHH.count
        let offsetBH = offsetBI + biasIH.count
        var dInputs = [Scalar](repeating: 0, count: T * B * I)
        // dL/dh flowing to the previous step [B][H]; then the gradients of the input-side
        // pre-activations [3H], of the hidden-side linear parts [3H], and dL/dh through z [H].
        var carried = [Scalar](repeating: 0, count: B * H + 2 * G + H)
        let weights = weightIH + weightHH
        let activations = cache.gates + cache.hiddenLinear
        withAddresses(outputGradients, inputs) { dOut, x in
            withAddresses(weights, activations) { wx, gate in
                let wh = wx + G * I
                let linear = gate + T * B * G
                cache.hiddens.withUnsafeBufferPointer { hidden in
                    let hidden = hidden.baseAddress!
                    withMutableAddresses(&gradients, &carried) { grad, dhNext in
                        let dInput = dhNext + B * H
                        let dHidden = dInput + G
                        let dhDirect = dHidden + G
                        dInputs.withUnsafeMutableBufferPointer { dx in
                            let dx = dx.baseAddress!
                            for t in stride(from: T - 1, through: 0, by: -1) {
                                for b in 0..<B {
                                    let state = (t * B + b) * H
                                    let g = gate + (t * B + b) * G
                                    for j in 0..<H {
                                        let r = g[j]
                                        let z = g[H + j]
                                        let n = g[2 * H + j]
                                        let dh = dOut[state + j] + dhNext[b * H + j]
                                        let dn = dh * (1 - z) * (1 - n * n)
                                        let dzPre = dh * (hidden[state + j] - n) * z * (1 - z)
                                        let drPre = dn * linear[state + j] * r * (1 - r)
                                        dInput[j] = drPre
                                        dInput[H + j] = dzPre
                                        dInput[2 * H + j] = dn
                                        dHidden[j] = drPre
                                        dHidden[H + j] = dzPre
                                        dHidden[2 * H + j] = dn * r
                                        dhDirect[j] = dh * z
                                    }
                                    for row in 0..<G {
                                        grad[offsetBI + row] += dInput[row]
                                        grad[offsetBH + row] += dHidden[row]
                                    }
                                    let xt = x + (t * B + b) * I
                                    TrainingKernels.addOuter(grad, d: dInput, v: xt, rows: G, length: I)
                                    TrainingKernels.addRows(
                                        dx + (t * B + b) * I,
                                        rows: wx,
                                        weights: dInput,
                                        count: G,
                                        length: I
                                    )
                                    TrainingKernels.addOuter(
                                        grad + offsetHH,
                                        d: dHidden,
                                        v: hidden + state,
                                        rows: G,
                                        length: H
                                    )
                                    let dh = dhNext + b * H
                                    for k in 0..<H { dh[k] = dhDirect[k] }
                                    TrainingKernels.addRows(dh, rows: wh, weights: dHidden, count: G, length: H)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dInputs, Array(carried[0..<(B * H)]))
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
