/// How unlike everything seen in normal operation the recent shape of a signal is.
///
/// The last `window` normalised values are summarised as the means of `segments` equal segments
/// (a piecewise aggregate approximation). The channel's magnitude is the root-mean-square distance
/// from that summary to the nearest summary in a memory of normal windows, scored as a
/// `RecordChannel`. A window joins the memory `window` ticks after it ended (so that a shape never
/// matches an overlapping copy of itself), every `patternEvery`-th tick; while an alarm is open
/// windows wait and join once it has cleared. The memory keeps the newest `patternMemory` windows.
struct PatternChannel: Sendable, Hashable, Codable {
    let window: Int
    let segments: Int
    let every: Int
    let capacity: Int
    /// The last `window` values; `next` is the oldest once full.
    private var values: [Double]
    private var next = 0
    private var filled = 0
    /// Summaries of normal windows, `segments` floats each, in a ring of `capacity`.
    private var memory: [Float] = []
    private var stored = 0
    /// Summaries of recent windows (nil: not kept) waiting to join the memory, oldest first.
    private var pending: [[Double]?] = []
    /// Windows that left `pending` while an alarm was open, remembered once it has cleared.
    private var deferred: [[Double]] = []
    private var pendingHead = 0
    private var ticks = 0
    private var channel: RecordChannel

    init(settings: CalibrationSettings) {
        precondition(settings.patternWindow >= settings.patternSegments && settings.patternSegments > 0)
        window = settings.patternWindow
        segments = settings.patternSegments
        every = max(settings.patternEvery, 1)
        capacity = max(settings.patternMemory, 1)
        values = Array(repeating: 0, count: window)
        channel = RecordChannel(averaging: 1, history: settings.history, quiet: settings.quiet)
    }

    /// The record ratio of the distance from the recent window to the nearest normal one.
    mutating func ratio(_ value: Double, learn: Bool) -> Double {
        guard let summary = advance(value, learn: learn), stored > 0 else {
            return channel.ratio(0, learn: false)
        }
        return channel.ratio(nearestDistance(summary), learn: learn)
    }

    /// Takes a value in; returns the summary of the window that ends with it (nil until full).
    private mutating func advance(_ value: Double, learn: Bool) -> [Double]? {
        values[next] = value
        next = (next + 1) % window
        filled = min(filled + 1, window)
        ticks += 1
        guard filled == window else { return nil }
        let summary = summarise()
        pending.append(ticks % every == 0 ? summary : nil)
        if learn {
            for old in deferred { remember(old) }
            deferred.removeAll()
        }
        if pending.count - pendingHead > window {
            if let old = pending[pendingHead] {
                if learn { remember(old) } else if deferred.count < capacity { deferred.append(old) }
            }
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
            for offset in 0..<length { sum += values[(next + skip + segment * length + offset) % window] }
            summary[segment] = sum / Double(length)
        }
        return summary
    }

    private mutating func remember(_ summary: [Double]) {
        let slot = stored % capacity
        if memory.count < capacity * segments {
            memory.append(contentsOf: summary.map(Float.init))
        } else {
            for index in 0..<segments { memory[slot * segments + index] = Float(summary[index]) }
        }
        stored += 1
    }

    private func nearestDistance(_ summary: [Double]) -> Double {
        let entries = min(stored, capacity)
        var best = Double.infinity
        memory.withUnsafeBufferPointer { memory in
            for entry in 0..<entries {
                var sum: Float = 0
                let base = entry * segments
                for index in 0..<segments {
                    let difference = memory[base + index] - Float(summary[index])
                    sum += difference * difference
                }
                best = min(best, Double(sum))
            }
        }
        return (best / Double(segments)).squareRoot()
    }
}
