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
        precondition(inputs.count == steps * batch * I && h0.count == batch * H)
        var cache = Cache(
            gates: Array(repeating: 0, count: steps * batch * 3 * H),
            hiddenLinear: Array(repeating: 0, count: steps * batch * H),
            hiddens: h0 + Array(repeating: 0, count: steps * batch * H),
            steps: steps,
            batch: batch
        )
        var inputPart = [Scalar](repeating: 0, count: 3 * H)
        var hiddenPart = [Scalar](repeating: 0, count: 3 * H)
        for t in 0..<steps {
            for b in 0..<batch {
                let xBase = (t * batch + b) * I
                let previous = (t * batch + b) * H
                let next = ((t + 1) * batch + b) * H
                for row in 0..<(3 * H) {
                    var sx = biasIH[row]
                    for k in 0..<I { sx += weightIH[row * I + k] * inputs[xBase + k] }
                    var sh = biasHH[row]
                    for k in 0..<H { sh += weightHH[row * H + k] * cache.hiddens[previous + k] }
                    inputPart[row] = sx
                    hiddenPart[row] = sh
                }
                let gateBase = (t * batch + b) * 3 * H
                for j in 0..<H {
                    let r = Scalar.sigmoid(inputPart[j] + hiddenPart[j])
                    let z = Scalar.sigmoid(inputPart[H + j] + hiddenPart[H + j])
                    let n = Scalar.tanh(inputPart[2 * H + j] + r * hiddenPart[2 * H + j])
                    cache.gates[gateBase + j] = r
                    cache.gates[gateBase + H + j] = z
                    cache.gates[gateBase + 2 * H + j] = n
                    cache.hiddenLinear[previous + j] = hiddenPart[2 * H + j]
                    cache.hiddens[next + j] = (1 - z) * n + z * cache.hiddens[previous + j]
                }
            }
        }
        return (Array(cache.hiddens[(batch * H)...]), cache)
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
        let T = cache.steps
        let B = cache.batch
        precondition(gradients.count == parameterCount)
        let offsetHH = weightIH.count
        let offsetBI = offsetHH + weightHH.count
        let offsetBH = offsetBI + biasIH.count
        var dInputs = [Scalar](repeating: 0, count: T * B * I)
        var dhNext = [Scalar](repeating: 0, count: B * H)
        var dInput = [Scalar](repeating: 0, count: 3 * H)  // gradient of the input-side pre-activations
        var dHidden = [Scalar](repeating: 0, count: 3 * H)  // gradient of the hidden-side linear parts
        for t in stride(from: T - 1, through: 0, by: -1) {
            for b in 0..<B {
                let state = (t * B + b) * H
                let gateBase = (t * B + b) * 3 * H
                var dhDirect = [Scalar](repeating: 0, count: H)
                for j in 0..<H {
                    let r = cache.gates[gateBase + j]
                    let z = cache.gates[gateBase + H + j]
                    let n = cache.gates[gateBase + 2 * H + j]
                    let hPrevious = cache.hiddens[state + j]
                    let dh = outputGradients[state + j] + dhNext[b * H + j]
                    let dn = dh * (1 - z) * (1 - n * n)
                    let dzPre = dh * (hPrevious - n) * z * (1 - z)
                    let drPre = dn * cache.hiddenLinear[state + j] * r * (1 - r)
                    dInput[j] = drPre
                    dInput[H + j] = dzPre
                    dInput[2 * H + j] = dn
                    dHidden[j] = drPre
                    dHidden[H + j] = dzPre
                    dHidden[2 * H + j] = dn * r
                    dhDirect[j] = dh * z
                }
                let xBase = (t * B + b) * I
                for row in 0..<(3 * H) {
                    let dx = dInput[row]
                    let dhRow = dHidden[row]
                    gradients[offsetBI + row] += dx
                    gradients[offsetBH + row] += dhRow
                    for k in 0..<I {
                        gradients[row * I + k] += dx * inputs[xBase + k]
                        dInputs[xBase + k] += dx * weightIH[row * I + k]
                    }
                    for k in 0..<H {
                        gradients[offsetHH + row * H + k] += dhRow * cache.hiddens[state + k]
                    }
                }
                for k in 0..<H {
                    var sum = dhDirect[k]
                    for row in 0..<(3 * H) { sum += dHidden[row] * weightHH[row * H + k] }
                    dhNext[b * H + k] = sum
                }
            }
        }
        return (dInputs, dhNext)
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
