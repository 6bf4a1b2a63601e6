internal import Foundation
public import VigilModel
internal import VigilNN

/// Trains a remaining-useful-life model from run histories with Vigil's own engine.
///
/// The units are dealt into as many folds as the ensemble has members (by a seeded shuffle); each
/// member trains on the other folds and holds its own out, stopping early on it. Every failed unit
/// is so held out by exactly one member, whose estimates on it give the validation figures and the
/// interval: a split-conformal interval, the quantiles of the held-out errors in bands of the
/// estimate. The ensemble's estimate is the mean of its members'.
public enum RULTrainer {
    /// What a training run did.
    public struct Report: Sendable, Hashable {
        /// Epochs each member ran, and its best one.
        public var epochs: [(run: Int, best: Int)]
        /// Held-out figures.
        public var validation: RULValidation

        public static func == (lhs: Report, rhs: Report) -> Bool {
            lhs.validation == rhs.validation && lhs.epochs.map(\.run) == rhs.epochs.map(\.run)
                && lhs.epochs.map(\.best) == rhs.epochs.map(\.best)
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(validation) }
    }

    /// Why training could not start.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The data cannot be used.
        case data(RULDataError)
        /// Too few failed units to train and hold some out.
        case tooFewFailures(found: Int, needed: Int)
        /// Training was asked to stop before it finished.
        case stopped

