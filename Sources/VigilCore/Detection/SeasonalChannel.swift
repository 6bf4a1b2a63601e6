/// "The same time one period ago" as a view of a signal: the difference between a value and the
/// value one `period` earlier, scored as a `RecordChannel`. It starts once a whole period has been
/// seen.
struct SeasonalChannel: Sendable, Hashable, Codable {
    let period: Int
    /// The last `period` normalised values; `next` is the oldest once the ring is full.
    private var past: [Double]
    private var next = 0
    private var filled = 0
    private var channel: RecordChannel

    init(period: Int, settings: CalibrationSettings) {
        precondition(period > 0)
        self.period = period
        past = Array(repeating: 0, count: period)
        channel = RecordChannel(averaging: settings.averaging, history: settings.history, quiet: settings.quiet)
    }

    /// Remembers a value as the one to compare with a period later.
    private mutating func remember(_ value: Double) {
        past[next] = value
        next = (next + 1) % period
        filled = min(filled + 1, period)
    }

    /// The record ratio of |value − value one period ago| (0 until a period has been seen).
    mutating func ratio(_ value: Double, learn: Bool) -> Double {
        let result = filled == period ? channel.ratio(abs(value - past[next]), learn: learn) : 0
        remember(value)
        return result
    }
}
