/// A point in event time: milliseconds since the Unix epoch, UTC.
///
/// Vigil never reads the wall clock inside the pipeline; every time is passed in as a `Timestamp`.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a timestamp from milliseconds since the epoch.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Creates a timestamp from (fractional) seconds since the epoch, rounded to the millisecond;
    /// beyond the range of `Int64` milliseconds it saturates (NaN gives the epoch), never traps.
    public init(seconds: Double) {
        let milliseconds = (seconds * 1000).rounded()
        if milliseconds.isNaN {
            self.milliseconds = 0
        } else if milliseconds >= 9.2e18 {
            self.milliseconds = .max
        } else if milliseconds <= -9.2e18 {
            self.milliseconds = .min
        } else {
            self.milliseconds = Int64(milliseconds)
        }
    }

    /// Seconds since the epoch.
    public var seconds: Double { Double(milliseconds) / 1000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The timestamp moved forward by a duration, saturating at the ends of the range (never traps).
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let (sum, overflow) = lhs.milliseconds.addingReportingOverflow(rhs.wholeMilliseconds)
        return Timestamp(milliseconds: overflow ? (rhs > .zero ? .max : .min) : sum)
    }

    /// The timestamp moved back by a duration, saturating at the ends of the range (never traps).
    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let (difference, overflow) = lhs.milliseconds.subtractingReportingOverflow(rhs.wholeMilliseconds)
        return Timestamp(milliseconds: overflow ? (rhs > .zero ? .min : .max) : difference)
    }

    public var description: String { iso8601 }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

extension Duration {
    /// The duration in whole milliseconds (truncated), saturating beyond the range of `Int64`.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds > 0 ? .max : .min }
        let (total, overflowed) = milliseconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowed ? (seconds > 0 ? .max : .min) : total
    }
}
