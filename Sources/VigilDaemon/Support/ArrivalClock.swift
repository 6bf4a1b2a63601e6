public import Logging
internal import Synchronization
public import VigilCore

/// The daemon's arrival times: the wall clock as long as it runs normally, and never backwards.
///
/// The wall clock may be stepped: NTP correcting a gateway that booted without a real-time clock, an
/// operator, or an attacker with the right to. Arrival times are the event times of readings without
/// a time stamp of their own, so a step back would make every such reading older than its asset's
/// open tick (`late`) until the clock caught up, and a step forward that is corrected later would do
/// the same for as long as the step. So arrival times follow a step forward at once, and absorb a
/// step back by running at half speed until the wall clock has caught up with them: they never go
/// backwards, and stay within the step of the wall clock meanwhile. Everything else that is not a
/// reading's own time (intervals, time-outs, rate limits) uses the monotonic clock directly.
///
/// ```swift
/// let arrival = ArrivalClock(wall: .system, logger: logger)
/// let now = arrival.now()  // never earlier than the previous call's
/// ```
public final class ArrivalClock: Sendable {
    /// The state between two readings of the clocks, in nanoseconds (epoch nanoseconds fit Int64
    /// until 2262; beyond, times saturate at the ends of `Timestamp`'s range).
    public struct State: Sendable, Hashable {
        /// The last arrival time handed out, in nanoseconds since the epoch.
        var last: Int64?
        /// How far the wall clock was behind `last` at the last reading (0 when it was not).
        var lag: Int64 = 0

        /// Creates a fresh state.
        public init() {}

        /// The next arrival time (ms) for a wall clock reading `wall` (ms), `elapsed` after the last
        /// call on the monotonic clock; and the step detected, if any (positive: forward).
        public mutating func advance(wall: Int64, elapsed: Duration) -> (time: Int64, step: Duration?) {
            let wallNanoseconds = wall.multipliedReportingOverflow(by: 1_000_000)
            let wallNow = wallNanoseconds.overflow ? (wall > 0 ? Int64.max : Int64.min) : wallNanoseconds.partialValue
            guard let last else {
                self.last = wallNow
                return (wall, nil)
            }
            let elapsedNanoseconds = max(
                0,
                Int64(clamping: elapsed.components.seconds) &* 1_000_000_000 &+ elapsed.components.attoseconds
                    / 1_000_000_000
            )
            let expected = last.addingReportingOverflow(elapsedNanoseconds)
            let running = expected.overflow ? Int64.max : expected.partialValue
            var step: Duration?
            let next: Int64
            if wallNow >= running {
                // Normal progress, or a step forward (followed at once).
                if wallNow - running > 1_000_000_000 { step = .nanoseconds(wallNow - running) }
                next = wallNow
                lag = 0
            } else {
                // The wall clock is behind: run at half speed until it catches up.
                let gap = running - wallNow
                if gap - lag > 1_000_000_000 { step = .nanoseconds(-(gap - lag)) }
                next = max(wallNow, last &+ elapsedNanoseconds / 2)
                lag = next - wallNow
            }
            self.last = next
            return (next / 1_000_000, step)
        }
    }

    private let wall: WallClock
    private let logger: Logger
    private let state = Mutex<(state: State, read: ContinuousClock.Instant?)>((State(), nil))

    /// A clock over `wall`; steps it detects are logged.
    public init(wall: WallClock, logger: Logger) {
        self.wall = wall
        self.logger = logger
    }

    /// The current arrival time: never earlier than the one before.
    public func now() -> Timestamp {
        let wallNow = wall.now().milliseconds
        let (time, step) = state.withLock { guarded -> (Int64, Duration?) in
            let instant = ContinuousClock.now
            let elapsed = guarded.read.map { instant - $0 } ?? .zero
            guarded.read = instant
            return guarded.state.advance(wall: wallNow, elapsed: elapsed)
        }
        if let step {
            logger.warning(
                step > .zero
                    ? "Wall clock stepped forward; arrival times follow it"
                    : "Wall clock stepped back; arrival times run at half speed until it catches up, never backwards",
                metadata: ["clock.step": "\(step)"]
            )
        }
        return Timestamp(milliseconds: time)
    }

    /// A `WallClock` that reads this clock (for the services that take one).
    public var asWallClock: WallClock { WallClock { [self] in now() } }
}
