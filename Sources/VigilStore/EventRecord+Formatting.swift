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

    enum CodingKeys: String, CodingKey {
        case id, asset, kind, state, severity, score, time, window, signals, detector
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
                "id,time,asset,kind,state,severity,score,peak_score,alarm_id,top_signal,value,expected,detector"
            let rows = map { record -> String in
                let event = record.event
                let top = event.contributions.first
                return [
                    String(record.id), event.time.iso8601, event.asset, event.kind.rawValue, event.transition.rawValue,
                    event.severity.rawValue, formatNumber(event.score), formatNumber(event.peakScore), event.alarmID,
                    top?.signal ?? "", top.map { formatNumber($0.value) } ?? "",
                    top.map { formatNumber($0.expected) } ?? "",
                    event.detector,
                ].map(csvField).joined(separator: ",")
            }
            return ([header] + rows).joined(separator: "\n") + "\n"
        case .table:
            let header = [
                "TIME", "ASSET", "KIND", "STATE", "SEVERITY", "SCORE", "SIGNAL", "VALUE", "EXPECTED", "ALARM",
            ]
            let rows = map { record -> [String] in
                let event = record.event
                let top = event.contributions.first
                return [
                    event.time.iso8601, event.asset, event.kind.rawValue, event.transition.rawValue,
                    event.severity.rawValue, String(format: "%.4f", event.score), top?.signal ?? "-",
                    top.map { formatNumber($0.value) } ?? "-", top.map { formatNumber($0.expected) } ?? "-",
                    event.alarmID,
                ]
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

private func formatNumber(_ value: Double) -> String {
    String(format: "%.6g", value)
}

private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
