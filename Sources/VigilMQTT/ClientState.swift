/// The client's state shared between libmosquitto's network thread and Swift tasks, always
/// accessed under the client's `Mutex`.
struct ClientState: ~Copyable {
    enum Phase: Equatable {
        case idle
        case connecting
        case connected
        case stopping
        case stopped
    }

    var phase: Phase = .idle
    var handle: UncheckedHandle?
    /// Set by on_connect, read and reset by the supervisor to decide whether to reset the backoff.
    var connectedThisAttempt = false
    /// CONNACK code of the last refused connection.
    var lastRefusal: Int32?
    /// SUBSCRIBE message ids not yet acknowledged on this connection.
    var pendingSubscriptions: Set<Int32> = []
    /// Publishes waiting for their acknowledgement, by message id.
    var pendingPublishes: [Int32: CheckedContinuation<Void, any Error>] = [:]
    /// Acknowledgements that arrived before `publish` registered its continuation.
    var completedPublishes: Set<Int32> = []
    /// Message ids of the client's own status messages, whose acknowledgements nobody awaits.
    var untrackedPublishes: Set<Int32> = []
    /// Tasks waiting for a connection, with whether they also wait for the subscriptions.
    var connectionWaiters: [Int: (continuation: CheckedContinuation<Void, any Error>, subscribed: Bool)] = [:]
    var nextWaiterID = 0
    /// The supervisor's backoff sleep, resumed early by `shutdown()`.
    var backoffSleeper: CheckedContinuation<Void, Never>?
    /// Calls currently inside libmosquitto from Swift tasks; the handle is freed only at zero.
    var leases = 0
    var statistics = MQTTStatistics()

    mutating func takeConnectionWaiters() -> [CheckedContinuation<Void, any Error>] {
        defer { connectionWaiters = [:] }
        return connectionWaiters.values.map(\.continuation)
    }

    /// Removes and returns the waiters satisfied by the current state.
    mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, any Error>] {
        guard phase == .connected else { return [] }
        let subscribed = pendingSubscriptions.isEmpty
        var ready: [CheckedContinuation<Void, any Error>] = []
        for (id, waiter) in connectionWaiters where !waiter.subscribed || subscribed {
            ready.append(waiter.continuation)
            connectionWaiters[id] = nil
        }
        return ready
    }
}
