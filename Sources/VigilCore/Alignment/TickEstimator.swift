/// Finds how often an asset's signals report: the median gap between consecutive readings of the
/// same signal, once `gapsNeeded` gaps have been seen, rounded to about 2% (a jittered 10.04 s is
/// 10 s, a day stays a day) and at least 10 ms.
public struct TickEstimator: Sendable, Hashable {
    /// Gaps between readings of one signal needed for an estimate.
    public static let gapsNeeded = 8

    private var lastTime: [String: Int64] = [:]
    private var gaps: [Int64] = []

    /// An estimator that has seen nothing.
    public init() {}

    /// The spacing of the readings, once enough gaps have been seen.
    public private(set) var spacing: Duration?

    /// Takes a reading's time in.
    public mutating func add(signal: String, milliseconds: Int64) {
        guard spacing == nil else { return }
        if let last = lastTime[signal], milliseconds > last {
            // Saturating: a time stamp near the ends of Int64 must not trap.
            let (gap, overflow) = milliseconds.subtractingReportingOverflow(last)
            gaps.append(overflow ? .max : gap)
        }
        lastTime[signal] = milliseconds
        if gaps.count >= Self.gapsNeeded { spacing = Self.tick(fromGaps: gaps) }
    }

    /// The median of positive gaps (milliseconds), rounded to the nearest multiple of the largest
    /// of 1 ms, 10 ms, 100 ms, 1 s, 10 s, 1 min, 10 min or 1 h that is at most a fiftieth of it.
    public static func tick(fromGaps gaps: [Int64]) -> Duration {
        let positive = gaps.filter { $0 > 0 }.sorted()
        guard !positive.isEmpty else { return .seconds(1) }
        let median = positive[positive.count / 2]
        let units: [Int64] = [3_600_000, 600_000, 60_000, 10_000, 1000, 100, 10, 1]
        let unit = units.first { $0 <= median / 50 } ?? 1
        let rounded = max((median + unit / 2) / unit * unit, 10)
        return .milliseconds(min(rounded, 365 * 86_400_000))
    }

    /// Whether a configured tick fits readings that come every `spacing`: within 20% of it.
    public static func matches(tick: Duration, spacing: Duration) -> Bool {
        let ratio = Double(tick.wholeMilliseconds) / Double(max(spacing.wholeMilliseconds, 1))
        return ratio >= 1 / 1.2 && ratio <= 1.2
    }
}
