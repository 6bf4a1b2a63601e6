internal import Synchronization
public import VigilCore

/// The daemon's counters, shared by its services.
public final class DaemonMetrics: Sendable {
    /// A consistent copy of every counter.
    public struct Snapshot: Sendable, Hashable {
        /// Messages taken from the inbound queue.
        public var messagesReceived = 0
        /// Readings accepted into the pipeline.
        public var readingsAccepted = 0
        /// Rejections by reason.
        public var rejected: [RejectionReason: Int] = [:]
        /// Events recorded in the database.
        public var eventsRecorded = 0
        /// Outbox messages (alerts, states) acknowledged by the broker.
        public var outboxDelivered = 0
        /// Dead letters published.
        public var deadLettersPublished = 0
        /// Dead letters not published (no connection, or the dead-letter queue was full).
        public var deadLettersDropped = 0
        /// Dead letters not made, beyond the per-reason budget (summarised on `<prefix>/suppressed`).
        public var deadLettersSuppressed = 0
        /// Assets forgotten: quiet beyond `limits.asset_expiry`, or making room for a new one.
        public var assetsForgotten = 0
        /// Operators' commands carried out.
        public var commandsAccepted = 0
        /// Operators' commands refused, by `CommandRefusal` code.
        public var commandsRefused: [String: Int] = [:]
        /// Failed database writes (each retried until it succeeds).
        public var storeErrors = 0
        /// Failed database writes by SQLite's extended result code (`other` without one).
        public var storeErrorsByCode: [String: Int] = [:]
        /// Events deleted to make room in a database at its size cap.
        public var eventsPruned = 0
        /// Ticks whose detection was not a finite number.
        public var engineErrors = 0
        /// Assets by the state their state topic says.
        public var assetStates: [AssetState: Int] = [:]
        /// Assets by the detector that scores them (`lstm`, `robust-mad`, …).
        public var detectors: [String: Int] = [:]
        /// Assets with a learned model by its lifecycle state (`learning`, `training`, `active`).
        public var models: [LSTMDetector.ModelState: Int] = [:]
        /// Batches the pipeline has committed; the watchdog checks that this moves.
        public var pipelineProgress = 0

        /// Zeroed counters.
        public init() {}

        /// All rejections.
        public var rejectedTotal: Int { rejected.values.reduce(0, +) }
    }

    private let counters = Mutex(Snapshot())

    /// Creates zeroed counters.
    public init() {}

    /// A copy of the counters.
    public var snapshot: Snapshot { counters.withLock { $0 } }

    /// Updates counters under the lock.
    public func update(_ body: (inout Snapshot) -> Void) {
        counters.withLock { body(&$0) }
    }
}
