public import VigilCore

/// A point in time as an operator writes it on the command line: a duration meaning "that long
/// ago" (`15m`, `24h`, `7d`), an ISO 8601 date-time with a zone, a date (`2026-11-29`, midnight UTC),
/// or epoch seconds. Durations are at most `ConfigDuration.longest` (100 years) and epoch seconds
/// below 1e11 (the year 5138), so no argument can reach the ends of a time stamp's range.
public enum TimeArgument {
    /// Parses `text` relative to `now`; nil when it is none of the accepted forms, or out of range.
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if let duration = ConfigDuration(text) { return now - duration.duration }
        if let time = Timestamp(iso8601: text) { return time }
        if text.utf8.count == 10, let time = Timestamp(iso8601: text + "T00:00:00Z") { return time }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e11,
            text.allSatisfy({ $0.isNumber || $0 == "." })
        {
            return Timestamp(seconds: seconds)
        }
        return nil
    }
}
