/// Everything a remaining-useful-life model file says besides its weights: what goes in, how it is
/// normalised, what comes out, how sure it is, and what it was trained on.
public struct RULDescription: Hashable, Sendable, Codable {
    /// Targets were capped here (piece-wise linear RUL), in steps; estimates never exceed it.
    public var cap: Double
    /// Steps the model reads; shorter histories are padded at the front with their first step.
    public var window: Int
    /// What one step is: `cycle` for C-MAPSS, `row` for a generic CSV (one row per step).
    public var stepUnit: String
    /// Input signals, in input order.
    public var signals: [String]
    /// Operating-setting signals whose values pick the regime (empty: one regime).
    public var settings: [String]
    /// The operating regimes.
    public var regimes: RegimeTable
    /// Per regime, per signal: x' = (x − center) / scale.
    public var normalisation: RegimeNormalisation
    /// What the model reads of each unit's life besides its signals.
    public var unitInputs: UnitInputs
    /// How the interval around an estimate is drawn.
    public var interval: IntervalCalibration
    /// How the model was trained.
    public var training: RULTrainingRecord

    /// Creates a description.
    public init(
        cap: Double,
        window: Int,
        stepUnit: String,
        signals: [String],
        settings: [String],
        regimes: RegimeTable,
        normalisation: RegimeNormalisation,
        unitInputs: UnitInputs,
        interval: IntervalCalibration,
        training: RULTrainingRecord
    ) {
        self.cap = cap
        self.window = window
        self.stepUnit = stepUnit
        self.signals = signals
        self.settings = settings
        self.regimes = regimes
        self.normalisation = normalisation
        self.unitInputs = unitInputs
        self.interval = interval
        self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case cap, window, signals, settings, regimes, normalisation, interval, training
        case stepUnit = "step_unit"
        case unitInputs = "unit_inputs"
    }

    /// Inputs per step: the signals, and the age when the model reads it.
    public var inputCount: Int { signals.count + (unitInputs.ageScale == nil ? 0 : 1) }

    /// Refuses a description whose parts do not fit together or hold numbers no model can have.
    func check() throws(ModelFileError) {
        func fail(_ reason: String) -> ModelFileError { .malformedHeader("rul: \(reason)") }
        guard cap.isFinite, cap > 0, cap <= 1e9 else { throw fail("cap \(cap) is not a positive number") }
        guard (1...100_000).contains(window) else { throw fail("window \(window) is not 1 to 100000") }
        guard (1...4096).contains(signals.count), Set(signals).count == signals.count else {
            throw fail("signals must be 1 to 4096 distinct names")
        }
        guard settings.count <= 64, Set(settings).count == settings.count, Set(settings).isDisjoint(with: signals)
        else { throw fail("settings must be distinct names that are not input signals") }
        let regimeCount = regimes.centroids.count
        guard (1...64).contains(regimeCount), regimes.settingScale.count == settings.count,
            regimes.settingScale.allSatisfy({ $0.isFinite && $0 > 0 }),
            regimes.centroids.allSatisfy({ $0.count == settings.count && $0.allSatisfy(\.isFinite) })
        else { throw fail("regimes do not fit \(settings.count) settings") }
        guard regimeCount == 1 || !settings.isEmpty else { throw fail("several regimes need settings") }
        guard normalisation.center.count == regimeCount, normalisation.scale.count == regimeCount,
            normalisation.center.allSatisfy({ $0.count == signals.count && $0.allSatisfy(\.isFinite) }),
            normalisation.scale.allSatisfy({ $0.count == signals.count && $0.allSatisfy { $0.isFinite && $0 > 0 } })
        else { throw fail("normalisation does not fit \(regimeCount) regimes × \(signals.count) signals") }
        guard (0...100_000).contains(unitInputs.baselineSteps),
            unitInputs.ageScale.map({ $0.isFinite && $0 > 0 && $0 <= 1e9 }) ?? true
        else { throw fail("unit inputs are malformed") }
        guard !interval.bands.isEmpty, interval.coverage > 0, interval.coverage < 1,
            interval.bands.allSatisfy({ $0.from.isFinite && $0.lower.isFinite && $0.lower <= 0 }),
            interval.bands.allSatisfy({ $0.upper.map { $0.isFinite && $0 >= 0 } ?? true }),
            zip(interval.bands, interval.bands.dropFirst()).allSatisfy({ $0.from < $1.from })
        else { throw fail("interval bands are malformed") }
    }
}

/// What a model reads of each unit's life besides the signals of its last steps. Both assume that
/// a unit's history starts at the start of its life (a new or repaired machine), as C-MAPSS's do.
public struct UnitInputs: Hashable, Sendable, Codable {
    /// The mean of the first this many steps of the unit's life (its healthy baseline) is taken
    /// from every step's normalised signals, so the model sees each unit's change rather than the
    /// spread between units; 0: not.
    public var baselineSteps: Int
    /// The unit's age (steps since its life started) divided by this is one more input; nil: not.
    public var ageScale: Double?

    /// Creates unit inputs.
    public init(baselineSteps: Int, ageScale: Double?) {
        self.baselineSteps = baselineSteps
        self.ageScale = ageScale
    }

    /// Neither.
    public static let none = UnitInputs(baselineSteps: 0, ageScale: nil)

