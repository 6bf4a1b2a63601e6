public import VigilCore

/// A message waiting in the outbox until the broker acknowledges it.
public struct OutboxMessage: Hashable, Sendable {
    /// Row id; messages are published in id order.
    public var id: Int64
    /// Topic.
    public var topic: String
    /// Payload.
    public var payload: [UInt8]
    /// QoS.
    public var qos: Int32
    /// Whether the broker retains it.
    public var retain: Bool

    /// Creates an outbox message.
    public init(id: Int64, topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        self.id = id
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// What one pipeline step writes in a single transaction: events, messages to publish, and
/// per-asset counters.
public struct StoreBatch: Sendable {
    /// Alarm events to record.
    public var events: [Event] = []
    /// Messages for the outbox (topic, payload, qos, retain).
    public var outbox: [(topic: String, payload: [UInt8], qos: Int32, retain: Bool)] = []
    /// Readings accepted per asset, with the latest event time.
    public var readings: [String: (count: Int, lastTime: Int64)] = [:]
    /// Asset states to record.
    public var states: [String: String] = [:]
    /// The latest own time stamp (ms) of each signal's accepted readings, by asset and signal.
    public var signalTimes: [String: [String: Int64]] = [:]
    /// When each asset's latest accepted reading arrived (arrival time, ms).
    public var arrivals: [String: Int64] = [:]
    /// Assets forgotten (quiet too long, or making room): their row, signal times and detector
    /// snapshot are deleted before anything else in the batch; their events stay.
    public var forgotten: [String] = []
    /// Commands answered, for the audit trail.
    public var commands: [CommandRecord] = []
    /// Maintenance labels to record, with where each came from (`mqtt`).
    public var labels: [(label: MaintenanceLabel, source: String)] = []
    /// Completed steps of remaining-life models to record.
    public var prognosisSteps: [PrognosisStepRow] = []

    /// Creates an empty batch.
    public init() {}

    /// Whether there is nothing to write.
    public var isEmpty: Bool {
        events.isEmpty && outbox.isEmpty && readings.isEmpty && states.isEmpty && signalTimes.isEmpty
            && arrivals.isEmpty && forgotten.isEmpty && commands.isEmpty && labels.isEmpty && prognosisSteps.isEmpty
    }
}
