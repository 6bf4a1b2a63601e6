internal import CVigilAllocationCounter

/// Counts the heap allocations the current thread makes, to prove a code path allocates nothing.
public enum AllocationCounter {
    /// Allocations made so far by the calling thread.
    public static var current: UInt { UInt(vigil_thread_allocations()) }

    /// How many allocations `body` made on this thread.
    public static func count(_ body: () throws -> Void) rethrows -> UInt {
        let before = current
        try body()
        return current - before
    }
}
