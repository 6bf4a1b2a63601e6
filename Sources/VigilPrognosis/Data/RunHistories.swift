/// One unit's run: its steps in time order, and whether it ended in a failure (its last step is
/// the failure) or is right-censored (it was still running when the record ends).
public struct UnitRun: Sendable, Hashable {
    /// The unit's id as written in the file.
    public var unit: String
    /// The time column of each step.
    public var times: [Double]
    /// Each step's values, one per column of `RunHistories.columns`.
    public var values: [[Double]]
    /// Whether the last step is a failure.
    public var failed: Bool

    /// Creates a run.
    public init(unit: String, times: [Double], values: [[Double]], failed: Bool) {
        self.unit = unit
        self.times = times
        self.values = values
        self.failed = failed
    }

    /// Steps in the run.
    public var count: Int { values.count }
}

/// Run-to-failure histories of a fleet of units, as read from files.
public struct RunHistories: Sendable, Hashable {
    /// Names of the value columns (unit, time and failure columns excluded).
    public var columns: [String]
    /// The columns that describe the operating condition (a subset of `columns`); the regime of a
    /// step is found from them.
    public var settings: [String]
    /// The units, in the order they first appear.
    public var units: [UnitRun]
    /// What one step is (`cycle`, `row`).
    public var stepUnit: String
    /// `sha256:` and the hex digest of the files' bytes.
    public var digest: String
    /// The files' names.
    public var sources: [String]

    /// Creates histories.
    public init(
        columns: [String],
        settings: [String],
        units: [UnitRun],
        stepUnit: String,
        digest: String,
        sources: [String]
    ) {
        self.columns = columns
        self.settings = settings
        self.units = units
        self.stepUnit = stepUnit
        self.digest = digest
        self.sources = sources
    }

    /// Steps in all units.
    public var rowCount: Int { units.reduce(0) { $0 + $1.count } }

    /// Units that ended in a failure.
    public var failedUnits: Int { units.filter(\.failed).count }

    /// The index of each named column.
    /// - Throws: `RULDataError.missingColumns` naming those absent.
    public func indices(of names: [String]) throws(RULDataError) -> [Int] {
        var missing: [String] = []
        let found = names.map { name -> Int in
            guard let index = columns.firstIndex(of: name) else {
                missing.append(name)
                return -1
            }
            return index
        }
        guard missing.isEmpty else { throw .missingColumns(missing, source: sources.joined(separator: ", ")) }
        return found
    }
}
