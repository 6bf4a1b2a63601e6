/// Milliseconds of the monotonic clock since the process started: the time base of every rate
/// limit and interval that is not a reading's own time (a step of the wall clock does not move it).
public enum Monotonic {
    private static let origin = ContinuousClock.now

    /// Milliseconds since the first use in this process.
    public static func milliseconds() -> Int64 {
        let elapsed = ContinuousClock.now - origin
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
