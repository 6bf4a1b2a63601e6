public import Logging
public import ServiceLifecycle
public import VigilMQTT
public import VigilStore

/// Publishes the outbox in order and deletes each message once the broker has acknowledged it,
/// so alerts survive broker outages and daemon restarts (at least once: a crash between the
/// acknowledgement and the delete publishes that message again).
///
/// On graceful shutdown it keeps publishing until the outbox is empty or `flushTimeout` has
/// passed; whatever is left is published after the next start.
public struct OutboxService: Service {
    let store: EventStore
    let client: MQTTClient
    let wakeups: Wakeups
    let metrics: DaemonMetrics
    let flushTimeout: Duration
    let logger: Logger

    /// Creates the service.
    public init(
        store: EventStore,
        client: MQTTClient,
        wakeups: Wakeups,
        metrics: DaemonMetrics,
        flushTimeout: Duration,
        logger: Logger
    ) {
        self.store = store
        self.client = client
        self.wakeups = wakeups
        self.metrics = metrics
        self.flushTimeout = flushTimeout
        self.logger = logger
    }

    public func run() async throws {
        // Until shutdown: publish whatever is pending, then sleep until the pipeline adds more.
        await cancelWhenGracefulShutdown {
            repeat {
                await publishPending()
            } while await wakeups.wait()
        }
        // Shutting down: the pipeline has drained, so the outbox is complete. Flush it, bounded.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await publishPending() }
            group.addTask { try? await Task.sleep(for: flushTimeout) }
            await group.next()
            group.cancelAll()
        }
        do {
            let left = try await store.outboxCount()
            if left != 0 {
                logger.warning(
                    "Outbox not empty at shutdown; it is published after the next start",
                    metadata: ["outbox.pending": "\(left)"]
                )
            }
        } catch {
            logger.warning(
                "Outbox not counted at shutdown; whatever is left is published after the next start",
                metadata: ["store.error": "\(error)"]
            )
        }
    }

    /// Publishes pending messages, waiting for the connection when needed, until nothing is left or
    /// the task is cancelled.
    private func publishPending() async {
        while !Task.isCancelled {
            let pending: [OutboxMessage]
            do {
                pending = try await store.pendingMessages(limit: 100)
            } catch {
                logger.error("Cannot read the outbox", metadata: ["store.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if pending.isEmpty { return }
            do {
                try await client.waitUntilConnected()
                for message in pending {
                    try await client.publish(
                        topic: message.topic,
                        payload: message.payload,
                        qos: message.qos,
                        retain: message.retain
                    )
                    try await store.markDelivered(message.id)
                    metrics.update { $0.outboxDelivered += 1 }
                }
            } catch let error as MQTTError where error.kind == .notConnected {
                // The connection dropped between the check and the publish: wait for it again.
                continue
            } catch let error as MQTTError where error.kind == .shutDown {
                return
            } catch is CancellationError {
                return
            } catch {
                logger.error("Outbox publish failed", metadata: ["outbox.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
