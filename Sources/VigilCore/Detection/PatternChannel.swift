/// How unlike everything seen before the recent shape of a signal is.
///
/// The last `window` values are summarised as the means of `segments` equal segments (a piecewise
/// aggregate approximation). The channel's magnitude is the root-mean-square distance from that
/// summary to the nearest summary in a memory of earlier windows, scored as a `RecordChannel`. A
/// window joins the memory `window` ticks after it ended (so that a shape never matches an
/// overlapping copy of itself), every `window / segments`-th tick; the memory keeps the newest
/// `capacity` windows. Several channels of different windows see short and long shapes.
struct PatternChannel: Sendable, Hashable, Codable {
    let window: Int
    let segments: Int
    let every: Int
    let capacity: Int
    /// The last `window` values; `next` is the oldest once full.
    private var values: [Double]
    private var next = 0
    private var filled = 0
    /// Subtracted from every summary before it is stored as `Float`, so that a signal far from 0
    /// (a counter at 10⁹) keeps the precision of its variations.
    private var offset: Double?
    /// Summaries of earlier windows, `segments` floats each, in a ring of `capacity`.
    private var memory: [Float] = []
    private var stored = 0
    /// Summaries of recent windows (nil: not kept) waiting to join the memory, oldest first.
    private var pending: [[Double]?] = []
    private var pendingHead = 0
    private var ticks = 0
    private var channel: RecordChannel

    init(window: Int, settings: CalibrationSettings) {
        precondition(window >= settings.patternSegments && settings.patternSegments > 0)
        self.window = window
        segments = settings.patternSegments
        every = max(window / settings.patternSegments, 1)
        capacity = max(settings.patternMemory, 1)
        values = Array(repeating: 0, count: window)
        channel = RecordChannel(averaging: 1, history: settings.history, quiet: settings.quiet)
    }

    /// Whether the channel has learned enough to score.
    var isScoring: Bool { channel.isScoring }

    /// The record ratio of the distance from the recent window to the nearest remembered one (0
    /// until a window has joined the memory).
    mutating func ratio(_ value: Double) -> Double {
        guard let summary = advance(value), stored > 0 else { return 0 }
        return channel.ratio(nearestDistance(summary))
    }

    /// Takes a value in; returns the summary of the window that ends with it (nil until full).
    private mutating func advance(_ value: Double) -> [Double]? {
        values[next] = value
        next = (next + 1) % window
        filled = min(filled + 1, window)
        ticks += 1
        guard filled == window else { return nil }
        let summary = summarise()
        if offset == nil { offset = summary.reduce(0, +) / Double(segments) }
        pending.append(ticks % every == 0 ? summary : nil)
        if pending.count - pendingHead > window {
            if let old = pending[pendingHead] { remember(old) }
            pendingHead += 1
            if pendingHead > 64 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
        }
        return summary
    }

    /// Segment means of the window, oldest segment first.
    private func summarise() -> [Double] {
        let length = window / segments
        let skip = window - length * segments
        var summary = [Double](repeating: 0, count: segments)
        for segment in 0..<segments {
            var sum = 0.0
            for position in 0..<length { sum += values[(next + skip + segment * length + position) % window] }
            summary[segment] = sum / Double(length)
        }
        return summary
    }

    private mutating func remember(_ summary: [Double]) {
        let slot = stored % capacity
        let base = offset ?? 0
        if memory.count < capacity * segments {
            memory.append(contentsOf: summary.map { Float($0 - base) })
        } else {
            for index in 0..<segments { memory[slot * segments + index] = Float(summary[index] - base) }
        }
        stored += 1
    }

    private func nearestDistance(_ summary: [Double]) -> Double {
        let entries = min(stored, capacity)
        let base = offset ?? 0
        let query = summary.map { Float($0 - base) }
        var best = Float.infinity
        memory.withUnsafeBufferPointer { memory in
            query.withUnsafeBufferPointer { query in
                for entry in 0..<entries {
                    var sum: Float = 0
                    let start = entry * segments
                    for index in 0..<segments {
                        let difference = memory[start + index] - query[index]
                        sum += difference * difference
                    }
                    best = min(best, sum)
                }
            }
        }
        return (Double(best) / Double(segments)).squareRoot()
    }
}
