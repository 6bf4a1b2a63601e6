public import Logging
internal import Synchronization

/// Logs at most one line per key per interval, and says how many it held back.
///
/// A device flooding bad payloads must not flood the journal too.
public final class RateLimitedLog: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    private let interval: Duration
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates a limiter.
    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Logs `message` under `key` unless a line for that key was logged within the interval.
    public func warning(
        _ logger: Logger,
        key: String,
        _ message: @autoclosure () -> Logger.Message,
        metadata: Logger.Metadata
    ) {
        let now = ContinuousClock.now
        let suppressed: Int? = entries.withLock { entries in
            if let entry = entries[key], now - entry.lastLogged < interval {
                entries[key]?.suppressed += 1
                return nil
            }
            let held = entries[key]?.suppressed ?? 0
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return held
        }
        guard let suppressed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["log.suppressed"] = "\(suppressed)" }
        logger.warning(message(), metadata: metadata)
    }
}
