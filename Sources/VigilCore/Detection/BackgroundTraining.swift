internal import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs model training on a thread of its own at the lowest scheduling priority (nice 19), so
/// that training only takes CPU time that ingestion and scoring leave idle: on a busy gateway the
/// daemon keeps up with its readings and the training takes longer, never the other way round.
package enum BackgroundTraining {
    /// The nice value of training threads.
    static let niceness: Int32 = 19

    /// Runs `work` on a new low-priority thread and returns its result.
    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // On Linux the nice value is per thread, and `who` 0 names the calling thread.
                #if os(Linux)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                #endif
                continuation.resume(returning: work())
            }
            thread.name = "vigil-training"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The calling thread's nice value (for tests).
    static func currentNiceness() -> Int32 {
        #if os(Linux)
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        return getpriority(PRIO_PROCESS, 0)
        #endif
    }
}
