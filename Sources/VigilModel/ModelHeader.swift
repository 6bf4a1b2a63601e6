public import VigilNN

/// The architecture a model file describes.
public struct ModelArchitecture: Hashable, Sendable, Codable {
    /// LSTM or GRU.
    public var kind: RecurrentKind
    /// Input features (signals).
    public var inputSize: Int
    /// Hidden units per recurrent layer.
    public var hiddenSize: Int
    /// Recurrent layers.
    public var layers: Int
    /// Outputs of the head.
    public var outputSize: Int
    /// Activation of the head.
    public var headActivation: Activation

    enum CodingKeys: String, CodingKey {
        case kind, layers
        case inputSize = "input_size"
        case hiddenSize = "hidden_size"
        case outputSize = "output_size"
        case headActivation = "head_activation"
    }
}

/// Per-signal normalisation applied before the network: x' = (x − center) / scale.
public struct Normalisation: Hashable, Sendable, Codable {
    /// Signal names, in input order.
    public var signals: [String]
    /// Centers (for example medians).
    public var center: [Float]
    /// Scales (for example robust standard deviations).
    public var scale: [Float]

    /// Creates a normalisation.
    public init(signals: [String], center: [Float], scale: [Float]) {
        self.signals = signals
        self.center = center
        self.scale = scale
    }
}

/// How a model was trained.
public struct TrainingMetadata: Hashable, Sendable, Codable {
    /// Samples in the training series.
    public var samples: Int
    /// Epochs run.
    public var epochs: Int
    /// Epoch whose weights were kept.
    public var bestEpoch: Int
    /// Validation loss of those weights.
    public var validationLoss: Double
    /// Seed of the run.
    public var seed: UInt64
    /// When, as ISO 8601 text (informational).
    public var trainedAt: String

    /// Creates metadata.
    public init(samples: Int, epochs: Int, bestEpoch: Int, validationLoss: Double, seed: UInt64, trainedAt: String) {
        self.samples = samples
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.validationLoss = validationLoss
        self.seed = seed
        self.trainedAt = trainedAt
    }

    enum CodingKeys: String, CodingKey {
        case samples, epochs, seed
        case bestEpoch = "best_epoch"
        case validationLoss = "validation_loss"
        case trainedAt = "trained_at"
    }
}

/// A tensor's entry in the header.
struct TensorEntry: Hashable, Codable {
    var name: String
    var shape: [Int]
    var dtype: String
    /// Offset in bytes from the start of the tensor data.
    var offset: Int
}

/// The JSON header of a model file.
struct ModelHeader: Codable {
    var architecture: ModelArchitecture
    var loss: Loss
    var normalisation: Normalisation
    var training: TrainingMetadata
    var tensors: [TensorEntry]
    /// Bytes of tensor data that follow the header.
    var dataBytes: Int

    enum CodingKeys: String, CodingKey {
        case architecture, loss, normalisation, training, tensors
        case dataBytes = "data_bytes"
    }
}
