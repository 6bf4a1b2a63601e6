internal import Foundation
public import VigilCore

/// A message about the daemon itself on the notice topic (`alerts.notice_topic`), documented by
/// `schemas/notice.schema.json`; for example a corrupt database that was set aside at start.
public struct Notice: Sendable, Hashable, Encodable {
    /// What happened, e.g. `database_recovered`.
    public var kind: String
    /// A sentence for the operator.
    public var detail: String
    /// When, ISO 8601.
    public var time: String
    /// Files the notice is about (e.g. where a corrupt database was moved).
    public var files: [String]
    /// The daemon's version.
    public var vigilVersion: String
    /// The document's schema identifier.
    public let schema = "vigil.notice/1"

    enum CodingKeys: String, CodingKey {
        case schema, kind, detail, time, files
        case vigilVersion = "vigil_version"
    }

    /// Creates a notice.
    public init(kind: String, detail: String, time: Timestamp, files: [String], vigilVersion: String) {
        self.kind = kind
        self.detail = detail
        self.time = time.iso8601
        self.files = files
        self.vigilVersion = vigilVersion
    }

    /// JSON bytes of the notice.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and arrays of strings always encode.
        return Array(try! encoder.encode(self))
    }
}
