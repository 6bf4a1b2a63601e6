internal import CVigilMosquitto
internal import Foundation
public import Logging
internal import Synchronization

/// A connection to an MQTT broker through libmosquitto, supervised by Vigil.
///
/// `run()` owns the connection for as long as it runs: it connects, lets libmosquitto's network
/// loop run on a thread of its own, subscribes on every connect, and reconnects with capped,
/// jittered backoff after any failure, including those on which libmosquitto's loop gives up (TLS,
/// DNS, refused credentials). Received messages arrive through `messages`, a bounded queue that
/// holds the network thread back when full. `publish` returns once the broker has acknowledged.
///
/// ```swift
/// let client = MQTTClient(options: options, logger: logger)
/// async let connection: Void = client.run()
/// for await message in client.messages { ... }
/// ```
public final class MQTTClient: Sendable {
    /// The options the client connects with.
    public let options: ConnectOptions
    let logger: Logger
    let inbound: InboundQueue
    let state: Mutex<ClientState>

    /// Creates a client; nothing happens until `run()`.
    public init(options: ConnectOptions, logger: Logger) {
        MQTTLibrary.initialise()
        self.options = options
        self.logger = logger
        self.inbound = InboundQueue(
            capacity: options.inboundCapacity,
            holdsUntilReleased: options.holdsInboundUntilReleased
        )
        self.state = Mutex(ClientState())
    }

    /// Messages received on the subscriptions; see `MQTTMessages`.
    public var messages: MQTTMessages { MQTTMessages(queue: inbound) }

    /// Counters of the connection so far.
    public var statistics: MQTTStatistics {
        var statistics = state.withLock { $0.statistics }
        statistics.inboundDepth = inbound.depth
        statistics.inboundHeld = inbound.held
        statistics.inboundDropped = inbound.dropped
        return statistics
    }

    /// Whether the client is connected right now.
    public var isConnected: Bool { state.withLock { $0.phase == .connected } }

    /// Keeps the connection up until `shutdown()` is called or the task is cancelled, then
    /// disconnects cleanly and ends `messages`.
    /// - Throws: `MQTTError` when libmosquitto cannot even create a client (bad options).
    public func run() async throws(MQTTError) {
        let (handle, tls) = try makeHandle()
        let accepted = state.withLock { state -> Bool in
            guard state.phase == .idle else { return false }
            state.handle = UncheckedHandle(handle)
            state.phase = .connecting
            return true
        }
        precondition(accepted, "MQTTClient.run() may be called once")
        var backoff = ReconnectBackoff(initial: options.reconnectDelay, maximum: options.reconnectDelayMax)
        var random = SystemRandomNumberGenerator()
        await withTaskCancellationHandler {
            while !isStopping {
                let outcome = await runConnection(handle, tls: tls)
                if isStopping { break }
                let wasConnected = state.withLock { state in
                    defer { state.connectedThisAttempt = false }
                    return state.connectedThisAttempt
                }
                if wasConnected { backoff.reset() }
                let delay = backoff.nextDelay(using: &random)
                logger.warning(
                    "MQTT connection ended; reconnecting",
                    metadata: [
                        "mqtt.broker": "\(options.host):\(options.port)", "mqtt.reason": "\(outcome)",
                        "mqtt.retry_in": "\(delay)",
                    ]
                )
                state.withLock { $0.statistics.reconnects += 1 }
                await sleepUnlessStopping(delay)
            }
        } onCancel: {
            shutdown()
        }
        inbound.finish()
        finishStopping(handle)
        tls?.free()
    }

    /// Asks `run()` to disconnect and return. Safe to call from any task, more than once.
    public func shutdown() {
        let (handle, waiters, sleeper) = state.withLock { state in
            let handle = state.phase == .stopped ? nil : state.handle
            if state.phase != .stopped { state.phase = .stopping }
            let waiters = state.takeConnectionWaiters()
            let sleeper = state.backoffSleeper
            state.backoffSleeper = nil
            return (handle, waiters, sleeper)
        }
        if let handle = handle?.handle {
            // Ends libmosquitto's loop after it has sent DISCONNECT (a no-op when not connected).
            mosquitto_disconnect(handle)
        }
        for waiter in waiters { waiter.resume(throwing: MQTTError(kind: .shutDown, code: 0, operation: "connect")) }
        sleeper?.resume()
    }

