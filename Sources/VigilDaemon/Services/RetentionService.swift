public import Logging
public import ServiceLifecycle
internal import VigilCore
public import VigilStore

/// Deletes history older than the retention period, at start and then every `interval`.
public struct RetentionService: Service {
    let store: EventStore
    let retention: Duration
    let interval: Duration
    let clock: WallClock
    let logger: Logger

    /// Creates the service.
    public init(
        store: EventStore,
        retention: Duration,
        interval: Duration = .seconds(3600),
        clock: WallClock,
        logger: Logger
    ) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        // Graceful shutdown cancels the loop's sleep; that is a normal end, not a failure.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let deleted = try await store.deleteHistory(before: clock.now() - retention)
                    if deleted > 0 {
                        logger.info("Retention deleted old events", metadata: ["store.deleted": "\(deleted)"])
                    }
                } catch {
                    logger.error("Retention failed", metadata: ["store.error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
