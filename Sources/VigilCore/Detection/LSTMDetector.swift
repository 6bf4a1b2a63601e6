internal import Foundation
public import VigilNN

/// The neural detector: a recurrent network per asset learns the machine's normal behaviour on
/// the gateway and forecasts each tick; calibrated forecast errors are the score.
///
/// Lifecycle (`modelState`):
/// - `learning`: ticks are collected while robust statistics score them, so the asset is never
///   blind; after `warmup` ticks a model is trained.
/// - `training`: BPTT runs on a background thread at nice 19 (`BackgroundTraining`), so it only
///   takes CPU time that ingestion leaves idle, while ticks keep coming (still scored by robust
///   statistics). The model takes over `activationDelay` ticks after training started; if it is not
///   finished by then the detector waits for it, so when the model starts scoring depends only on
///   event time, and a replay and the daemon agree.
/// - `active`: the model scores every tick. Every `retrainEvery` ticks a new model is trained from
///   the recent alarm-free ticks (ticks during an alarm are never learned), and replaces the old one
///   the same way.
public struct LSTMDetector: Detector {
    /// Tuning of the detector.
    public struct Settings: Sendable, Hashable {
        /// Alarm-free ticks collected before the first training.
        public var warmup: Int
        /// Ticks between training start and the new model taking over.
        public var activationDelay: Int
        /// Ticks between scheduled retrainings (0: never).
        public var retrainEvery: Int
        /// Most recent alarm-free ticks kept to (re)train on.
        public var history: Int
        /// The network and its training.
        public var forecast: ForecastSettings
        /// How errors become scores: records with onset suppression (univariate default) or
        /// lasting shifts (multivariate default).
        public var method: CalibrationMethod
        /// Settings of the `records` calibration.
        public var calibration: CalibrationSettings
        /// Settings of the `shift` calibration.
        public var shift: ShiftCalibrator.Settings
        /// The robust statistics used while there is no model (and for stuck sensors).
        public var fallback: RobustStatisticsDetector.Settings
        /// Per-signal deviation from the forecast below which the signal scores 0 (engineering units).
        public var minDeviation: [String: Double]
        /// Whether "the same time yesterday" is a channel of the score, when the tick divides a day
        /// and a day of ticks fits in the warm-up.
        public var seasonal: Bool

