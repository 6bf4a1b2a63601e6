public import VigilCore

/// What a replay produced: a score and an alarm flag for every row, and the events.
public struct ReplayResult: Sendable, Hashable {
    /// Each row's anomaly score (its tick's; 0 for a row whose tick was not scored).
    public var scores: [Double]
    /// Whether an alarm was open at each row's tick.
    public var alarms: [Bool]
    /// The alarm events, in order.
    public var events: [Event]
    /// Rows the pipeline refused (out of order, ...), with the reason of the first.
    public var refusedRows: Int
    /// Why the first refused row was refused.
    public var firstRefusal: Rejection?
}

/// Feeds a table through the daemon's pipeline in event time, as fast as the CPU allows: each row
/// becomes one reading per signal of one asset. The same table and profile give the same result.
public struct Replayer: Sendable {
    /// The pipeline (its state can be kept to resume a replay).
    public var pipeline: Pipeline
    /// The asset the rows belong to.
    public let asset: String
    /// The asset's tick and how often its rows come, once the first rows have shown it.
    public private(set) var tickFound: (tick: Duration, spacing: Duration, configured: Bool)?
    private var scoredTicks: [Int64: (score: Double, alarm: Bool)] = [:]
    private var events: [Event] = []
    private var refusedRows = 0
    private var firstRefusal: Rejection?

    /// Creates a replayer for one asset governed by `profile`.
    public init(profile: AssetProfile, asset: String) {
        pipeline = Pipeline(profiles: [profile], reportsScores: true)
        self.asset = asset
    }

    /// Feeds `rows` of `table`; `progress` is called with the rows done so far now and then.
    public mutating func feed(_ table: ReplayTable, rows: Range<Int>, progress: (Int) -> Void = { _ in }) async {
        for row in rows {
            var refused = false
            for (column, name) in table.columns.enumerated() {
                let value = table.values[row][column]
                guard !value.isNaN else { continue }
                do {
                    let outputs = try await pipeline.process(
                        Reading(asset: asset, signal: name, value: value, time: table.times[row])
                    )
                    record(outputs)
                } catch {
                    if !refused {
                        refused = true
                        refusedRows += 1
                        if firstRefusal == nil { firstRefusal = error }
                    }
                }
            }
            if row % 1024 == 0 { progress(row) }
        }
        progress(rows.upperBound)
    }

    /// Closes the last tick and maps every row of `table` to its tick's score.
    public mutating func finish(_ table: ReplayTable) async -> ReplayResult {
        record(await pipeline.flush())
        let tick = pipeline.tick(of: asset) ?? pipeline.profiles[0].tick ?? .seconds(1)
        let tickMilliseconds = tick.wholeMilliseconds
        var scores: [Double] = []
        var alarms: [Bool] = []
        scores.reserveCapacity(table.count)
        alarms.reserveCapacity(table.count)
        for time in table.times {
            let scored = scoredTicks[time.interval(ofLength: tickMilliseconds) * tickMilliseconds]
            scores.append(scored?.score ?? 0)
            alarms.append(scored?.alarm ?? false)
        }
        return ReplayResult(
            scores: scores,
            alarms: alarms,
            events: events,
            refusedRows: refusedRows,
            firstRefusal: firstRefusal
        )
    }

    private mutating func record(_ outputs: [PipelineOutput]) {
        for output in outputs {
            switch output {
            case .scored(_, let time, let score, let alarm): scoredTicks[time.milliseconds] = (score, alarm)
            case .event(let event): events.append(event)
            case .tickFound(_, let tick, let spacing, let configured): tickFound = (tick, spacing, configured)
            case .assetState, .prognosis, .prognosisStep: break
            }
        }
    }
}
