/// The kinds of recurrent layer.
public enum RecurrentKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Long short-term memory.
    case lstm
    /// Gated recurrent unit.
    case gru
}

/// One recurrent layer of a network: an LSTM or a GRU.
public enum RecurrentLayer<Scalar: NNScalar>: Sendable, Hashable, Codable {
    case lstm(LSTMLayer<Scalar>)
    case gru(GRULayer<Scalar>)

    /// The kind.
    public var kind: RecurrentKind {
        switch self {
        case .lstm: .lstm
        case .gru: .gru
        }
    }

    /// Input features.
    public var inputSize: Int {
        switch self {
        case .lstm(let layer): layer.inputSize
        case .gru(let layer): layer.inputSize
        }
    }

    /// Hidden units.
    public var hiddenSize: Int {
        switch self {
        case .lstm(let layer): layer.hiddenSize
        case .gru(let layer): layer.hiddenSize
        }
    }

    /// State vectors per stream (h and c for an LSTM, h for a GRU).
    public var stateVectors: Int { kind == .lstm ? 2 : 1 }

    /// Scratch a streaming step needs.
    public var scratchCount: Int { kind == .lstm ? 4 * hiddenSize : 6 * hiddenSize }

    /// Number of parameters.
    public var parameterCount: Int {
        switch self {
        case .lstm(let layer): layer.parameterCount
        case .gru(let layer): layer.parameterCount
        }
    }

    /// All parameters in one flat vector.
    public var parameters: [Scalar] {
        get {
            switch self {
            case .lstm(let layer): layer.parameters
            case .gru(let layer): layer.parameters
            }
        }
        set {
            switch self {
            case .lstm(var layer):
                layer.parameters = newValue
                self = .lstm(layer)
            case .gru(var layer):
                layer.parameters = newValue
                self = .gru(layer)
            }
        }
    }

    /// One streaming step; `state` holds h (and c) for this layer.
    @inlinable
    public func step(
        x: UnsafeBufferPointer<Scalar>,
        state: UnsafeMutableBufferPointer<Scalar>,
        scratch: UnsafeMutableBufferPointer<Scalar>
    ) {
        let H = hiddenSize
        switch self {
        case .lstm(let layer):
            layer.step(
                x: x,
                h: UnsafeMutableBufferPointer(rebasing: state[0..<H]),
                c: UnsafeMutableBufferPointer(rebasing: state[H..<2 * H]),
                gates: scratch
            )
        case .gru(let layer):
            layer.step(x: x, h: UnsafeMutableBufferPointer(rebasing: state[0..<H]), scratch: scratch)
        }
    }
}
