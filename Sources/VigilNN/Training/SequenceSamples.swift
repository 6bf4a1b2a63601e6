/// Labelled sequences for a `SequenceRegressor`, assembled into mini-batches on demand (so that
/// overlapping windows of a long series need not each be stored).
public protocol SequenceSamples<Scalar>: Sendable {
    /// The scalar of inputs and targets.
    associatedtype Scalar: NNScalar
    /// Number of samples.
    var count: Int { get }
    /// Steps per sequence.
    var steps: Int { get }
    /// Input features per step.
    var inputSize: Int { get }
    /// Targets per sample.
    var targetSize: Int { get }
    /// The samples at `indices` as inputs `[T][B][I]` and targets `[B][targetSize]`, B = indices.count.
    func batch(_ indices: [Int]) -> (inputs: [Scalar], targets: [Scalar])
}

/// Samples held as arrays: sequences `[N][T][I]` and targets `[N][targetSize]`.
public struct ArraySequenceSamples<Scalar: NNScalar>: SequenceSamples {
    /// Sequences, sample-major.
    public var sequences: [Scalar]
    /// Targets, sample-major.
    public var targets: [Scalar]
    public let steps: Int
    public let inputSize: Int
    public let targetSize: Int

    /// Creates samples; `sequences` holds `count × steps × inputSize` values.
    public init(sequences: [Scalar], targets: [Scalar], steps: Int, inputSize: Int, targetSize: Int = 1) {
        precondition(steps > 0 && inputSize > 0 && targetSize > 0)
        precondition(sequences.count % (steps * inputSize) == 0)
        precondition(targets.count == sequences.count / (steps * inputSize) * targetSize)
        self.sequences = sequences
        self.targets = targets
        self.steps = steps
        self.inputSize = inputSize
        self.targetSize = targetSize
    }

    public var count: Int { targets.count / targetSize }

    public func batch(_ indices: [Int]) -> (inputs: [Scalar], targets: [Scalar]) {
        let batch = indices.count
        var inputs = [Scalar](repeating: 0, count: steps * batch * inputSize)
        var batchTargets: [Scalar] = []
        batchTargets.reserveCapacity(batch * targetSize)
        for (b, sample) in indices.enumerated() {
            for t in 0..<steps {
                let from = (sample * steps + t) * inputSize
                let to = (t * batch + b) * inputSize
                for i in 0..<inputSize { inputs[to + i] = sequences[from + i] }
            }
            batchTargets.append(contentsOf: targets[(sample * targetSize)..<((sample + 1) * targetSize)])
        }
        return (inputs, batchTargets)
    }
}
