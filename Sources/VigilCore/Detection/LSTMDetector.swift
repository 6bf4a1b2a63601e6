internal import Foundation
internal import VigilNN

/// The learning detector: every asset scores from its first ticks, and a recurrent network
/// learned on the gateway takes over the forecast when it forecasts better.
///
/// With the `records` calibration (the univariate default), an `ErrorCalibrator` scores every tick
/// from the start: the error of the last value as a forecast, the same time a day and a week ago,
/// the shapes of the recent windows, level shifts and the seen range, each against its own
/// records. The asset says `learning` until those channels have learned `calibration.quiet`
/// ticks. Meanwhile the ticks are collected, and once there are `warmup` of them a network is
/// trained in the background on the first 80% and judged on the last 20%: it takes over the
/// forecast channel only if its errors there are smaller than the last value's. If not, it is
/// tried again on twice the ticks.
///
/// With the `shift` calibration (the multivariate default), robust statistics score the asset
/// until the first model, trained after `warmup` ticks, takes over: the calibration is made of
/// that model's errors.
///
/// Lifecycle of the model (`modelState`): `learning` (collecting ticks), `training` (BPTT on a
/// background thread at nice 19, `BackgroundTraining`, while ticks keep coming; the result is
/// used `activationDelay` ticks after training started, waiting for it if need be, so when a model
/// takes over depends only on event time and a replay and the daemon agree), `active` (the model
/// forecasts every tick; every `retrainEvery` ticks a new one is trained from the recent ticks
/// that raised no alarm, and replaces it the same way).
public struct LSTMDetector: Detector {
    /// Tuning of the detector.
    public struct Settings: Sendable, Hashable {
        /// Ticks collected before the first training.
        public var warmup: Int
        /// Ticks between training start and the new model taking over.
        public var activationDelay: Int
        /// Ticks between scheduled retrainings (0: never).
        public var retrainEvery: Int
        /// Most recent alarm-free ticks kept to (re)train on.
        public var history: Int
        /// The network and its training.
        public var forecast: ForecastSettings
        /// How the asset is scored: records of several channels, reported at their onset
        /// (univariate default), or lasting shifts of the model's errors (multivariate default).
        public var method: CalibrationMethod
        /// Settings of the `records` calibration.
        public var calibration: CalibrationSettings
        /// Settings of the `shift` calibration.
        public var shift: ShiftCalibrator.Settings
        /// The robust statistics: the score before the first model (`shift`), and stuck sensors.
        public var fallback: RobustStatisticsDetector.Settings
        /// Per-signal deviation from the forecast below which the signal scores 0 (engineering units).
        public var minDeviation: [String: Double]
        /// Whether "the same time a day and a week ago" are channels of the `records` calibration,
        /// where the tick divides those periods.
        public var seasonal: Bool

        /// Creates settings.
        public init(
            warmup: Int = 500,
            activationDelay: Int = 10,
            retrainEvery: Int = 10_000,
            history: Int = 2000,
            forecast: ForecastSettings = ForecastSettings(),
            method: CalibrationMethod = .records,
            calibration: CalibrationSettings = CalibrationSettings(),
            shift: ShiftCalibrator.Settings = ShiftCalibrator.Settings(),
            fallback: RobustStatisticsDetector.Settings = RobustStatisticsDetector.Settings(),
            minDeviation: [String: Double] = [:],
            seasonal: Bool = true
        ) {
            precondition(warmup >= 32 && activationDelay >= 0 && retrainEvery >= 0 && history >= warmup)
            self.warmup = warmup
            self.activationDelay = activationDelay
            self.retrainEvery = retrainEvery
            self.history = history
            self.forecast = forecast
            self.method = method
            self.calibration = calibration
            self.shift = shift
            self.fallback = fallback
            self.minDeviation = minDeviation
            self.seasonal = seasonal
        }
    }

    /// How an asset is scored.
    public enum CalibrationMethod: String, Sendable, Hashable, Codable {
        /// `ErrorCalibrator`: new records of several channels, from the first ticks.
        case records
        /// `ShiftCalibrator`: lasting bias or energy of the model's errors.
        case shift
    }

    /// The calibration in use.
    enum Calibration: Sendable, Codable {
        case records(ErrorCalibrator)
        case shift(ShiftCalibrator)
    }

    /// Where the asset's model is in its lifecycle.
    public enum ModelState: String, Sendable, Hashable, Codable {
        /// Collecting ticks to train on.
        case learning
        /// A model is being trained.
        case training
        /// A model forecasts every tick.
        case active
    }

