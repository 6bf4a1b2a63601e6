internal import Prometheus
internal import VigilCore
public import VigilMQTT

/// Everything the metrics endpoint reports, read at one moment.
public struct MetricsReading: Sendable {
    /// The daemon's own counters.
    public var daemon: DaemonMetrics.Snapshot
    /// The ingest connection's counters.
    public var ingest: MQTTStatistics
    /// The publishing connection's counters.
    public var publish: MQTTStatistics
    /// Whether each connection is up.
    public var ingestConnected: Bool
    /// Whether the publishing connection is up.
    public var publishConnected: Bool
    /// Capacity of the inbound queue (what a crash may lose at most).
    public var inboundCapacity: Int
    /// Outbox messages not yet acknowledged by the broker; nil when the database could not say.
    public var outboxPending: Int?

    /// Creates a reading.
    public init(
        daemon: DaemonMetrics.Snapshot,
        ingest: MQTTStatistics,
        publish: MQTTStatistics,
        ingestConnected: Bool,
        publishConnected: Bool,
        inboundCapacity: Int,
        outboxPending: Int?
    ) {
        self.daemon = daemon
        self.ingest = ingest
        self.publish = publish
        self.ingestConnected = ingestConnected
        self.publishConnected = publishConnected
        self.inboundCapacity = inboundCapacity
        self.outboxPending = outboxPending
    }
}

/// Renders a `MetricsReading` in the Prometheus text format (version 0.0.4).
///
/// The figures live in `DaemonMetrics` and the clients; each scrape copies them into a fresh
/// swift-prometheus registry, which does the naming, escaping and `# TYPE` lines.
public enum MetricsExposition {
    /// The `Content-Type` of the rendering.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every state of a learned model, in lifecycle order: each is reported, 0 included.
    static let modelStates: [LSTMDetector.ModelState] = [.learning, .training, .active]

    /// The reading as Prometheus text.
    public static func render(_ reading: MetricsReading, version: String) -> String {
        let registry = PrometheusCollectorRegistry()
        let daemon = reading.daemon
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        func counter(_ name: String, _ help: String, _ value: Int, labels: [(String, String)] = []) {
            registry.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(value))
        }
        func gauge(_ name: String, _ help: String, _ value: Int, labels: [(String, String)] = []) {
            registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(Double(value))
        }

        gauge("vigil_build_info", "Vigil's version.", 1, labels: [("version", version)])
        counter(
            "vigil_messages_received_total",
            "Sensor messages taken from the inbound queue.",
            daemon.messagesReceived
        )
        counter("vigil_readings_accepted_total", "Readings accepted into the pipeline.", daemon.readingsAccepted)
        for reason in RejectionReason.allCases {
            counter(
                "vigil_rejected_total",
                "Payloads and readings refused, by reason.",
                daemon.rejected[reason, default: 0],
                labels: [("reason", reason.rawValue)]
            )
        }
        counter("vigil_events_recorded_total", "Events written to the database.", daemon.eventsRecorded)
        counter("vigil_outbox_delivered_total", "Alerts and states acknowledged by the broker.", daemon.outboxDelivered)
        if let pending = reading.outboxPending {
            gauge("vigil_outbox_pending", "Alerts and states waiting for the broker's acknowledgement.", pending)
        }
        counter("vigil_dead_letters_published_total", "Rejected payloads republished.", daemon.deadLettersPublished)
        counter(
            "vigil_dead_letters_dropped_total",
            "Rejected payloads not republished (no connection or queue full).",
            daemon.deadLettersDropped
        )
        counter(
            "vigil_dead_letters_suppressed_total",
            "Rejected payloads not republished: over the per-reason budget (summarised on <prefix>/suppressed).",
            daemon.deadLettersSuppressed
        )
        counter(
            "vigil_assets_forgotten_total",
            "Assets forgotten: quiet beyond limits.asset_expiry, or making room for a new one.",
            daemon.assetsForgotten
        )
        counter("vigil_commands_accepted_total", "Operators' commands carried out.", daemon.commandsAccepted)
        for reason in CommandRefusal.allCases {
            counter(
                "vigil_commands_refused_total",
                "Operators' commands refused, by reason.",
                daemon.commandsRefused[reason.rawValue, default: 0],
                labels: [("reason", reason.rawValue)]
            )
        }
        counter("vigil_store_errors_total", "Failed database writes (each retried).", daemon.storeErrors)
        for (code, count) in daemon.storeErrorsByCode.sorted(by: { $0.key < $1.key }) {
            counter(
                "vigil_store_errors_by_code_total",
                "Failed database writes by SQLite result code.",
                count,
                labels: [("code", code)]
            )
        }
        counter(
            "vigil_store_pruned_events_total",
            "Events deleted to make room in a database at its size cap.",
            daemon.eventsPruned
        )
        counter("vigil_engine_errors_total", "Ticks whose detection was not a finite number.", daemon.engineErrors)
        for state in AssetState.allCases {
            gauge(
                "vigil_assets",
                "Assets by state (learning, normal, alarm).",
                daemon.assetStates[state, default: 0],
                labels: [("state", state.rawValue)]
            )
        }
        for state in MetricsExposition.modelStates {
            gauge(
                "vigil_models",
                "Assets with a learned model (detector kind lstm) by the model's state (learning, training, active).",
                daemon.models[state, default: 0],
                labels: [("state", state.rawValue)]
            )
        }
        for (detector, count) in daemon.detectors.sorted(by: { $0.key < $1.key }) {
            gauge("vigil_detectors", "Assets by the detector scoring them.", count, labels: [("detector", detector)])
        }
        for (name, statistics, connected) in [
            ("ingest", reading.ingest, reading.ingestConnected), ("publish", reading.publish, reading.publishConnected),
        ] {
            let labels = [("connection", name)]
            gauge("vigil_mqtt_connected", "Whether the connection is up.", connected ? 1 : 0, labels: labels)
            counter("vigil_mqtt_connects_total", "Successful connects.", statistics.connects, labels: labels)
            counter(
                "vigil_mqtt_connection_losses_total",
                "Connections closed by the broker or the network (a takeover of the client id closes them again and again).",
                statistics.connectionLosses,
                labels: labels
            )
            counter(
                "vigil_mqtt_reconnects_total",
                "Connection attempts after the first.",
                statistics.reconnects,
                labels: labels
            )
            counter(
                "vigil_mqtt_received_total",
                "Messages received on subscriptions.",
                statistics.received,
                labels: labels
            )
            counter(
                "vigil_mqtt_published_total",
                "Messages published and acknowledged.",
                statistics.published,
                labels: labels
            )
        }
        gauge("vigil_inbound_queue_depth", "Messages waiting in the inbound queue.", reading.ingest.inboundDepth)
        gauge(
            "vigil_inbound_queue_held",
            "Messages taken from the inbound queue and not yet committed.",
            reading.ingest.inboundHeld
        )
        gauge(
            "vigil_inbound_queue_capacity",
            "Capacity of the inbound queue: the most acknowledged, uncommitted messages (a crash's loss).",
            reading.inboundCapacity
        )
        counter(
            "vigil_inbound_dropped_total",
            "Messages that arrived after the ingest connection stopped and were not queued.",
            reading.ingest.inboundDropped
        )
        return registry.emitToString()
    }
}
