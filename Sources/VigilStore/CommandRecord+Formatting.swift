internal import Foundation
internal import VigilCore

/// One command as a line of `vigil events --kind command --format json`, valid against
/// `schemas/command-audit.schema.json`.
struct CommandDocument: Encodable {
    var id: Int64
    var time: String
    var origin: String
    var command: String?
    var asset: String?
    var commandID: String?
    var outcome: String
    var reason: String?
    var detail: String

    enum CodingKeys: String, CodingKey {
        case id, time, origin, command, asset, outcome, reason, detail
        case commandID = "command_id"
    }

    init(_ record: CommandRecord) {
        id = record.id
        time = record.time.iso8601
        origin = record.origin
        command = record.command
        asset = record.asset
        commandID = record.commandID
        outcome = record.accepted ? "accepted" : "refused"
        reason = record.reason
        detail = record.detail
    }
}

extension Array where Element == CommandRecord {
    /// The records rendered in a format, ending with a newline (empty for no records in JSON).
    public func rendered(as format: EventFormat) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .json:
            // Strings and integers always encode.
            return map { String(decoding: try! encoder.encode(CommandDocument($0)), as: UTF8.self) + "\n" }.joined()
        case .csv:
            let header = "id,time,origin,command,asset,command_id,outcome,reason,detail"
            let rows = map { record in
                [
                    String(record.id), record.time.iso8601, record.origin, record.command ?? "", record.asset ?? "",
                    record.commandID ?? "", record.accepted ? "accepted" : "refused", record.reason ?? "",
                    record.detail,
                ].map(Self.csvField).joined(separator: ",")
            }
            return ([header] + rows).joined(separator: "\n") + "\n"
        case .table:
            let rows = map { record in
                [
                    record.time.iso8601, Self.cell(record.origin, 20), Self.cell(record.command ?? "-", 18),
                    Self.cell(record.asset ?? "-", 16), Self.cell(record.commandID ?? "-", 16),
                    record.accepted ? "accepted" : "refused: \(record.reason ?? "-")",
                ].joined(separator: "  ")
            }
            let count = "(\(self.count) command\(self.count == 1 ? "" : "s"))"
            return (rows + [count]).joined(separator: "\n") + "\n"
        }
    }

    /// A field for CSV, quoted when it must be, control characters shown as `\u{…}`.
    private static func csvField(_ text: String) -> String {
        let safe = String(
            text.unicodeScalars.map { scalar -> String in
                scalar.properties.generalCategory == .control
                    ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }.joined()
        )
        return safe.contains(",") || safe.contains("\"")
            ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
    }

    /// A table cell: control characters shown as `\u{…}`, padded or cut to `width`.
    private static func cell(_ text: String, _ width: Int) -> String {
        let safe = csvField(text).replacingOccurrences(of: "\"", with: "")
        let cut = safe.count > width ? String(safe.prefix(width - 1)) + "…" : safe
        return cut + String(repeating: " ", count: Swift.max(0, width - cut.count))
    }
}
