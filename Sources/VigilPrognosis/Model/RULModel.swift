internal import Crypto
internal import Foundation
public import VigilModel
internal import VigilNN

/// A trained remaining-useful-life model ready to estimate: an ensemble of sequence regressors over
/// regime-normalised signals, with an interval calibrated on held-out units.
///
/// ```swift
/// let model = try RULModel(file: RULModelFile.read(from: "fleet.vglm"))
/// let estimates = model.estimate([rows])   // rows in `model.columns` order, oldest first
/// ```
public struct RULModel: Sendable, Hashable {
    /// The file's contents.
    public let file: RULModelFile
    /// Inputs and their normalisation.
    public let plan: InputPlan
    /// `sha256:` and the digest of the model's bytes.
    public let identity: String

    /// Wraps a model file.
    public init(file: RULModelFile) {
        self.file = file
        identity = "sha256:" + SHA256.hash(data: file.encoded()).map { String(format: "%02x", $0) }.joined()
        let rul = file.rul
        plan = InputPlan(
            signals: rul.signals,
            settings: rul.settings,
            regimes: rul.regimes,
            normalisation: rul.normalisation,
            unitInputs: rul.unitInputs
        )
    }

    /// The columns each row must give, in order: the operating settings, then the signals.
    public var columns: [String] { plan.columns }
    /// Steps the model reads.
    public var window: Int { file.rul.window }
    /// The target cap.
    public var cap: Double { file.rul.cap }

    /// One estimate per life (rows in `columns` order from the start of the unit's life), read at
    /// its last step.
    public func estimate(_ lives: [[[Double]]]) -> [RULEstimate] {
        guard !lives.isEmpty else { return [] }
        return estimate(
            lives.map { rows in
                (recent: Array(rows.suffix(window)), lastAge: rows.count - 1, first: Array(rows.prefix(baselineSteps)))
            }
        )
    }

    /// One estimate per unit from its most recent steps (oldest first; the last of them `lastAge`
    /// steps after the start of its life) and its life's first steps.
    public func estimate(_ units: [(recent: [[Double]], lastAge: Int, first: [[Double]])]) -> [RULEstimate] {
        guard !units.isEmpty else { return [] }
        let inputs = units.map {
            plan.inputs(recent: Array($0.recent.suffix(window)), lastAge: $0.lastAge, first: $0.first)
        }
        let windows = RULWindows(
            units: inputs,
            ends: inputs.indices.map { (unit: $0, end: inputs[$0].count / plan.inputCount - 1) },
            inputSize: plan.inputCount,
            window: window,
            cap: Float(cap)
        )
        return Self.average(file.members, windows: windows).map(interval(around:))
    }

    /// Steps at the start of a life the model reads as its baseline.
    public var baselineSteps: Int { file.rul.unitInputs.baselineSteps }

    /// The estimate at every step of one life (rows in `columns` order from its start).
    public func estimateEveryStep(_ rows: [[Double]]) -> [Double] {
        guard !rows.isEmpty else { return [] }
        let windows = RULWindows(
            units: [plan.inputs(life: rows)],
            ends: rows.indices.map { (unit: 0, end: $0) },
            inputSize: plan.inputCount,
            window: window,
            cap: Float(cap)
        )
        return Self.average(file.members, windows: windows)
    }

    /// The members' mean output × cap for every sample, clamped to [0, cap].
    static func average(_ members: [SequenceRegressor<Float>], windows: RULWindows) -> [Double] {
        var sums = [Double](repeating: 0, count: windows.count)
        for member in members {
            for (index, output) in SequenceTrainer.predict(member, samples: windows).enumerated() {
                sums[index] += Double(output)
            }
        }
        let cap = Double(windows.cap)
        return sums.map { min(max($0 / Double(members.count) * cap, 0), cap) }
    }

    /// An estimate with its interval.
    public func interval(around value: Double) -> RULEstimate {
        let band = file.rul.interval.band(for: value)
        return RULEstimate(value: value, lower: max(0, value + band.lower), upper: band.upper.map { value + $0 })
    }
}
