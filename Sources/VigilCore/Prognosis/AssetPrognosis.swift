/// The predictions of one asset: it averages the asset's ticks into the steps of its remaining-life
/// model and estimates after each step, follows each limited signal's trend, and turns the
/// probability that a failure comes within the horizon into a `fault_predicted` alarm with its own
/// state machine (so it is raised, updated and cleared beside, and independently of, the asset's
/// anomaly alarm).
struct AssetPrognosis: Sendable {
    let asset: String
    let plan: PrognosisPlan
    private var aggregator: StepAggregator?
    /// The model's last steps, oldest first.
    private(set) var history: [[Double]] = []
    /// Steps completed since the asset's life started (its first step, or the last label).
    private(set) var lifeSteps = 0
    /// The first steps of the life, up to the model's baseline.
    private(set) var firstSteps: [[Double]] = []
    private var remainingLife: Prediction?
    private var trends: [LimitTrend]
    private(set) var alarm: AlarmStateMachine
    private var lastReport: (time: Timestamp, sources: [String], problem: String?)?

    /// The detector name recorded in `fault_predicted` events.
    static let detectorName = "prognosis"

    init(asset: String, plan: PrognosisPlan) {
        self.asset = asset
        self.plan = plan
        aggregator = plan.remainingLife.map { StepAggregator(step: $0.step) }
        trends = plan.limits.map {
            LimitTrend(signal: $0.signal, limit: $0.value, bound: $0.bound, window: plan.trendWindow)
        }
        alarm = AlarmStateMachine(asset: asset, policy: plan.alarm, idPrefix: "\(asset)-fp")
    }

    /// Continues the life an earlier run recorded, for the model's columns.
    mutating func restore(_ life: RecordedLife, model: RemainingLifeModel?) {
        guard let model else { return }
        let columns = model.estimator.columns
        guard life.columns == columns else { return }
        lifeSteps = life.steps
        firstSteps = Array(life.first.prefix(model.estimator.baselineSteps))
        history = Array(life.recent.suffix(model.estimator.window))
    }

    /// Forgets the history and the trends: after a repair (or a failure), a new life starts and the
    /// old course of the signals says nothing of it.
    mutating func reset() {
        history = []
        lifeSteps = 0
        firstSteps = []
        remainingLife = nil
        for index in trends.indices { trends[index].reset() }
        aggregator = plan.remainingLife.map { StepAggregator(step: $0.step) }
    }

    /// Takes one tick: `forecasts` are the detector's expected values by signal, `model` the
    /// entry's current remaining-life model (it may have been retrained since the plan was made).
    mutating func observe(
        _ tick: Tick,
        forecasts: [String: Double],
        model: RemainingLifeModel?
    ) -> [PipelineOutput] {
        var outputs: [PipelineOutput] = []
        var estimated = false
        var problem: String?
        if let model {
            let columns = model.estimator.columns
            let indices = columns.map { tick.signals.firstIndex(of: $0) }
            if indices.contains(nil) {
                let missing = zip(columns, indices).filter { $0.1 == nil }.map(\.0)
                problem = "the remaining-life model needs signals \(missing.joined(separator: ", ")) the asset lacks"
            } else if let (time, row) = aggregator?.add(indices.map { tick.values[$0!] }, at: tick.time) {
                history.append(row)
                if history.count > model.estimator.window {
                    history.removeFirst(history.count - model.estimator.window)
                }
                if firstSteps.count < model.estimator.baselineSteps { firstSteps.append(row) }
                lifeSteps += 1
                outputs.append(.prognosisStep(asset: asset, time: time, columns: columns, values: row))
                let life = model.estimator.estimate(recent: history, lastAge: lifeSteps - 1, first: firstSteps)
                remainingLife = prediction(life, step: model.step)
                estimated = true
            }
        }
        var predictions: [Prediction] = remainingLife.map { [$0] } ?? []
        var contributions: [SignalContribution] = []
        let horizon = Self.seconds(plan.horizon)
        for index in trends.indices {
            let signal = trends[index].signal
            guard let position = tick.signals.firstIndex(of: signal) else { continue }
            let value = tick.values[position]
            trends[index].add(plan.trendOfForecast ? forecasts[signal] ?? value : value, at: tick.time)
            if let prediction = trends[index].prediction(horizon: horizon) {
                predictions.append(prediction)
                let level = trends[index].line()?.level ?? value
                contributions.append(
                    SignalContribution(signal: signal, value: value, expected: level, score: prediction.probability)
                )
            }
        }
        let score = predictions.map(\.probability).max() ?? 0
        let detection = Detection(
            score: score,
            kind: .faultPredicted,
            contributions: contributions.sorted { $0.score > $1.score }
        )
        if var event = alarm.update(time: tick.time, detection: detection, detector: Self.detectorName) {
            event.predictions = predictions.sorted { $0.probability > $1.probability }
            outputs.append(.event(event))
        }
        let sources = predictions.map { $0.signal.map { "limit:\($0)" } ?? "rul" }
        let due =
            lastReport.map { last in
                estimated || !outputs.isEmpty || last.sources != sources || last.problem != problem
                    || (!predictions.isEmpty && tick.time >= last.time + .seconds(60))
            } ?? true
        if due {
            lastReport = (tick.time, sources, problem)
            outputs.append(
                .prognosis(
                    PrognosisReport(
                        asset: asset,
                        time: tick.time,
                        predictions: predictions,
                        alarmID: alarm.openAlarm?.id,
                        problem: problem
                    )
                )
            )
        }
        return outputs
    }

    /// The remaining life in seconds with its probability of ending within the horizon.
    private func prediction(_ life: RemainingLife, step: Duration) -> Prediction {
        let seconds = Self.seconds(step)
        let horizon = Self.seconds(plan.horizon)
        let value = life.value * seconds
        let lower = min(life.lower, life.value) * seconds
        let upper = life.upper.map { max($0, life.value) * seconds }
        return Prediction(
            source: .rul,
            seconds: value,
            lower: lower,
            upper: upper,
            horizon: horizon,
            probability: Prediction.probability(within: horizon, estimate: value, lower: lower, upper: upper),
            steps: life.value
        )
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// What an earlier run recorded of an asset's current life: how many steps it has, its first and
/// its most recent ones (oldest first), all for `columns`.
public struct RecordedLife: Hashable, Sendable {
    /// The columns of the steps.
    public var columns: [String]
    /// Steps in the life so far.
    public var steps: Int
    /// Its first steps.
    public var first: [[Double]]
    /// Its most recent steps.
    public var recent: [[Double]]

    /// Creates a record.
    public init(columns: [String], steps: Int, first: [[Double]], recent: [[Double]]) {
        self.columns = columns
        self.steps = steps
        self.first = first
        self.recent = recent
    }
}

extension AssetPrognosis {
    /// Continues a `fault_predicted` alarm that was open when the daemon stopped.
    mutating func restoreAlarm(_ open: AlarmStateMachine.OpenAlarm) {
        alarm.restore(open)
    }
}
