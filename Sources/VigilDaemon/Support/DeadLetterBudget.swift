internal import Synchronization
public import VigilCore

/// How many dead letters go out: per reason, at most `burst` at once and as many again every
/// `period`; the rest are counted, and `DeadLetterService` publishes the counts as one summary.
///
/// A flood of bad payloads then costs the broker a few letters a second, not one per payload (a
/// dead letter copies up to `dead_letter_max_bytes` of its payload).
public final class DeadLetterBudget: Sendable {
    /// Letters per reason at once, and refilled every `period`.
    public let burst: Int
    /// The refill period.
    public let period: Duration
    private let state = Mutex<(buckets: [RejectionReason: TokenBucket], suppressed: [RejectionReason: Int])>(([:], [:]))

    /// Creates a budget: 20 letters per reason every 10 s by default.
    public init(burst: Int = 20, period: Duration = .seconds(10)) {
        self.burst = burst
        self.period = period
    }

    /// Whether a letter of `reason` may go out now; if not, it is counted as suppressed.
    public func admit(_ reason: RejectionReason, at milliseconds: Int64 = Monotonic.milliseconds()) -> Bool {
        state.withLock { state in
            var bucket = state.buckets[reason] ?? TokenBucket(capacity: burst, period: period)
            let admitted = bucket.take(at: milliseconds)
            state.buckets[reason] = bucket
            if !admitted { state.suppressed[reason, default: 0] += 1 }
            return admitted
        }
    }

    /// The letters suppressed since the last call, by reason (and the count restarts).
    public func takeSuppressed() -> [RejectionReason: Int] {
        state.withLock { state in
            defer { state.suppressed = [:] }
            return state.suppressed
        }
    }
}
