public import VigilModel

/// What a RUL model reads: per operating regime, z-scores of every signal that varies by more
/// than its own resolution within a regime, less the unit's own healthy baseline, and the unit's
/// age (`UnitInputs`).
public struct InputPlan: Sendable, Hashable {
    /// The input signals, in input order.
    public var signals: [String]
    /// The operating-setting signals.
    public var settings: [String]
    /// The regimes.
    public var regimes: RegimeTable
    /// Per regime and signal.
    public var normalisation: RegimeNormalisation
    /// The baseline and the age.
    public var unitInputs: UnitInputs

    /// Creates a plan.
    public init(
        signals: [String],
        settings: [String],
        regimes: RegimeTable,
        normalisation: RegimeNormalisation,
        unitInputs: UnitInputs = .none
    ) {
        self.signals = signals
        self.settings = settings
        self.regimes = regimes
        self.normalisation = normalisation
        self.unitInputs = unitInputs
    }

    /// The columns a row must give, in order: settings, then signals.
    public var columns: [String] { settings + signals }

    /// Inputs per step: the signals, and the age when it is read.
    public var inputCount: Int { signals.count + (unitInputs.ageScale == nil ? 0 : 1) }

    /// Finds the plan from histories.
    ///
    /// A signal is kept when its standard deviation within the regimes is at least its resolution
    /// (the smallest step between two of its values): a signal that varies by less than one step
    /// of its own sensor (C-MAPSS FD001's constant sensors, or s6 that flips between 21.60 and
    /// 21.61) carries no trend to learn from.
    /// - Throws: `RULDataError.nothingVaries` when no signal is kept.
    public static func fit(
        _ histories: RunHistories,
        unitInputs: UnitInputs = .none,
        seed: UInt64 = 1
    ) throws(RULDataError) -> InputPlan {
        let settingIndices = try histories.indices(of: histories.settings)
        let candidates = histories.columns.indices.filter { !settingIndices.contains($0) }
        var rows: [[Double]] = []
        rows.reserveCapacity(histories.rowCount)
        for unit in histories.units { rows += unit.values }
        let regimes = RegimeClustering.fit(rows.map { row in settingIndices.map { row[$0] } }, seed: seed)
        let regimeOfRow = rows.map { row in regimes.regime(of: settingIndices.map { row[$0] }) }
        let regimeCount = regimes.centroids.count
        var kept: [Int] = []
        var centers: [[Double]] = Array(repeating: [], count: regimeCount)
        var scales: [[Double]] = Array(repeating: [], count: regimeCount)
        for column in candidates {
            var sums = [Double](repeating: 0, count: regimeCount)
            var counts = [Double](repeating: 0, count: regimeCount)
            for (row, regime) in zip(rows, regimeOfRow) {
                sums[regime] += row[column]
                counts[regime] += 1
            }
            let means = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
            var squares = [Double](repeating: 0, count: regimeCount)
            for (row, regime) in zip(rows, regimeOfRow) {
                let d = row[column] - means[regime]
                squares[regime] += d * d
            }
            let pooled = (squares.reduce(0, +) / Double(rows.count)).squareRoot()
            let resolution = Self.resolution(rows.map { $0[column] })
            guard resolution > 0, pooled >= resolution else { continue }
            kept.append(column)
            for regime in 0..<regimeCount {
                let deviation = counts[regime] > 1 ? (squares[regime] / counts[regime]).squareRoot() : 0
                centers[regime].append(means[regime])
                // A regime too small or too quiet to have its own spread takes the pooled one.
                scales[regime].append(deviation >= resolution && deviation > 0 ? deviation : pooled)
            }
        }
        guard !kept.isEmpty else { throw .nothingVaries(histories.sources.joined(separator: ", ")) }
        return InputPlan(
            signals: kept.map { histories.columns[$0] },
            settings: histories.settings,
            regimes: regimes,
            normalisation: RegimeNormalisation(center: centers, scale: scales),
            unitInputs: unitInputs
        )
    }

    /// The smallest positive difference between two of `values` (0 when all are equal).
    static func resolution(_ values: [Double]) -> Double {
        let sorted = Array(Set(values)).sorted()
        var smallest = Double.infinity
        for (a, b) in zip(sorted, sorted.dropFirst()) { smallest = min(smallest, b - a) }
        return smallest.isFinite ? smallest : 0
    }

    /// The inputs of a whole life: every step of a unit from the first (rows in `columns` order),
    /// `[step][input]` flat.
    public func inputs(life rows: [[Double]]) -> [Float] {
        inputs(recent: rows, lastAge: rows.count - 1, first: Array(rows.prefix(unitInputs.baselineSteps)))
    }

    /// The inputs of a unit's most recent steps (rows in `columns` order, oldest first, the last
    /// `lastAge` steps after the start of its life), given its life's first steps, `[step][input]`.
    public func inputs(recent rows: [[Double]], lastAge: Int, first: [[Double]]) -> [Float] {
        let standardised = normalise(rows)
        let count = signals.count
        var baseline = [Float](repeating: 0, count: count)
        let firstSteps = first.prefix(unitInputs.baselineSteps)
        if !firstSteps.isEmpty {
            let values = normalise(Array(firstSteps))
            for step in firstSteps.indices {
                for k in 0..<count { baseline[k] += values[step * count + k] / Float(firstSteps.count) }
            }
        }
        guard unitInputs.baselineSteps > 0 || unitInputs.ageScale != nil else { return standardised }
        var result: [Float] = []
        result.reserveCapacity(rows.count * inputCount)
        for step in rows.indices {
            for k in 0..<count { result.append(standardised[step * count + k] - baseline[k]) }
            if let scale = unitInputs.ageScale {
                result.append(Float(Double(lastAge - (rows.count - 1 - step)) / scale))
            }
        }
        return result
    }

    /// Per-regime z-scores of rows given in `columns` order, `[step][signal]` flat.
    public func normalise(_ rows: [[Double]]) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(rows.count * signals.count)
        let settingCount = settings.count
        for row in rows {
            let regime = regimes.regime(of: Array(row[0..<settingCount]))
            let center = normalisation.center[regime]
            let scale = normalisation.scale[regime]
            for k in signals.indices {
                let z = (row[settingCount + k] - center[k]) / scale[k]
                // Far outside anything seen in training, a value says no more than "far": the clamp
                // keeps one broken sensor from saturating the network.
                result.append(Float(min(max(z, -10), 10)))
            }
        }
        return result
    }
}