    /// A model trained from a snapshot of ticks, with its errors on them.
    struct Trained: Sendable {
        var model: ForecastModel
        /// The model's errors on the ticks, normalised, from the first it forecast.
        var residuals: [[Double]]
        /// Mean absolute error on the held-out ticks, in each signal's spread (nil: none held out).
        var validationError: Double?
        /// The same for the last value as the forecast.
        var naiveError: Double?

        /// Whether the model forecasts the held-out ticks better than the last value does.
        var beatsLastValue: Bool {
            guard let validationError, let naiveError else { return true }
            return validationError < naiveError
        }
    }

    /// A training run in flight.
    struct Run: Sendable {
        var task: Task<Trained, Never>
        /// The ticks it trains on (kept so that a restart can train the same model again).
        var rows: [[Double]]
        /// The tick count at which the new model takes over.
        var activateAt: Int
        /// Ticks seen since the snapshot, to bring the new model's state up to date.
        var since: [[Double]]
    }

    /// The settings.
    public let settings: Settings
    private var fallback: RobustStatisticsDetector
    private var model: ForecastModel?
    private var calibration: Calibration?
    private var history: [[Double]] = []
    /// The last `settings.history` ticks kept for training.
    private var recentHistory: [[Double]] { Array(history.suffix(settings.history)) }
    private var run: Run?
    private var ticks = 0
    private var lastTraining = 0
    /// The tick count from which a model may be trained again after one that did not beat the
    /// last value.
    private var nextAttempt = 0
    /// The previous tick's values: the forecast before a model takes over.
    private var previous: [Double]?
    private var stuckReported = false

    /// The longest seasonal period, in ticks, that gets a channel: a week of 1-minute ticks (the
    /// channel keeps a period of values per signal).
    public static let longestSeasonalPeriod = 10_080

    /// Creates a detector for an asset ticking every `tick`.
    public init(settings: Settings = Settings(), tick: Duration = .seconds(1)) {
        var settings = settings
        if settings.seasonal, settings.calibration.periods.isEmpty {
            settings.calibration.periods = Self.seasonalPeriods(tick: tick)
        } else if !settings.seasonal {
            settings.calibration.periods = []
        }
        self.settings = settings
        fallback = RobustStatisticsDetector(settings: settings.fallback)
    }

    /// A day and a week in ticks, where the tick divides them and the period is at most
    /// `longestSeasonalPeriod` ticks.
    static func seasonalPeriods(tick: Duration) -> [Int] {
        let tickMilliseconds = max(tick.wholeMilliseconds, 1)
        return [Int64(86_400_000), 604_800_000].compactMap { length in
            let period = length / tickMilliseconds
            guard length % tickMilliseconds == 0, period >= 2, period <= Int64(longestSeasonalPeriod) else {
                return nil
            }
            return Int(period)
        }
    }

    public var name: String {
        if model != nil { return "lstm" }
        return settings.method == .records ? "streaming" : fallback.name
    }

    public var phase: DetectorPhase { isLearning ? (settings.method == .shift ? fallback.phase : .learning) : .active }

    /// Learning until the asset scores with its own calibration: the channels have learned their
    /// first ticks (`records`), or the first model scores (`shift`).
    public var isLearning: Bool {
        switch calibration {
        case .records(let records)?: !records.isScoring
        case .shift?: false
        case nil: true
        }
    }

    /// The model's lifecycle state.
    public var modelState: ModelState { model != nil ? .active : (run != nil ? .training : .learning) }

    public var modelLifecycle: ModelState? { modelState }

