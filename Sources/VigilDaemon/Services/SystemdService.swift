public import Logging
public import ServiceLifecycle
public import VigilMQTT

/// Tells systemd how the daemon is: `READY=1` once the sensor subscriptions are acknowledged,
/// `WATCHDOG=1` at half the watchdog interval while the pipeline makes progress (or has nothing to
/// do), and `STOPPING=1` when shutdown begins.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let subscriber: MQTTClient
    let metrics: DaemonMetrics
    let logger: Logger

    /// Creates the service.
    public init(notifier: SystemdNotifier, subscriber: MQTTClient, metrics: DaemonMetrics, logger: Logger) {
        self.notifier = notifier
        self.subscriber = subscriber
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        guard notifier.socketPath != nil else {
            try? await gracefulShutdown()
            return
        }
        // Cancelled when graceful shutdown begins; then say so.
        try? await cancelWhenGracefulShutdown {
            try await subscriber.waitUntilConnected(subscribed: true)
            notifier.notify("READY=1\nSTATUS=Subscribed; scoring readings")
            logger.info("Notified systemd: ready")
            guard let interval = notifier.watchdogInterval else {
                try await Task.sleep(for: .seconds(86_400 * 365))
                return
            }
            var lastProgress = -1
            while true {
                let progress = metrics.snapshot.pipelineProgress
                let idle = subscriber.statistics.inboundDepth == 0
                if progress != lastProgress || idle {
                    notifier.notify("WATCHDOG=1")
                } else {
                    logger.warning("Pipeline made no progress with messages waiting; withholding the watchdog ping")
                }
                lastProgress = progress
                try await Task.sleep(for: interval / 2)
            }
        }
        notifier.notify("STOPPING=1")
    }
}