        public var description: String {
            switch self {
            case .data(let error): "\(error)"
            case .tooFewFailures(let found, let needed):
                "only \(found) unit\(found == 1 ? "" : "s") ended in a failure; training needs at least \(needed)"
            case .stopped: "stopped before it finished"
            }
        }
    }

    /// Trains a model, members `jobs` at a time.
    /// - Parameter log: receives one line per finished member.
    public static func train(
        _ histories: RunHistories,
        settings: RULTrainingSettings = RULTrainingSettings(),
        jobs: Int = 1,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(Failure) -> (model: RULModel, report: Report) {
        let setup = try prepare(histories, settings: settings)
        let results = await withTaskGroup(of: (Int, MemberResult).self) { group in
            var results: [Int: MemberResult] = [:]
            var next = 0
            func start() {
                let index = next
                group.addTask { (index, trainMember(index, setup: setup, log: log)) }
                next += 1
            }
            while next < min(max(jobs, 1), settings.members) { start() }
            for await (index, result) in group {
                results[index] = result
                if next < settings.members { start() }
            }
            return (0..<settings.members).map { results[$0]! }
        }
        return finish(results, setup: setup)
    }

    /// Trains a model on the calling thread, one member after the other (the daemon's background
    /// retraining runs this on its low-priority thread).
    /// - Parameter stopping: asked before every mini-batch; true ends training with `.stopped`.
    public static func trainHere(
        _ histories: RunHistories,
        settings: RULTrainingSettings = RULTrainingSettings(),
        stopping: () -> Bool = { false }
    ) throws(Failure) -> (model: RULModel, report: Report) {
        let setup = try prepare(histories, settings: settings)
        var results: [MemberResult] = []
        for index in 0..<settings.members {
            results.append(trainMember(index, setup: setup, stopping: stopping, log: { _ in }))
            if stopping() { throw .stopped }
        }
        return finish(results, setup: setup)
    }

    // MARK: - Steps

    /// The data made ready for the members.
    struct Setup: Sendable {
        var histories: RunHistories
        var settings: RULTrainingSettings
        var plan: InputPlan
        var units: [[Float]]
        var failed: [Bool]
        /// Units of each fold.
        var folds: [[Int]]
    }

    struct MemberResult: Sendable {
        var member: SequenceRegressor<Float>
        var report: TrainingReport
        /// Held-out samples: unit, step, estimate, true RUL.
        var heldOut: [(unit: Int, end: Int, estimate: Double, truth: Double)]
    }

    static func prepare(_ histories: RunHistories, settings: RULTrainingSettings) throws(Failure) -> Setup {
        precondition(settings.members >= 1 && settings.window >= 1 && settings.cap > 0)
        let failedCount = histories.failedUnits
        guard failedCount > 0 else {
            throw .data(.noFailure(histories.sources.joined(separator: ", "), units: histories.units.count))
        }
        let needed = settings.members == 1 ? 2 : settings.members
        guard failedCount >= needed else { throw .tooFewFailures(found: failedCount, needed: needed) }
        let plan: InputPlan
        let columns: [Int]
        do {
            plan = try InputPlan.fit(histories, unitInputs: settings.unitInputs, seed: settings.seed)
            columns = try histories.indices(of: plan.columns)
        } catch {
            throw .data(error)
        }
        let units = histories.units.map { run in plan.inputs(life: run.values.map { row in columns.map { row[$0] } }) }
        // Failed units are dealt evenly into the folds, then the censored ones.
        var random = NNRandom(seed: settings.seed)
        let failedUnits = histories.units.indices.filter { histories.units[$0].failed }.shuffled(using: &random)
        let censored = histories.units.indices.filter { !histories.units[$0].failed }.shuffled(using: &random)
        let foldCount = settings.members == 1 ? 5 : settings.members
        var folds = [[Int]](repeating: [], count: foldCount)
        for (position, unit) in (failedUnits + censored).enumerated() { folds[position % foldCount].append(unit) }
        return Setup(
            histories: histories,
            settings: settings,
            plan: plan,
            units: units,
            failed: histories.units.map(\.failed),
            folds: folds
        )
    }

    static func trainMember(
        _ index: Int,
        setup: Setup,
        stopping: () -> Bool = { false },
        log: (String) -> Void
    ) -> MemberResult {
        let s = setup.settings
        let heldOutUnits = setup.folds[index % setup.folds.count]
        let trainingUnits = setup.folds.indices.filter { $0 != index % setup.folds.count }.flatMap { setup.folds[$0] }
        let inputs = setup.plan.inputCount
        let training = RULWindows(
            units: setup.units,
            failed: setup.failed,
            inputSize: inputs,
            window: s.window,
            cap: Float(s.cap),
            only: trainingUnits
        )
        let validation = RULWindows(
            units: setup.units,
            failed: setup.failed,
            inputSize: inputs,
            window: s.window,
            cap: Float(s.cap),
            only: heldOutUnits.filter { setup.failed[$0] }
        )
        var member = SequenceRegressor<Float>(
            kind: s.kind,
            inputSize: inputs,
            hiddenSize: s.hidden,
            layers: s.layers,
            headSizes: s.headSizes,
            outputSize: 1,
            seed: s.seed &+ UInt64(index) &* 104_729
        )
        let report = SequenceTrainer.train(
            &member,
            samples: training,
            validation: validation.count > 0 ? validation : nil,
            configuration: s.memberConfiguration(index),
            stopping: stopping
        )
        let estimates = RULModel.average([member], windows: validation)
        let heldOut = zip(validation.samples, estimates).map { sample, estimate in
            (unit: sample.unit, end: sample.end, estimate: estimate, truth: Double(sample.trueRUL))
        }
        let rmse = root(heldOut.map { pow($0.estimate - min($0.truth, s.cap), 2) })
        log(
            "member \(index + 1)/\(s.members): \(report.trainingLosses.count) epochs (best \(report.bestEpoch + 1)), "
                + "held-out RMSE \(String(format: "%.2f", rmse)) on \(Set(heldOut.map(\.unit)).count) units"
        )
        return MemberResult(member: member, report: report, heldOut: heldOut)
    }

    static func finish(_ results: [MemberResult], setup: Setup) -> (model: RULModel, report: Report) {
        let s = setup.settings
        // With one member, its fold is the only held-out part.
        let heldOut = results.flatMap(\.heldOut)
        let validation = figures(heldOut, setup: setup)
        let description = RULDescription(
            cap: s.cap,
            window: s.window,
            stepUnit: setup.histories.stepUnit,
            signals: setup.plan.signals,
            settings: setup.plan.settings,
            regimes: setup.plan.regimes,
            normalisation: setup.plan.normalisation,
            unitInputs: setup.plan.unitInputs,
            interval: calibration(heldOut, cap: s.cap, coverage: s.coverage),
            training: RULTrainingRecord(
                digest: setup.histories.digest,
                sources: setup.histories.sources.map { ($0 as NSString).lastPathComponent },
                units: setup.histories.units.count,
                failedUnits: setup.histories.failedUnits,
                rows: setup.histories.rowCount,
                epochs: results.map(\.report.trainingLosses.count),
                validation: validation,
                seed: s.seed,
                trainedAt: ISO8601DateFormatter().string(from: Date())
            )
        )
        let model = RULModel(file: RULModelFile(members: results.map(\.member), rul: description))
        let report = Report(
            epochs: results.map { (run: $0.report.trainingLosses.count, best: $0.report.bestEpoch) },
            validation: validation
        )
        return (model, report)
    }

    // MARK: - Figures

    /// RMSE over every held-out step against the capped target, and at one cut per held-out unit
    /// (its true RUL drawn uniformly from 1 to the cap, or to its length if shorter) against the
    /// true RUL, with the PHM08 score of those cuts.
    static func figures(
        _ heldOut: [(unit: Int, end: Int, estimate: Double, truth: Double)],
        setup: Setup
    ) -> RULValidation {
        let cap = setup.settings.cap
        let rmse = root(heldOut.map { pow($0.estimate - min($0.truth, cap), 2) })
        var byUnit: [Int: [(end: Int, estimate: Double, truth: Double)]] = [:]
        for sample in heldOut { byUnit[sample.unit, default: []].append((sample.end, sample.estimate, sample.truth)) }
        var random = NNRandom(seed: setup.settings.seed ^ 0xC075)
        var errors: [Double] = []
        for unit in byUnit.keys.sorted() {
            let samples = byUnit[unit]!.sorted { $0.end < $1.end }
            let longest = min(samples.count - 1, Int(cap))
            guard longest >= 1 else { continue }
            let remaining = 1 + Int(random.next() % UInt64(longest))
            let cut = samples[samples.count - 1 - remaining]
            errors.append(cut.estimate - cut.truth)
        }
        return RULValidation(
            units: byUnit.count,
            rmse: rmse,
            cutRMSE: root(errors.map { $0 * $0 }),
            cutScore: RULScore.phm08(errors)
        )
    }

    /// Split-conformal interval: in five bands of the estimate, the quantiles of (true − estimate)
    /// that leave (1 − coverage)/2 of the held-out errors on each side. Near the cap the true RUL
    /// may be any larger, so the top band has no upper bound.
    static func calibration(
        _ heldOut: [(unit: Int, end: Int, estimate: Double, truth: Double)],
        cap: Double,
        coverage: Double
    ) -> IntervalCalibration {
        let tail = (1 - coverage) / 2
        let edges = (0..<5).map { cap * Double($0) / 5 }
        let all = heldOut.map { $0.truth - $0.estimate }
        var bands: [IntervalBand] = []
        for (index, from) in edges.enumerated() {
            let to = index + 1 < edges.count ? edges[index + 1] : Double.infinity
            var residuals = heldOut.filter { $0.estimate >= from && $0.estimate < to }.map { $0.truth - $0.estimate }
            // A band with few errors borrows the spread of all of them.
            if residuals.count < 20 { residuals = all }
            let lower = min(0, quantile(residuals, tail))
            let upper = index == edges.count - 1 ? nil : max(0, quantile(residuals, 1 - tail))
            bands.append(IntervalBand(from: from, lower: lower, upper: upper))
        }
        return IntervalCalibration(coverage: coverage, bands: bands)
    }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    static func root(_ squares: [Double]) -> Double {
        squares.isEmpty ? 0 : (squares.reduce(0, +) / Double(squares.count)).squareRoot()
    }
}
