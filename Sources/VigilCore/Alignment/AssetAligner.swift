/// Aligns the readings of one asset onto a fixed tick grid.
///
/// The grid's tick is the configured one, or, without one, the spacing of the asset's readings
/// (`TickEstimator`): the first readings wait in the aligner until it is known, then take their
/// places on the grid.
///
/// The interval `[k·tick, (k+1)·tick)` is open until a reading from a later interval arrives; then
/// it closes and becomes a `Tick` holding each signal's last value. A signal that has not reported
/// for more than `maxHold` ticks is missing, and a tick with a missing signal is not emitted (the
/// gap policy: hold briefly, never invent data for long). A reading older than the open interval, or
/// than its signal's previous reading, is refused as `late`; one with the same time stamp as its
/// signal's previous reading as `duplicate` (a QoS 1 redelivery must not count twice). The last two
/// checks apply to readings that carry their own time stamp (`Reading.stamped`). A signal taking
/// more than `maxRate` readings per second of event time is refused as `rate_limited`
/// (`ReadingRateLimit`).
public struct AssetAligner: Sendable {
    /// The asset.
    public let asset: String
    /// Grid spacing; nil until the readings have shown it, when no tick was configured.
    public private(set) var tick: Duration?
    /// Whether the tick was configured rather than found in the readings.
    public let tickConfigured: Bool
    /// How often the readings come, once the first of them have shown it.
    public var dataSpacing: Duration? { estimator.spacing }
    private var tickMilliseconds: Int64 = 0
    private var estimator = TickEstimator()
    /// Readings that came before the tick was known, oldest first.
    private var waiting: [Reading] = []
    /// How many ticks a signal's last value may be held after it stops reporting.
    public let maxHold: Int
    /// Most signals one asset may have.
    public let maxSignals: Int
    /// Most readings per signal and second of event time (0: no limit).
    public let maxRate: Int

    private(set) var signals: [String] = []
    private var indexBySignal: [String: Int] = [:]
    private var latest: [Double?] = []
    private var updatedInterval: [Int64] = []
    private var latestTime: [Int64] = []
    private var rates: [ReadingRateLimit] = []
    private var seededTimes: [String: Int64] = [:]
    private var openInterval: Int64?

    /// Creates an aligner; without a `tick`, the readings' spacing becomes the tick.
    public init(asset: String, tick: Duration?, maxHold: Int, maxSignals: Int = 64, maxRate: Int = 0) {
        precondition(tick.map { $0.wholeMilliseconds > 0 } ?? true, "tick must be at least 1 ms")
        self.asset = asset
        self.tick = tick
        self.tickConfigured = tick != nil
        self.tickMilliseconds = tick?.wholeMilliseconds ?? 0
        self.maxHold = maxHold
        self.maxSignals = maxSignals
        self.maxRate = maxRate
    }

    /// Continues from an earlier run: the signal's readings with an own time stamp up to `time` (ms)
    /// were already accepted, so a redelivered one is refused (`duplicate`, or `late` if older).
    /// The signal keeps the place among the asset's signals that its first new reading gives it.
    public mutating func seed(signal: String, lastTime time: Int64) {
        seededTimes[signal] = time
    }

    /// Adds a reading and returns the ticks it closed (none, one, or several after a gap; none
    /// while the tick is not known yet).
    public mutating func add(_ reading: Reading) throws(Rejection) -> [Tick] {
        if tick != nil, let open = openInterval, reading.time.interval(ofLength: tickMilliseconds) < open {
            throw Rejection(.late, "reading at \(reading.time) is older than the open tick")
        }
        let index = try admit(reading)
        estimator.add(signal: reading.signal, milliseconds: reading.time.milliseconds)
        guard tick == nil else { return place(reading, index: index) }
        waiting.append(reading)
        guard let spacing = estimator.spacing else { return [] }
        return placeWaiting(on: spacing)
    }

    /// Sets the tick and puts the waiting readings on its grid; returns the ticks they closed.
    private mutating func placeWaiting(on grid: Duration) -> [Tick] {
        tick = grid
        tickMilliseconds = grid.wholeMilliseconds
        var closed: [Tick] = []
        for waited in waiting {
            // One that another signal's reading has overtaken by a whole tick is late, as it would
            // have been with the tick known.
            if let open = openInterval, waited.time.interval(ofLength: tickMilliseconds) < open { continue }
            closed += place(waited, index: indexBySignal[waited.signal]!)
        }
        waiting = []
        return closed
    }