    public mutating func score(_ tick: Tick, alarmOpen: Bool) async -> Detection {
        if let previous, previous.count != tick.values.count {
            // The asset gained a signal: what was learned of the others alone no longer fits.
            acceptNewNormal()
        }
        ticks += 1
        if let pending = run, ticks >= pending.activateAt {
            await activate(pending)
        }
        if settings.method == .records && calibration == nil {
            calibration = .records(ErrorCalibrator(settings: settings.calibration, signals: tick.values.count))
        }
        // The warm-up's ticks are normal by definition: a flat run that ends then is learned as
        // normal, even one the stuck-sensor rule called stuck.
        let fallbackDetection = fallback.scoreNow(tick, normal: ticks <= settings.warmup)
        var detection = fallbackDetection
        if var current = calibration {
            // The local becomes the only reference, so that scoring mutates the channels'
            // memories in place instead of copying them on every tick.
            calibration = nil
            let expected = (0..<tick.values.count).map {
                model?.expected(signal: $0) ?? previous?[$0] ?? tick.values[$0]
            }
            var scores: (signals: [Double], asset: Double, level: Double)?
            switch consume current {
            case .records(var records):
                let errors: [Double]?
                if model != nil {
                    errors = model!.observe(tick.values).map { normalised in
                        normalised.indices.map { normalised[$0] * model!.normalizer.scales[$0] }
                    }
                } else {
                    errors = previous.map { previous in tick.values.indices.map { tick.values[$0] - previous[$0] } }
                }
                scores = records.score(values: tick.values, errors: errors)
                current = .records(records)
            case .shift(var shift):
                if let errors = model?.observe(tick.values) {
                    let (signalScores, assetScore) = shift.score(errors: errors, learn: !alarmOpen)
                    scores = (signalScores, assetScore, assetScore)
                }
                current = .shift(shift)
            }
            calibration = current
            if let scores {
                detection = Self.detection(
                    tick: tick,
                    expected: expected,
                    scores: scores,
                    minDeviation: settings.minDeviation
                )
                // A stuck sensor is the robust detector's finding, whatever the calibration says;
                // like other excursions it is scored at its onset and keeps its level while it lasts.
                if fallbackDetection.kind == .sensorFault {
                    detection = fallbackDetection
                    if stuckReported { detection.score = 0 }
                    stuckReported = true
                } else {
                    stuckReported = false
                }
            }
        }
        previous = tick.values
        // The model never learns a tick under an alarm (it must not learn a fault as normal); before
        // the first model every tick is warm-up data.
        if !alarmOpen || model == nil {
            history.append(tick.values)
            // Trimmed in bulk (amortised O(1) per tick); readers take the last `settings.history`.
            if history.count >= 2 * settings.history { history.removeFirst(history.count - settings.history) }
        }
        if run != nil { run!.since.append(tick.values) }
        if run == nil && (!alarmOpen || model == nil) {
            let due =
                model == nil
                ? history.count >= settings.warmup && ticks >= nextAttempt
                : settings.retrainEvery > 0 && ticks - lastTraining >= settings.retrainEvery
            if due { startTraining() }
        }
        // The records score reports the onset of an excursion; while an alarm is open, that
        // excursion has been reported, and the level alone keeps the alarm open or clears it.
        if alarmOpen && settings.method == .records { detection.score = 0 }
        return detection
    }

    /// The detection of a scored tick: per-signal contributions, strongest first, each gated by its
    /// signal's `minDeviation`.
    private static func detection(
        tick: Tick,
        expected: [Double],
        scores: (signals: [Double], asset: Double, level: Double),
        minDeviation: [String: Double]
    ) -> Detection {
        var contributions: [SignalContribution] = []
        for (index, signal) in tick.signals.enumerated() {
            var score = scores.signals[index]
            if abs(tick.values[index] - expected[index]) <= minDeviation[signal] ?? 0 { score = 0 }
            contributions.append(
                SignalContribution(signal: signal, value: tick.values[index], expected: expected[index], score: score)
            )
        }
        contributions.sort { $0.score > $1.score }
        // Every signal inside its minimum deviation: the asset scores 0 whatever the ratios say.
        let gated = !minDeviation.isEmpty && (contributions.first?.score ?? 0) == 0
        return Detection(
            score: gated ? 0 : scores.asset,
            level: gated ? 0 : scores.level,
            kind: .anomaly,
            contributions: contributions
        )
    }

    public mutating func acceptNewNormal() {
        run?.task.cancel()
        run = nil
        model = nil
        calibration = nil
        history = []
        previous = nil
        nextAttempt = 0
        ticks = 0
        lastTraining = 0
        fallback.acceptNewNormal()
    }

    private mutating func startTraining() {
        let rows = recentHistory
        run = Run(
            task: Self.trainingTask(rows: rows, settings: settings),
            rows: rows,
            activateAt: ticks + max(settings.activationDelay, 1),
            since: []
        )
        lastTraining = ticks
    }

    static func trainingTask(rows: [[Double]], settings: Settings) -> Task<Trained, Never> {
        let forecast = settings.forecast
        let holdout = settings.method == .records
        return Task.detached(priority: .utility) {
            await BackgroundTraining.run { Self.train(rows: rows, settings: forecast, holdout: holdout) }
        }
    }