    /// Suspends until the client is connected (and has subscribed, when `subscribed` is true).
    /// - Throws: `MQTTError.shutDown` if the client stops first, `CancellationError` if cancelled.
    public func waitUntilConnected(subscribed: Bool = false) async throws {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.phase == .stopping || state.phase == .stopped {
                        continuation.resume(throwing: MQTTError(kind: .shutDown, code: 0, operation: "connect"))
                    } else if state.phase == .connected && (!subscribed || state.pendingSubscriptions.isEmpty) {
                        continuation.resume()
                    } else if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        state.connectionWaiters[id] = (continuation, subscribed)
                    }
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.connectionWaiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Publishes a message and returns when it is done: for QoS 1 and 2 when the broker has
    /// acknowledged it (across a reconnect if need be), for QoS 0 when it has been written.
    /// - Throws: `MQTTError` (`.notConnected` when there is no connection right now),
    ///   `CancellationError` when the task is cancelled while waiting for the acknowledgement.
    public func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) async throws {
        guard
            let handle = state.withLock({ state -> UncheckedHandle? in
                guard state.phase == .connected, let handle = state.handle else { return nil }
                state.leases += 1
                return handle
            })?.handle
        else {
            throw MQTTError(kind: .notConnected, code: 0, operation: "mosquitto_publish")
        }
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        state.withLock { $0.leases -= 1 }
        let messageID = mid
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            if rc == MOSQ_ERR_NO_CONN.rawValue {
                throw MQTTError(kind: .notConnected, code: rc, operation: "mosquitto_publish")
            }
            throw MQTTError.library(rc, "mosquitto_publish")
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.completedPublishes.remove(messageID) != nil {
                        continuation.resume()
                    } else if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if state.phase == .stopped {
                        continuation.resume(
                            throwing: MQTTError(kind: .shutDown, code: 0, operation: "mosquitto_publish")
                        )
                    } else {
                        state.pendingPublishes[messageID] = continuation
                    }
                }
            }
        } onCancel: {
            let continuation = state.withLock { $0.pendingPublishes.removeValue(forKey: messageID) }
            continuation?.resume(throwing: CancellationError())
        }
        state.withLock { $0.statistics.published += 1 }
    }

    // MARK: - Supervision

    private var isStopping: Bool {
        state.withLock { $0.phase == .stopping || $0.phase == .stopped }
    }

    /// One connection attempt: connect and run libmosquitto's loop on a dedicated thread until the
    /// connection ends. Returns a description of why it ended: OpenSSL's reason when the broker's
    /// certificate was refused.
    private func runConnection(_ handle: OpaquePointer, tls: TLSClientContext?) async -> String {
        let host = options.host
        let port = options.port
        let keepalive = Int32(clamping: options.keepalive.components.seconds)
        let box = UncheckedHandle(handle)
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let thread = Thread {
                // The record holds only this attempt's handshake (the verify callback runs on this
                // thread, inside the two calls below).
                _ = tls?.takeVerificationFailure()
                var rc = mosquitto_connect(box.handle, host, port, keepalive)
                let outcome: String
                if rc == MOSQ_ERR_SUCCESS.rawValue {
                    // Blocks until the connection ends; our callbacks end it on any error so that
                    // reconnection is ours, not libmosquitto's.
                    rc = mosquitto_loop_forever(box.handle, -1, 1)
                    outcome = self.endReason(rc)
                } else {
                    outcome = MQTTError.library(rc, "mosquitto_connect").description
                }
                if let failure = tls?.takeVerificationFailure() {
                    self.logCertificateRefusal(failure)
                    continuation.resume(returning: "broker certificate refused: \(failure)")
                } else {
                    continuation.resume(returning: outcome)
                }
            }
            thread.name = "vigil-mqtt-\(options.clientID)"
            thread.start()
        }
    }

    private func logCertificateRefusal(_ failure: TLSClientContext.VerificationFailure) {
        logger.error(
            "MQTT broker certificate refused",
            metadata: [
                "mqtt.broker": "\(options.host):\(options.port)",
                "mqtt.tls.reason": "\(failure.reason)",
                "mqtt.tls.error": "\(failure.code)",
                "mqtt.tls.depth": "\(failure.depth)",
            ]
        )
    }

    private func endReason(_ rc: Int32) -> String {
        let refused = state.withLock { state in
            defer { state.lastRefusal = nil }
            return state.lastRefusal
        }
        if let refused { return MQTTError(kind: .refused, code: refused, operation: "connect").description }
        if rc == MOSQ_ERR_SUCCESS.rawValue { return "connection closed" }
        return MQTTError.library(rc, "mosquitto_loop_forever").description
    }

    private func sleepUnlessStopping(_ delay: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopping = state.withLock { state -> Bool in
                if state.phase == .stopping || state.phase == .stopped { return true }
                state.backoffSleeper = continuation
                return false
            }
            if stopping {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: delay)
                let sleeper = state.withLock { state in
                    defer { state.backoffSleeper = nil }
                    return state.backoffSleeper
                }
                sleeper?.resume()
            }
        }
    }

    private func finishStopping(_ handle: OpaquePointer) {
        // Wait for publish calls that are inside libmosquitto right now, then free the handle.
        while state.withLock({ $0.leases }) > 0 { usleep(1000) }
        let (publishes, waiters) = state.withLock { state in
            state.phase = .stopped
            state.handle = nil
            let publishes = state.pendingPublishes
            state.pendingPublishes = [:]
            return (publishes, state.takeConnectionWaiters())
        }
        for continuation in publishes.values {
            continuation.resume(throwing: MQTTError(kind: .shutDown, code: 0, operation: "mosquitto_publish"))
        }
        for waiter in waiters { waiter.resume(throwing: MQTTError(kind: .shutDown, code: 0, operation: "connect")) }
        mosquitto_destroy(handle)
    }
}

/// Counters of one client.
public struct MQTTStatistics: Sendable, Hashable {
    /// Messages received on subscriptions.
    public var received = 0
    /// Messages published and acknowledged.
    public var published = 0
    /// Connection attempts after the first.
    public var reconnects = 0
    /// Successful connects.
    public var connects = 0
    /// Established connections that ended without the client asking (closed by the broker or the
    /// network).
    public var connectionLosses = 0
    /// Messages waiting in the inbound queue.
    public var inboundDepth = 0
    /// Messages taken from the inbound queue and not yet released by the consumer.
    public var inboundHeld = 0
    /// Messages that arrived after the client stopped and were not queued.
    public var inboundDropped = 0

    /// Zeroed counters.
    public init() {}
}

/// A libmosquitto handle moved into the network thread's closure.
///
/// `@unchecked Sendable`: the handle is created with `mosquitto_threaded_set(true)`, which makes
/// libmosquitto lock its own state, and it is freed only after the thread has finished.
struct UncheckedHandle: @unchecked Sendable {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
}
