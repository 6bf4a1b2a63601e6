internal import Foundation

/// An asset's current predictions, published retained on `<state topic>/prognosis` (valid against
/// `schemas/prognosis.schema.json`), so that a dashboard sees the latest remaining life and times
/// to limit whenever it subscribes.
public struct PrognosisReport: Hashable, Sendable {
    /// The asset.
    public var asset: String
    /// Event time of the tick the predictions were made at.
    public var time: Timestamp
    /// The current predictions (the remaining life first, then limits in configuration order).
    public var predictions: [Prediction]
    /// The open `fault_predicted` alarm's id, if any.
    public var alarmID: String?
    /// Why a configured prediction cannot be made (e.g. the model needs signals the asset lacks).
    public var problem: String?

    /// Creates a report.
    public init(
        asset: String,
        time: Timestamp,
        predictions: [Prediction],
        alarmID: String?,
        problem: String? = nil
    ) {
        self.asset = asset
        self.time = time
        self.predictions = predictions
        self.alarmID = alarmID
        self.problem = problem
    }

    /// The format identifier.
    public static let schemaID = "vigil.prognosis.v1"

    /// The document as compact JSON with sorted keys.
    public func jsonBytes() -> [UInt8] {
        let document = Document(
            schema: Self.schemaID,
            asset: asset,
            time: time.iso8601,
            predictions: predictions.map { PredictionDocument($0, at: time) },
            alarmID: alarmID,
            problem: problem
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite numbers always encode.
        return Array(try! encoder.encode(document))
    }

    private struct Document: Encodable {
        var schema: String
        var asset: String
        var time: String
        var predictions: [PredictionDocument]
        var alarmID: String?
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case schema, asset, time, predictions, problem
            case alarmID = "alarm_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schema, forKey: .schema)
            try container.encode(asset, forKey: .asset)
            try container.encode(time, forKey: .time)
            try container.encode(predictions, forKey: .predictions)
            try container.encode(alarmID, forKey: .alarmID)
            try container.encodeIfPresent(problem, forKey: .problem)
        }
    }
}

/// A prediction as JSON, in alerts, events and the prognosis topic: times in seconds and as the
/// expected instant.
public struct PredictionDocument: Codable, Hashable, Sendable {
    /// `rul` or `limit`.
    public var source: Prediction.Source
    /// The signal (limit).
    public var signal: String?
    /// The limit (limit).
    public var limit: Double?
    /// `max` or `min` (limit).
    public var bound: Prediction.Bound?
    /// Seconds until the failure or crossing.
    public var seconds: Double
    /// Lower bound, seconds.
    public var lower: Double
    /// Upper bound, seconds; null when unbounded.
    public var upper: Double?
    /// When the failure or crossing is expected, ISO 8601.
    public var expectedAt: String
    /// The horizon, seconds.
    public var horizon: Double
    /// Probability of the failure or crossing within the horizon.
    public var probability: Double
    /// Remaining life in model steps (rul).
    public var steps: Double?

    enum CodingKeys: String, CodingKey {
        case source, signal, limit, bound, seconds, lower, upper, horizon, probability, steps
        case expectedAt = "expected_at"
    }

    /// The document of a prediction made at `time`.
    public init(_ prediction: Prediction, at time: Timestamp) {
        source = prediction.source
        signal = prediction.signal
        limit = prediction.limit
        bound = prediction.bound
        seconds = Self.rounded(prediction.seconds)
        lower = Self.rounded(prediction.lower)
        upper = prediction.upper.map(Self.rounded)
        expectedAt = Timestamp(milliseconds: time.milliseconds + Int64(min(prediction.seconds, 1e12) * 1000)).iso8601
        horizon = prediction.horizon
        probability = (prediction.probability * 10_000).rounded() / 10_000
        steps = prediction.steps.map { ($0 * 100).rounded() / 100 }
    }

    /// The prediction this document describes.
    public var prediction: Prediction {
        Prediction(
            source: source,
            signal: signal,
            limit: limit,
            bound: bound,
            seconds: seconds,
            lower: lower,
            upper: upper,
            horizon: horizon,
            probability: probability,
            steps: steps
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(signal, forKey: .signal)
        try container.encodeIfPresent(limit, forKey: .limit)
        try container.encodeIfPresent(bound, forKey: .bound)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(lower, forKey: .lower)
        try container.encode(upper, forKey: .upper)
        try container.encode(expectedAt, forKey: .expectedAt)
        try container.encode(horizon, forKey: .horizon)
        try container.encode(probability, forKey: .probability)
        try container.encodeIfPresent(steps, forKey: .steps)
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
