internal import Foundation
internal import GRDB
public import VigilCore

/// Reads event history; the CLI opens the database read-only through it, so that it can never
/// write or checkpoint beside the daemon.
public struct EventReader: Sendable {
    let reader: any DatabaseReader

    init(reader: any DatabaseReader) {
        self.reader = reader
    }

    /// Opens a database read-only.
    public static func open(path: String) throws(StoreError) -> EventReader {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(operation: "open \(path)", message: "no database at this path (has the daemon run yet?)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try StoreError.wrap("open \(path) read-only") {
            EventReader(reader: try DatabaseQueue(path: path, configuration: configuration))
        }
    }

    /// Events matching a query, oldest first.
    public func events(_ query: EventQuery) throws(StoreError) -> [EventRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since = query.since {
            conditions.append("time >= ?")
            _ = arguments.append(contentsOf: [since.milliseconds])
        }
        if let until = query.until {
            conditions.append("time < ?")
            _ = arguments.append(contentsOf: [until.milliseconds])
        }
        if let asset = query.asset {
            conditions.append("asset = ?")
            _ = arguments.append(contentsOf: [asset])
        }
        if let kind = query.kind {
            conditions.append("kind = ?")
            _ = arguments.append(contentsOf: [kind.rawValue])
        }
        if let state = query.state {
            conditions.append("state = ?")
            _ = arguments.append(contentsOf: [state.rawValue])
        }
        _ = arguments.append(contentsOf: [query.limit])
        // Only fixed condition strings are joined here; every value is a bound argument.
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT * FROM (SELECT * FROM event \(filter) ORDER BY time DESC, id DESC LIMIT ?) ORDER BY time, id
            """
        return try StoreError.wrap("read events") {
            try reader.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.record)
            }
        }
    }

    /// Commands of the audit trail matching a query (time, asset and limit; the kind and state
    /// filters are the events'), oldest first.
    public func commands(_ query: EventQuery) throws(StoreError) -> [CommandRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since = query.since {
            conditions.append("received_at >= ?")
            _ = arguments.append(contentsOf: [since.milliseconds])
        }
        if let until = query.until {
            conditions.append("received_at < ?")
            _ = arguments.append(contentsOf: [until.milliseconds])
        }
        if let asset = query.asset {
            conditions.append("asset = ?")
            _ = arguments.append(contentsOf: [asset])
        }
        _ = arguments.append(contentsOf: [query.limit])
        // Only fixed condition strings are joined here; every value is a bound argument.
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT * FROM (SELECT * FROM command \(filter) ORDER BY received_at DESC, id DESC LIMIT ?)
            ORDER BY received_at, id
            """
        return try StoreError.wrap("read commands") {
            try reader.read { db in
                // A database of a Vigil before the audit trail has no such table: no commands.
                guard try db.tableExists("command") else { return [] }
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    CommandRecord(
                        id: row["id"],
                        time: Timestamp(milliseconds: row["received_at"]),
                        origin: row["origin"],
                        command: row["command"],
                        asset: row["asset"],
                        commandID: row["command_id"],
                        accepted: (row["outcome"] as String) == "accepted",
                        reason: row["reason"],
                        detail: row["detail"]
                    )
                }
            }
        }
    }

    /// Open alarms, oldest first.
    public func openAlarms() throws(StoreError) -> [(id: String, asset: String, raisedAt: Timestamp)] {
        try StoreError.wrap("read alarms") {
            try reader.read { db in
                try Row.fetchAll(db, sql: "SELECT id, asset, raised_at FROM alarm WHERE is_open = 1 ORDER BY raised_at")
                    .map { (id: $0["id"], asset: $0["asset"], raisedAt: Timestamp(milliseconds: $0["raised_at"])) }
            }
        }
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound database, else the problems found.
    public func integrityCheck() throws(StoreError) -> [String] {
        try StoreError.wrap("check integrity") {
            try reader.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        }
    }

    /// Readings accepted so far per asset.
    public func readingCounts() throws(StoreError) -> [String: Int] {
        try StoreError.wrap("read assets") {
            try reader.read { db in
                var counts: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, readings FROM asset") {
                    counts[row["name"]] = row["readings"]
                }
                return counts
            }
        }
    }

    /// The last committed own time stamp (ms) of each signal, by asset and signal.
    public func signalTimes() throws(StoreError) -> [String: [String: Int64]] {
        try StoreError.wrap("read signal times") { try reader.read(Self.signalTimes) }
    }

    /// The `signal_time` table as a dictionary (shared with the writer's `EventStore.signalTimes()`).
    static func signalTimes(_ db: Database) throws -> [String: [String: Int64]] {
        var times: [String: [String: Int64]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT asset, signal, last_time FROM signal_time") {
            times[row["asset"], default: [:]][row["signal"]] = row["last_time"]
        }
        return times
    }

    private static func record(_ row: Row) throws -> EventRecord {
        let signalsText: String = row["signals"]
        let signals = try JSONDecoder().decode([SignalRow].self, from: Data(signalsText.utf8))
        let kindText: String = row["kind"]
        let stateText: String = row["state"]
        let severityText: String = row["severity"]
        guard let kind = EventKind(rawValue: kindText), let state = AlarmTransition(rawValue: stateText),
            let severity = Severity(rawValue: severityText)
        else {
            throw StoreError(
                operation: "read events",
                message: "row \(row["id"] as Int64) has an unknown kind, state or severity"
            )
        }
        return EventRecord(
            id: row["id"],
            event: Event(
                alarmID: row["alarm_id"],
                asset: row["asset"],
                kind: kind,
                transition: state,
                severity: severity,
                score: row["score"],
                peakScore: row["peak_score"],
                time: Timestamp(milliseconds: row["time"]),
                windowStart: Timestamp(milliseconds: row["window_start"]),
                windowEnd: Timestamp(milliseconds: row["window_end"]),
                contributions: signals.map {
                    SignalContribution(signal: $0.name, value: $0.value, expected: $0.expected, score: $0.score)
                },
                detector: row["detector"],
                predictions: try (row["predictions"] as String?).map {
                    try JSONDecoder().decode([PredictionDocument].self, from: Data($0.utf8)).map(\.prediction)
                } ?? []
            )
        )
    }
}
