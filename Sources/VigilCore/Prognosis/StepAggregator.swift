/// Averages an asset's ticks into the steps of a remaining-life model: every tick whose time falls
/// in one step (time stamps divided by the step's length) counts once towards that step's row.
struct StepAggregator: Sendable, Hashable {
    /// The step's length in milliseconds.
    let step: Int64
    private var current: Int64?
    private var sums: [Double] = []
    private var count = 0

    init(step: Duration) {
        let (seconds, attoseconds) = step.components
        self.step = max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Adds a tick's values (in the model's column order); returns the previous step's row and its
    /// start time when this tick opens a new step.
    mutating func add(_ values: [Double], at time: Timestamp) -> (time: Timestamp, row: [Double])? {
        let index = time.milliseconds >= 0 ? time.milliseconds / step : (time.milliseconds - step + 1) / step
        var finished: (time: Timestamp, row: [Double])?
        if let current, index != current, count > 0 {
            finished = (Timestamp(milliseconds: current * step), sums.map { $0 / Double(count) })
        }
        if index != current {
            current = index
            sums = [Double](repeating: 0, count: values.count)
            count = 0
        }
        for (k, value) in values.enumerated() { sums[k] += value }
        count += 1
        return finished
    }
}