    /// Everything learned, for persistence: the model and its state, the calibration, the ticks
    /// kept for retraining, a training in flight (as its ticks; it is trained again on restore,
    /// which gives the same model), and the fallback's statistics.
    struct Snapshot: Sendable, Codable {
        struct Pending: Sendable, Codable {
            var rows: [[Double]]
            var activateAt: Int
            var since: [[Double]]
        }
        var version = 3
        var fallback: RobustStatisticsDetector.Snapshot
        var model: ForecastModel.Snapshot?
        var calibration: Calibration?
        var history: [[Double]]
        var pending: Pending?
        var ticks: Int
        var lastTraining: Int
        var nextAttempt: Int
        var previous: [Double]?
        var stuckReported: Bool
    }

    public func snapshot() -> [UInt8]? {
        let snapshot = Snapshot(
            fallback: fallback.learned,
            model: model?.snapshot,
            calibration: calibration,
            history: recentHistory,
            pending: run.map { Snapshot.Pending(rows: $0.rows, activateAt: $0.activateAt, since: $0.since) },
            ticks: ticks,
            lastTraining: lastTraining,
            nextAttempt: nextAttempt,
            previous: previous,
            stuckReported: stuckReported
        )
        return try? Array(JSONEncoder().encode(snapshot))
    }

    public mutating func restore(snapshot bytes: [UInt8]) -> Bool {
        guard let snapshot = try? JSONDecoder().decode(Snapshot.self, from: Data(bytes)), snapshot.version == 3 else {
            return false
        }
        switch (snapshot.calibration, settings.method) {
        case (.records?, .records), (.shift?, .shift), (nil, _): break
        default: return false  // the calibration was changed in the configuration: learn again
        }
        fallback.learned = snapshot.fallback
        model = snapshot.model.map(ForecastModel.init(snapshot:))
        calibration = snapshot.calibration
        history = snapshot.history
        run?.task.cancel()
        run = snapshot.pending.map { pending in
            Run(
                task: Self.trainingTask(rows: pending.rows, settings: settings),
                rows: pending.rows,
                activateAt: pending.activateAt,
                since: pending.since
            )
        }
        ticks = snapshot.ticks
        lastTraining = snapshot.lastTraining
        nextAttempt = snapshot.nextAttempt
        previous = snapshot.previous
        stuckReported = snapshot.stuckReported
        return true
    }

    private mutating func activate(_ pending: Run) async {
        var trained = await pending.task.value
        run = nil
        guard trained.beatsLastValue else {
            // Not yet better than the last value: try again on twice the ticks.
            nextAttempt = ticks + pending.rows.count
            return
        }
        var residuals = trained.residuals
        for row in pending.since {
            if let errors = trained.model.observe(row) { residuals.append(errors) }
        }
        model = trained.model
        switch settings.method {
        case .records:
            guard case .records(var records)? = calibration else { return }
            let scales = trained.model.normalizer.scales
            records.restartForecasts(residuals: residuals.map { row in row.indices.map { row[$0] * scales[$0] } })
            calibration = .records(records)
        case .shift:
            calibration = .shift(ShiftCalibrator(settings: settings.shift, residuals: residuals))
        }
    }

    /// Trains on `rows` and runs the model over them, so that its state and forecast are current
    /// and its errors can seed the calibration. With `holdout`, the model is trained on the first
    /// 80% of the rows only and its errors on the rest are compared with the last value's.
    static func train(rows: [[Double]], settings: ForecastSettings, holdout: Bool) -> Trained {
        let cut = holdout ? rows.count - max(rows.count / 5, 1) : rows.count
        var model = ForecastModel.train(rows: Array(rows[..<cut]), settings: settings)
        var residuals: [[Double]] = []
        var validation = 0.0
        var naive = 0.0
        for (index, row) in rows.enumerated() {
            guard let errors = model.observe(row) else { continue }
            if index >= min(16, rows.count / 4) { residuals.append(errors) }
            if index >= cut {
                for signal in row.indices {
                    validation += abs(errors[signal])
                    naive += abs(row[signal] - rows[index - 1][signal]) / model.normalizer.scales[signal]
                }
            }
        }
        let held = cut < rows.count
        return Trained(
            model: model,
            residuals: residuals,
            validationError: held ? validation : nil,
            naiveError: held ? naive : nil
        )
    }
}
