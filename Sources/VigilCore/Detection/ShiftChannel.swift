/// A change of level as a view of a signal: the difference between the median of the last
/// `recent` values and the median of the `reference` values before them, scored as a
/// `RecordChannel`. Medians, so a single spike is not a shift; it starts once `recent +
/// reference` values have been seen.
struct ShiftChannel: Sendable, Hashable, Codable {
    let recent: Int
    let reference: Int
    /// The last `recent + reference` values; `next` is the oldest once full.
    private var values: [Double]
    private var next = 0
    private var filled = 0
    private var channel: RecordChannel

    init(settings: CalibrationSettings) {
        recent = max(settings.shiftWindow, 1)
        reference = 7 * recent
        values = Array(repeating: 0, count: recent + reference)
        channel = RecordChannel(averaging: 1, history: settings.history, quiet: settings.quiet)
    }

    /// Whether the channel has learned enough to score.
    var isScoring: Bool { channel.isScoring }

    /// The record ratio of |median(recent) − median(reference)| (0 until the window is full).
    mutating func ratio(_ value: Double) -> Double {
        values[next] = value
        next = (next + 1) % values.count
        filled = min(filled + 1, values.count)
        guard filled == values.count else { return 0 }
        // Oldest first: the reference, then the recent values.
        let ordered = (0..<values.count).map { values[(next + $0) % values.count] }
        let shift = Self.median(ordered[reference...]) - Self.median(ordered[..<reference])
        return channel.ratio(abs(shift))
    }

    static func median(_ values: ArraySlice<Double>) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
