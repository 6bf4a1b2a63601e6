internal import VigilCore

/// Retrains a remaining-life model from the runs to failure recorded on the gateway and decides
/// whether the new model replaces the old one: both are scored on the same held-out runs (the most
/// recent fifth of the completed runs, at least one, which the new model never trains on), and the
/// new one is swapped in only if its RMSE there is no worse.
public enum RULRetrainer {
    /// What retraining decided.
    public enum Outcome: Sendable {
        /// The new model validated no worse and replaces the old one.
        case swapped(RULModel, candidateRMSE: Double, currentRMSE: Double, heldOut: Int)
        /// The new model validated worse; the old one stays.
        case kept(candidateRMSE: Double, currentRMSE: Double, heldOut: Int)
        /// Retraining could not run (too few completed runs, or training failed).
        case skipped(String)
    }

    /// Completed runs to failure needed: at least two to train on and one to validate.
    public static let minimumRuns = 3

    /// Retrains from `histories` with `train` and compares the result with `current`.
    public static func consider(
        current: RULModel,
        histories: RunHistories,
        train: (RunHistories) throws(RULTrainer.Failure) -> RULModel
    ) -> Outcome {
        let failed = histories.units.filter(\.failed).sorted { ($0.times.last ?? 0) < ($1.times.last ?? 0) }
        guard failed.count >= minimumRuns else {
            return .skipped(
                "\(failed.count) completed run\(failed.count == 1 ? "" : "s") to failure; retraining needs \(minimumRuns)"
            )
        }
        let heldOutCount = max(1, failed.count / 5)
        let heldOutUnits = Set(failed.suffix(heldOutCount).map(\.unit))
        var training = histories
        training.units = histories.units.filter { !heldOutUnits.contains($0.unit) }
        var validation = histories
        validation.units = histories.units.filter { heldOutUnits.contains($0.unit) }
        let candidate: RULModel
        do {
            candidate = try train(training)
        } catch {
            return .skipped("training failed: \(error)")
        }
        guard let candidateRMSE = rmse(of: candidate, on: validation),
            let currentRMSE = rmse(of: current, on: validation)
        else { return .skipped("the held-out runs lack the models' signals") }
        if candidateRMSE <= currentRMSE {
            return .swapped(candidate, candidateRMSE: candidateRMSE, currentRMSE: currentRMSE, heldOut: heldOutCount)
        }
        return .kept(candidateRMSE: candidateRMSE, currentRMSE: currentRMSE, heldOut: heldOutCount)
    }

    /// The RMSE of a model at every step of the failed units against its capped target; nil when
    /// the histories lack a column the model reads.
    public static func rmse(of model: RULModel, on histories: RunHistories) -> Double? {
        guard let columns = try? histories.indices(of: model.columns) else { return nil }
        var errors: [Double] = []
        for unit in histories.units where unit.failed {
            let rows = unit.values.map { row in columns.map { row[$0] } }
            for (step, estimate) in model.estimateEveryStep(rows).enumerated() {
                errors.append(estimate - min(Double(rows.count - 1 - step), model.cap))
            }
        }
        return errors.isEmpty ? nil : RULScore.rmse(errors)
    }
}