        /// Creates settings.
        public init(
            warmup: Int = 500,
            activationDelay: Int = 20,
            retrainEvery: Int = 0,
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

    /// How forecast errors become scores.
    public enum CalibrationMethod: String, Sendable, Hashable, Codable {
        /// `ErrorCalibrator`: new records of the error, reported at their onset.
        case records
        /// `ShiftCalibrator`: lasting bias or energy of the error.
        case shift
    }

    /// The calibration in use.
    enum Calibration: Sendable, Codable {
        case records(ErrorCalibrator)
        case shift(ShiftCalibrator)
    }

    /// Where the asset's model is in its lifecycle.
    public enum ModelState: String, Sendable, Hashable, Codable {
        /// Collecting warm-up data.
        case learning
        /// A model is being trained.
        case training
        /// A model scores every tick.
        case active
    }

    /// A model trained from a snapshot of ticks, with the normalised ticks and the errors it made
    /// on them.
    struct Trained: Sendable {
        var model: ForecastModel
        var normalizedRows: [[Double]]
        var residuals: [[Double]]
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
    private var calibrator: Calibration?
    private var history: [[Double]] = []
    /// The last `settings.history` ticks kept for training.
    private var recentHistory: [[Double]] { Array(history.suffix(settings.history)) }
    private var run: Run?
    private var ticks = 0
    private var lastTraining = 0
    private var stuckReported = false
    private var fallbackOnset: OnsetFilter

    /// The longest seasonal period, in ticks, that gets a channel: a week of 1-minute ticks (the
    /// channel keeps a period of values per signal).
    public static let longestSeasonalPeriod = 10_080

    /// Creates a detector for an asset ticking every `tick`.
    public init(settings: Settings = Settings(), tick: Duration = .seconds(1)) {
        var settings = settings
        if settings.seasonal, settings.calibration.periods.isEmpty {
            settings.calibration.periods = Self.seasonalPeriods(tick: tick)
        }
        self.settings = settings
        fallback = RobustStatisticsDetector(settings: settings.fallback)
        fallbackOnset = OnsetFilter(horizon: settings.calibration.suppression)
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

    public var name: String { model == nil ? fallback.name : "lstm" }

    public var phase: DetectorPhase { model != nil ? .active : fallback.phase }

    /// Learning until the first model scores.
    public var isLearning: Bool { model == nil }

    /// The model's lifecycle state.
    public var modelState: ModelState { model != nil ? .active : (run != nil ? .training : .learning) }

    public var modelLifecycle: ModelState? { modelState }

    public mutating func score(_ tick: Tick, alarmOpen: Bool) async -> Detection {
        ticks += 1
        if let pending = run, ticks >= pending.activateAt {
            await activate(pending)
        }
        // Before the first model every tick is warm-up data, normal by definition.
        let fallbackDetection = fallback.scoreNow(tick, normal: model == nil)
        var detection = fallbackDetection
        // Like the model's records calibration, the robust statistics report an excursion at its
        // onset; the level keeps an alarm open while it lasts.
        if settings.method == .records {
            detection.score = fallbackOnset.filter(fallbackDetection.score)
        }
        if var current = model, var calibration = calibrator {
            // The locals become the only references, so that scoring mutates the model's state and
            // the calibration's memories in place instead of copying them on every tick.
            model = nil
            calibrator = nil
            let expected = (0..<tick.values.count).map { current.expected(signal: $0) ?? tick.values[$0] }
            if let errors = current.observe(tick.values) {
                let signalScores: [Double]
                let assetScore: Double
                let level: Double
                switch consume calibration {
                case .records(var records):
                    (signalScores, assetScore, level) = records.score(
                        values: tick.values.indices.map { current.normalizer.normalize(tick.values[$0], signal: $0) },
                        errors: errors,
                        learn: !alarmOpen
                    )
                    calibration = .records(records)
                case .shift(var shift):
                    (signalScores, assetScore) = shift.score(errors: errors, learn: !alarmOpen)
                    level = assetScore
                    calibration = .shift(shift)
                }
                var contributions: [SignalContribution] = []
                for (index, signal) in tick.signals.enumerated() {
                    var score = signalScores[index]
                    if abs(tick.values[index] - expected[index]) <= settings.minDeviation[signal] ?? 0 { score = 0 }
                    contributions.append(
                        SignalContribution(
                            signal: signal,
                            value: tick.values[index],
                            expected: expected[index],
                            score: score
                        )
                    )
                }
                contributions.sort { $0.score > $1.score }
                let top = contributions.first?.score ?? 0
                // Every signal inside its minimum deviation: the asset scores 0 whatever the ratios say.
                let gated = !settings.minDeviation.isEmpty && top == 0
                detection = Detection(
                    score: gated ? 0 : assetScore,
                    level: gated ? 0 : level,
                    kind: .anomaly,
                    contributions: contributions
                )
            }
            model = current
            calibrator = calibration
            // A stuck sensor is the robust detector's finding, whatever the model says; like the
            // model's excursions it is scored at its onset and keeps its level while it lasts.
            if fallbackDetection.kind == .sensorFault {
                detection = fallbackDetection
                if stuckReported { detection.score = 0 }
                stuckReported = true
            } else {
                stuckReported = false
            }
        }
        // Before the first model, every tick is warm-up data: the robust statistics' alarms are too
        // coarse to decide what is normal, and freezing on them could keep the asset from ever
        // getting a model. Once a model scores, ticks under an alarm are never learned.
        if !alarmOpen || model == nil {
            history.append(tick.values)
            // Trimmed in bulk (amortised O(1) per tick); readers take the last `settings.history`.
            if history.count >= 2 * settings.history { history.removeFirst(history.count - settings.history) }
        }
        if run != nil { run!.since.append(tick.values) }
        if run == nil && (!alarmOpen || model == nil) {
            let due =
                model == nil
                ? history.count >= settings.warmup
                : settings.retrainEvery > 0 && ticks - lastTraining >= settings.retrainEvery
            if due { startTraining() }
        }
        // The score reports the onset of an excursion; while an alarm is open, that excursion has
        // been reported, and the level alone keeps the alarm open or clears it.
        if alarmOpen && settings.method == .records { detection.score = 0 }
        return detection
    }

    public mutating func acceptNewNormal() {
        run?.task.cancel()
        run = nil
        model = nil
        calibrator = nil
        history = []
        fallback.acceptNewNormal()
    }

    private mutating func startTraining() {
        let rows = recentHistory
        let forecast = settings.forecast
        run = Run(
            task: Self.trainingTask(rows: rows, settings: forecast),
            rows: rows,
            activateAt: ticks + max(settings.activationDelay, 1),
            since: []
        )
        lastTraining = ticks
    }

    static func trainingTask(rows: [[Double]], settings: ForecastSettings) -> Task<Trained, Never> {
        Task.detached(priority: .utility) {
            await BackgroundTraining.run { Self.train(rows: rows, settings: settings) }
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
        var version = 2
        var signals: Int?
        var fallback: RobustStatisticsDetector.Snapshot
        var fallbackOnset: OnsetFilter
        var model: ForecastModel.Snapshot?
        var calibrator: Calibration?
        var history: [[Double]]
        var pending: Pending?
        var ticks: Int
        var lastTraining: Int
        var stuckReported: Bool
    }

    public func snapshot() -> [UInt8]? {
        let snapshot = Snapshot(
            signals: model?.signals,
            fallback: fallback.learned,
            fallbackOnset: fallbackOnset,
            model: model?.snapshot,
            calibrator: calibrator,
            history: recentHistory,
            pending: run.map { Snapshot.Pending(rows: $0.rows, activateAt: $0.activateAt, since: $0.since) },
            ticks: ticks,
            lastTraining: lastTraining,
            stuckReported: stuckReported
        )
        return try? Array(JSONEncoder().encode(snapshot))
    }

    public mutating func restore(snapshot bytes: [UInt8]) -> Bool {
        guard let snapshot = try? JSONDecoder().decode(Snapshot.self, from: Data(bytes)), snapshot.version == 2 else {
            return false
        }
        switch (snapshot.calibrator, settings.method) {
        case (.records?, .records), (.shift?, .shift), (nil, _): break
        default: return false  // the calibration was changed in the configuration: learn again
        }
        fallback.learned = snapshot.fallback
        fallbackOnset = snapshot.fallbackOnset
        model = snapshot.model.map(ForecastModel.init(snapshot:))
        calibrator = snapshot.calibrator
        history = snapshot.history
        run?.task.cancel()
        run = snapshot.pending.map { pending in
            Run(
                task: Self.trainingTask(rows: pending.rows, settings: settings.forecast),
                rows: pending.rows,
                activateAt: pending.activateAt,
                since: pending.since
            )
        }
        ticks = snapshot.ticks
        lastTraining = snapshot.lastTraining
        stuckReported = snapshot.stuckReported
        return true
    }

    private mutating func activate(_ pending: Run) async {
        var trained = await pending.task.value
        run = nil
        var rows = trained.normalizedRows
        var residuals = trained.residuals
        for row in pending.since {
            if let errors = trained.model.observe(row) { residuals.append(errors) }
            rows.append(row.indices.map { trained.model.normalizer.normalize(row[$0], signal: $0) })
        }
        model = trained.model
        switch settings.method {
        case .records:
            calibrator = .records(ErrorCalibrator(settings: settings.calibration, rows: rows, residuals: residuals))
        case .shift:
            calibrator = .shift(ShiftCalibrator(settings: settings.shift, residuals: residuals))
        }
    }

    /// Trains on `rows` and runs the model over them, so that its state and forecast are current
    /// and its in-sample errors can seed the calibration.
    static func train(rows: [[Double]], settings: ForecastSettings) -> Trained {
        var model = ForecastModel.train(rows: rows, settings: settings)
        var residuals: [[Double]] = []
        for (index, row) in rows.enumerated() {
            if let errors = model.observe(row), index >= min(16, rows.count / 4) { residuals.append(errors) }
        }
        let normalized = rows.map { row in row.indices.map { model.normalizer.normalize(row[$0], signal: $0) } }
        return Trained(model: model, normalizedRows: normalized, residuals: residuals)
    }
}
