internal import Foundation

/// The JSON document published on the alert topic, valid against `schemas/alert.schema.json`.
public struct AlertDocument: Codable, Hashable, Sendable {
    /// Time window of an alarm.
    public struct Window: Codable, Hashable, Sendable {
        /// First tick over the threshold, ISO 8601.
        public var start: String
        /// Tick of this transition, ISO 8601.
        public var end: String
    }

    /// One signal's part in the score.
    public struct Signal: Codable, Hashable, Sendable {
        /// Signal name.
        public var name: String
        /// Value seen.
        public var value: Double
        /// Value expected.
        public var expected: Double
        /// The signal's own score.
        public var score: Double
    }

    /// Identifies the document format.
    public var schema: String
    /// Stable alarm id shared by the alarm's raised, updated and cleared alerts.
    public var alarmID: String
    /// The asset.
    public var asset: String
    /// `anomaly`, `fault_predicted` or `sensor_fault`.
    public var kind: EventKind
    /// `raised`, `updated` or `cleared`.
    public var state: AlarmTransition
    /// `warning` or `critical`.
    public var severity: Severity
    /// Score at this transition.
    public var score: Double
    /// Highest score of the alarm so far.
    public var peakScore: Double
    /// Event time of the transition, ISO 8601.
    public var time: String
    /// The alarm's window.
    public var window: Window
    /// Per-signal contributions, strongest first.
    public var signals: [Signal]
    /// The detector that scored the asset.
    public var detector: String
    /// Version of the daemon that published the alert.
    public var vigilVersion: String
    /// For `fault_predicted`: the predictions behind the alarm, the likeliest first (absent for
    /// other kinds).
    public var predictions: [PredictionDocument]?

    enum CodingKeys: String, CodingKey {
        case schema, asset, kind, state, severity, score, time, window, signals, detector, predictions
        case alarmID = "alarm_id"
        case peakScore = "peak_score"
        case vigilVersion = "vigil_version"
    }

    /// The format identifier of this document.
    public static let schemaID = "vigil.alert.v1"

    /// Builds the alert of an event.
    public init(event: Event, vigilVersion: String) {
        schema = Self.schemaID
        alarmID = event.alarmID
        asset = event.asset
        kind = event.kind
        state = event.transition
        severity = event.severity
        score = event.score
        peakScore = event.peakScore
        time = event.time.iso8601
        window = Window(start: event.windowStart.iso8601, end: event.windowEnd.iso8601)
        signals = event.contributions.map {
            Signal(name: $0.signal, value: $0.value, expected: $0.expected, score: $0.score)
        }
        detector = event.detector
        self.vigilVersion = vigilVersion
        predictions = event.predictions.isEmpty ? nil : event.predictions.map { PredictionDocument($0, at: event.time) }
    }

    /// The document as compact JSON with sorted keys.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and finite doubles cannot fail.
        return Array(try! encoder.encode(self))
    }
}
