internal import VigilModel
public import VigilNN

/// How `vigil train rul` trains: the one default configuration used for every data set (chosen on
/// held-out C-MAPSS FD001 training engines, see docs/accuracy.md), and what can be changed.
public struct RULTrainingSettings: Sendable, Hashable {
    /// Steps each estimate reads.
    public var window: Int
    /// Targets are capped here (piece-wise linear RUL), in steps.
    public var cap: Double
    /// The recurrent layer.
    public var kind: RecurrentKind
    /// Hidden units per recurrent layer.
    public var hidden: Int
    /// Recurrent layers.
    public var layers: Int
    /// Widths of the head's ReLU layers.
    public var headSizes: [Int]
    /// Members of the ensemble; each holds out its own fold of the units.
    public var members: Int
    /// Most epochs per member.
    public var epochs: Int
    /// Windows per mini-batch.
    public var batchSize: Int
    /// Initial learning rate (cosine decay to a tenth).
    public var learningRate: Double
    /// Dropout between recurrent layers and before each head layer.
    public var dropout: Double
    /// Epochs without a better held-out loss before a member stops.
    public var patience: Int
    /// Steps at the start of each unit's life whose mean is its healthy baseline (0: none).
    public var baselineSteps: Int
    /// Whether the unit's age is an input.
    public var age: Bool
    /// Share of held-out errors inside the published interval.
    public var coverage: Double
    /// Seed of the folds, weights, shuffles and masks.
    public var seed: UInt64

    /// Creates settings; the defaults are Vigil's.
    public init(
        window: Int = 30,
        cap: Double = 125,
        kind: RecurrentKind = .gru,
        hidden: Int = 32,
        layers: Int = 1,
        headSizes: [Int] = [16],
        members: Int = 5,
        epochs: Int = 40,
        batchSize: Int = 64,
        learningRate: Double = 2e-3,
        dropout: Double = 0.1,
        patience: Int = 8,
        baselineSteps: Int = 20,
        age: Bool = true,
        coverage: Double = 0.9,
        seed: UInt64 = 1
    ) {
        self.window = window
        self.cap = cap
        self.kind = kind
        self.hidden = hidden
        self.layers = layers
        self.headSizes = headSizes
        self.members = members
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.dropout = dropout
        self.patience = patience
        self.baselineSteps = baselineSteps
        self.age = age
        self.coverage = coverage
        self.seed = seed
    }

    /// The unit inputs of these settings (the age scaled by the cap).
    var unitInputs: UnitInputs { UnitInputs(baselineSteps: baselineSteps, ageScale: age ? cap : nil) }

    /// The training configuration of member `index`.
    func memberConfiguration(_ index: Int) -> SequenceTrainingConfiguration {
        SequenceTrainingConfiguration(
            batchSize: batchSize,
            epochs: epochs,
            learningRate: learningRate,
            schedule: .cosine(floor: 0.1),
            patience: patience,
            loss: .meanSquaredError,
            dropout: dropout,
            seed: seed &+ UInt64(index) &* 7919
        )
    }
}
