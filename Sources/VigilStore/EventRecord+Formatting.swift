internal import Foundation
internal import VigilCore

/// One event as a line of `vigil events --format json`, valid against `schemas/event.schema.json`.
struct EventDocument: Encodable {
    struct Window: Encodable {
        var start: String
        var end: String
    }

    var id: Int64
    var alarmID: String
    var asset: String
    var kind: String
    var state: String
    var severity: String
    var score: Double
    var peakScore: Double
    var time: String
    var window: Window
    var signals: [SignalRow]
    var detector: String
    var predictions: [PredictionDocument]?

    enum CodingKeys: String, CodingKey {
        case id, asset, kind, state, severity, score, time, window, signals, detector, predictions
        case alarmID = "alarm_id"
        case peakScore = "peak_score"
    }

    init(_ record: EventRecord) {
        let event = record.event
        id = record.id
        alarmID = event.alarmID
        asset = event.asset
        kind = event.kind.rawValue
        state = event.transition.rawValue
        severity = event.severity.rawValue
        score = event.score
        peakScore = event.peakScore
        time = event.time.iso8601
        window = Window(start: event.windowStart.iso8601, end: event.windowEnd.iso8601)
        signals = event.contributions.map(SignalRow.init)
        detector = event.detector
        predictions = event.predictions.isEmpty ? nil : event.predictions.map { PredictionDocument($0, at: event.time) }
    }
}

/// How `vigil events` prints.
public enum EventFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// One JSON object per line.
    case json
    /// RFC 4180 CSV with a header.
    case csv
}

extension EventRecord {
    /// The event as one line of JSON.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite numbers always encode.
        return String(decoding: try! encoder.encode(EventDocument(self)), as: UTF8.self)
    }
}

extension Array where Element == EventRecord {
    /// The records rendered in a format, ending with a newline (empty for no records in JSON).
    public func rendered(as format: EventFormat) -> String {
        switch format {
        case .json:
            return map { $0.jsonLine() + "\n" }.joined()
        case .csv:
            let header =
                "id,time,asset,kind,state,severity,score,peak_score,alarm_id,top_signal,value,expected,detector,"
                + "prediction,time_to_failure,lower,upper"
            let rows = map { record -> String in
                let event = record.event
                let top = event.contributions.first
                let fields: [String] = [
                    String(record.id), event.time.iso8601, event.asset, event.kind.rawValue, event.transition.rawValue,
                    event.severity.rawValue, formatNumber(event.score), formatNumber(event.peakScore), event.alarmID,
                    top?.signal ?? "", top.map { formatNumber($0.value) } ?? "",
                    top.map { formatNumber($0.expected) } ?? "",
                    event.detector,
                ]
                return (fields + Self.predictionFields(event.predictions.first)).map(csvField).joined(separator: ",")
            }
            return ([header] + rows).joined(separator: "\n") + "\n"
        case .table:
            // A PREDICTION column only when some event has one, so other histories print as before.
            let predicts = contains { !$0.event.predictions.isEmpty }
            let header =
                [
                    "TIME", "ASSET", "KIND", "STATE", "SEVERITY", "SCORE", "SIGNAL", "VALUE", "EXPECTED", "ALARM",
                ] + (predicts ? ["PREDICTION"] : [])
            let rows = map { record -> [String] in
                let event = record.event
                let top = event.contributions.first
                return [
                    event.time.iso8601, event.asset, event.kind.rawValue, event.transition.rawValue,
                    event.severity.rawValue, String(format: "%.4f", event.score), top?.signal ?? "-",
                    top.map { formatNumber($0.value) } ?? "-", top.map { formatNumber($0.expected) } ?? "-",
                    event.alarmID,
                ] + (predicts ? [event.predictions.first.map(\.summary) ?? "-"] : [])
            }
            let widths = header.indices.map { column in
                ([header] + rows).map { $0[column].count }.max() ?? 0
            }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            let body = rows.map(line)
            return ([line(header)] + body).joined(separator: "\n") + "\n" + "(\(count) event\(count == 1 ? "" : "s"))\n"
        }
    }
}

extension Array where Element == EventRecord {
    /// The CSV fields of an event's first prediction (empty when it has none).
    fileprivate static func predictionFields(_ prediction: Prediction?) -> [String] {
        guard let prediction else { return ["", "", "", ""] }
        return [
            prediction.label, formatNumber(prediction.seconds), formatNumber(prediction.lower),
            prediction.upper.map(formatNumber) ?? "",
        ]
    }
}

extension Prediction {
    /// What the prediction is about: `rul`, or the signal and its limit (`temperature>95`).
    var label: String {
        guard source == .limit, let signal, let limit, let bound else { return source.rawValue }
        return "\(signal)\(bound == .max ? ">" : "<")\(formatNumber(limit))"
    }

    /// One line for a table: `rul in 2.5h [1.1h, 4h]`, `temperature>95 in 20m [15m, 31m]`.
    var summary: String {
        "\(label) in \(duration(seconds)) [\(duration(lower)), \(upper.map(duration) ?? "∞")]"
    }

    private func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: String(format: "%.0fs", seconds)
        case ..<7200: String(format: "%.0fm", seconds / 60)
        case ..<172_800: String(format: "%.1fh", seconds / 3600)
        default: String(format: "%.1fd", seconds / 86_400)
        }
    }
}

private func formatNumber(_ value: Double) -> String {
    String(format: "%.6g", value)
}

private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