    /// Checks a reading against its signal's earlier ones and the asset's caps; returns the
    /// signal's index.
    private mutating func admit(_ reading: Reading) throws(Rejection) -> Int {
        let index: Int
        if let known = indexBySignal[reading.signal] {
            index = known
            // Readings stamped on arrival may share a millisecond and are never duplicates.
            if reading.stamped, reading.time.milliseconds == latestTime[index] {
                throw Rejection(.duplicate, "signal '\(reading.signal)' already has a reading at \(reading.time)")
            }
            if reading.stamped, reading.time.milliseconds < latestTime[index] {
                throw Rejection(.late, "reading at \(reading.time) is older than the signal's previous one")
            }
            guard rates[index].take(at: reading.time.milliseconds) else {
                throw Rejection(
                    .rateLimited,
                    "signal '\(reading.signal)' is over \(maxRate) readings per second of event time"
                )
            }
        } else {
            if reading.stamped, let seeded = seededTimes[reading.signal] {
                if reading.time.milliseconds == seeded {
                    throw Rejection(.duplicate, "signal '\(reading.signal)' already had a reading at \(reading.time)")
                }
                if reading.time.milliseconds < seeded {
                    throw Rejection(.late, "reading at \(reading.time) is older than the signal's previous one")
                }
            }
            guard signals.count < maxSignals else {
                throw Rejection(.tooManySeries, "asset already has \(maxSignals) signals")
            }
            index = signals.count
            signals.append(reading.signal)
            indexBySignal[reading.signal] = index
            latest.append(nil)
            updatedInterval.append(.min)
            latestTime.append(reading.time.milliseconds)
            var rate = ReadingRateLimit(perSecond: maxRate)
            _ = rate.take(at: reading.time.milliseconds)
            rates.append(rate)
            seededTimes[reading.signal] = nil
        }
        latestTime[index] = reading.time.milliseconds
        return index
    }

    /// Puts an admitted reading on the grid; returns the ticks it closed.
    private mutating func place(_ reading: Reading, index: Int) -> [Tick] {
        let interval = reading.time.interval(ofLength: tickMilliseconds)
        var closed: [Tick] = []
        if let open = openInterval, interval > open {
            // Close the open interval and any empty ones between it and the new reading, as long as
            // every signal can still be held; beyond that the gap yields nothing.
            for k in open..<min(interval, open + Int64(maxHold) + 1) {
                if let tick = tick(at: k) { closed.append(tick) }
            }
        }
        openInterval = interval
        latest[index] = reading.value
        updatedInterval[index] = interval
        return closed
    }

    /// Closes the open interval (end of a replay) and returns its tick, if complete; readings still
    /// waiting for the tick to be known get the spacing seen so far.
    public mutating func flush() -> [Tick] {
        var closed: [Tick] = []
        if tick == nil, !waiting.isEmpty {
            let gaps = Dictionary(grouping: waiting, by: \.signal).values.flatMap { readings in
                zip(readings.dropFirst(), readings).map { $0.time.milliseconds &- $1.time.milliseconds }
            }
            closed = placeWaiting(on: TickEstimator.tick(fromGaps: gaps))
        }
        guard let open = openInterval else { return closed }
        openInterval = open + 1
        if let last = tick(at: open) { closed.append(last) }
        return closed
    }

    private func tick(at interval: Int64) -> Tick? {
        var values: [Double] = []
        values.reserveCapacity(latest.count)
        for (index, value) in latest.enumerated() {
            guard let value, interval - updatedInterval[index] <= Int64(maxHold) else { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        return Tick(
            asset: asset,
            time: Timestamp(milliseconds: interval * tickMilliseconds),
            signals: signals,
            values: values
        )
    }
}

extension Timestamp {
    /// The index of the `milliseconds`-long interval of the tick grid that holds this time
    /// (rounded down, also before 1970).
    public func interval(ofLength milliseconds: Int64) -> Int64 {
        let q = self.milliseconds / milliseconds
        return (self.milliseconds % milliseconds != 0 && (self.milliseconds < 0) != (milliseconds < 0)) ? q - 1 : q
    }
}