    enum CodingKeys: String, CodingKey {
        case baselineSteps = "baseline_steps"
        case ageScale = "age_scale"
    }
}

/// The operating regimes: settings are divided by `settingScale`, and the nearest centroid is the
/// regime.
public struct RegimeTable: Hashable, Sendable, Codable {
    /// Divisor of each setting (its range in the training data).
    public var settingScale: [Double]
    /// One centroid per regime, in scaled settings.
    public var centroids: [[Double]]

    /// Creates a table.
    public init(settingScale: [Double], centroids: [[Double]]) {
        self.settingScale = settingScale
        self.centroids = centroids
    }

    /// One regime (data without operating settings).
    public static let single = RegimeTable(settingScale: [], centroids: [[]])

    /// The regime of a row's settings: the nearest centroid.
    public func regime(of settings: [Double]) -> Int {
        guard centroids.count > 1 else { return 0 }
        var best = 0
        var bestDistance = Double.infinity
        for (index, centroid) in centroids.enumerated() {
            var distance = 0.0
            for (k, value) in settings.enumerated() {
                let d = value / settingScale[k] - centroid[k]
                distance += d * d
            }
            if distance < bestDistance {
                bestDistance = distance
                best = index
            }
        }
        return best
    }

    enum CodingKeys: String, CodingKey {
        case centroids
        case settingScale = "setting_scale"
    }
}

/// Per regime and signal: x' = (x − center) / scale.
public struct RegimeNormalisation: Hashable, Sendable, Codable {
    /// `[regime][signal]`.
    public var center: [[Double]]
    /// `[regime][signal]`, all positive.
    public var scale: [[Double]]

    /// Creates a normalisation.
    public init(center: [[Double]], scale: [[Double]]) {
        self.center = center
        self.scale = scale
    }
}

/// The interval around an estimate, from the errors on held-out training units: where the estimate
/// is at least `from` (the last such band applies), the true RUL lies in
/// [estimate + lower, estimate + upper] with probability `coverage` (`upper` nil: unbounded).
public struct IntervalCalibration: Hashable, Sendable, Codable {
    /// Share of held-out errors inside the interval.
    public var coverage: Double
    /// Bands of the estimate, ascending.
    public var bands: [IntervalBand]

    /// Creates a calibration.
    public init(coverage: Double, bands: [IntervalBand]) {
        self.coverage = coverage
        self.bands = bands
    }

    /// The band of an estimate.
    public func band(for estimate: Double) -> IntervalBand {
        bands.last { estimate >= $0.from } ?? bands[0]
    }
}

/// One band of `IntervalCalibration`.
public struct IntervalBand: Hashable, Sendable, Codable {
    /// The smallest estimate of the band.
    public var from: Double
    /// Offset of the lower bound (≤ 0).
    public var lower: Double
    /// Offset of the upper bound (≥ 0); nil when the true RUL may be any larger (near the cap).
    public var upper: Double?

    /// Creates a band.
    public init(from: Double, lower: Double, upper: Double?) {
        self.from = from
        self.lower = lower
        self.upper = upper
    }
}

/// How a RUL model was trained: the data's digest, its size, and the held-out figures.
public struct RULTrainingRecord: Hashable, Sendable, Codable {
    /// `sha256:` and the hex digest of the training files' bytes, in the order given.
    public var digest: String
    /// The training files' names (informational).
    public var sources: [String]
    /// Units in the data.
    public var units: Int
    /// Units that ended in a failure (the others are right-censored).
    public var failedUnits: Int
    /// Rows (steps) in the data.
    public var rows: Int
    /// Epochs each member ran.
    public var epochs: [Int]
    /// Figures on held-out units (each member's own held-out fold).
    public var validation: RULValidation
    /// Seed of the folds, weights and shuffles.
    public var seed: UInt64
    /// When, as ISO 8601 text (informational).
    public var trainedAt: String

    /// Creates a record.
    public init(
        digest: String,
        sources: [String],
        units: Int,
        failedUnits: Int,
        rows: Int,
        epochs: [Int],
        validation: RULValidation,
        seed: UInt64,
        trainedAt: String
    ) {
        self.digest = digest
        self.sources = sources
        self.units = units
        self.failedUnits = failedUnits
        self.rows = rows
        self.epochs = epochs
        self.validation = validation
        self.seed = seed
        self.trainedAt = trainedAt
    }

    enum CodingKeys: String, CodingKey {
        case digest, sources, units, rows, epochs, validation, seed
        case failedUnits = "failed_units"
        case trainedAt = "trained_at"
    }
}

/// Errors on held-out units.
public struct RULValidation: Hashable, Sendable, Codable {
    /// Held-out failed units.
    public var units: Int
    /// RMSE over every step of the held-out units against the capped target.
    public var rmse: Double
    /// RMSE at one cut per held-out unit against its true RUL, as in NASA's test sets.
    public var cutRMSE: Double
    /// PHM08 score of those cuts, summed over the units.
    public var cutScore: Double

    /// Creates figures.
    public init(units: Int, rmse: Double, cutRMSE: Double, cutScore: Double) {
        self.units = units
        self.rmse = rmse
        self.cutRMSE = cutRMSE
        self.cutScore = cutScore
    }

    enum CodingKeys: String, CodingKey {
        case units, rmse
        case cutRMSE = "cut_rmse"
        case cutScore = "cut_score"
    }
}
