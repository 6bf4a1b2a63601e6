public import VigilCore

/// A point in time as an operator writes it on the command line: a duration meaning "that long
/// ago" (`15m`, `24h`, `7d`), an ISO 8601 date-time with a zone, a date (`2026-11-29`, midnight UTC),
/// or epoch seconds.
public enum TimeArgument {
    /// Parses `text` relative to `now`; nil when it is none of the accepted forms.
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if let duration = ConfigDuration(text) { return now - duration.duration }
        if let time = Timestamp(iso8601: text) { return time }
        if text.utf8.count == 10, let time = Timestamp(iso8601: text + "T00:00:00Z") { return time }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, text.allSatisfy({ $0.isNumber || $0 == "." }) {
            return Timestamp(seconds: seconds)
        }
        return nil
    }
}
