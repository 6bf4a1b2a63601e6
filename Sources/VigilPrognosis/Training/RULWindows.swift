public import VigilNN

/// Training samples of a RUL model: for every step of every unit, the window of `window` steps
/// ending there (padded at the front with the unit's first step) and the remaining life at that
/// step capped at `cap`, divided by `cap` so that targets lie in [0, 1].
///
/// A failed unit gives every step (its last step has RUL 0). A right-censored unit only gives the
/// steps whose capped target is known: those at least `cap` steps before the end of its record.
public struct RULWindows: SequenceSamples {
    public typealias Scalar = Float

    /// One sample: a unit, the step its window ends at, and its capped RUL.
    public struct Sample: Sendable, Hashable {
        /// Index into the units.
        public var unit: Int
        /// The window's last step.
        public var end: Int
        /// RUL at that step, capped.
        public var target: Float
        /// RUL at that step, uncapped (for failed units; the censoring bound otherwise).
        public var trueRUL: Float
    }

    /// Each unit's normalised steps `[step][signal]`, flat.
    public let units: [[Float]]
    /// The samples.
    public let samples: [Sample]
    public let steps: Int
    public let inputSize: Int
    public var targetSize: Int { 1 }
    /// The cap.
    public let cap: Float

    /// Samples of `units` (normalised steps, flat) with their failure flags.
    public init(units: [[Float]], failed: [Bool], inputSize: Int, window: Int, cap: Float, only selection: [Int]? = nil)
    {
        precondition(units.count == failed.count && window > 0 && cap > 0)
        var samples: [Sample] = []
        for index in selection ?? Array(units.indices) {
            let count = units[index].count / inputSize
            for end in 0..<count {
                let remaining = Float(count - 1 - end)
                if failed[index] {
                    samples.append(Sample(unit: index, end: end, target: min(remaining, cap), trueRUL: remaining))
                } else if remaining >= cap {
                    samples.append(Sample(unit: index, end: end, target: cap, trueRUL: remaining))
                }
            }
        }
        self.units = units
        self.samples = samples
        self.steps = window
        self.inputSize = inputSize
        self.cap = cap
    }

    /// Samples whose windows end at given steps (for prediction; targets are 0).
    public init(units: [[Float]], ends: [(unit: Int, end: Int)], inputSize: Int, window: Int, cap: Float) {
        self.units = units
        self.samples = ends.map { Sample(unit: $0.unit, end: $0.end, target: 0, trueRUL: 0) }
        self.steps = window
        self.inputSize = inputSize
        self.cap = cap
    }

    public var count: Int { samples.count }

    public func batch(_ indices: [Int]) -> (inputs: [Float], targets: [Float]) {
        let batch = indices.count
        var inputs = [Float](repeating: 0, count: steps * batch * inputSize)
        var targets: [Float] = []
        targets.reserveCapacity(batch)
        inputs.withUnsafeMutableBufferPointer { inputs in
            for (b, index) in indices.enumerated() {
                let sample = samples[index]
                units[sample.unit].withUnsafeBufferPointer { values in
                    for t in 0..<steps {
                        let step = max(0, sample.end - (steps - 1) + t)
                        let from = step * inputSize
                        let to = (t * batch + b) * inputSize
                        for i in 0..<inputSize { inputs[to + i] = values[from + i] }
                    }
                }
                targets.append(sample.target / cap)
            }
        }
        return (inputs, targets)
    }
}
