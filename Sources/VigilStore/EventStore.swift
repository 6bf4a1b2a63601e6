internal import Foundation
internal import GRDB
public import VigilCore

/// The daemon's database: the one connection that writes events, alarms, the alert outbox and
/// asset counters.
///
/// SQLite runs in WAL mode with `synchronous=NORMAL`: a crash of the process loses nothing
/// committed; a power loss may lose the last transactions but never corrupts the file. Exactly
/// one connection writes (Debian's SQLite 3.40 has the WAL-reset bug that two writers can trigger);
/// the CLI reads through `EventReader`, read-only.
public final class EventStore: Sendable {
    let queue: DatabaseQueue
    let lock: DatabaseLock
    /// Path of the database file.
    public let path: String
    /// Set when the database was found corrupt at start and replaced by a fresh one.
    public let recovery: DatabaseRecovery?

    /// Opens (creating if needed) and migrates the database.
    /// - Parameters:
    ///   - path: the database file.
    ///   - maxSize: the largest size of the file in bytes (`PRAGMA max_page_count`); writes beyond it
    ///     fail with SQLITE_FULL until `makeRoom()` deletes old history.
    public init(path: String, maxSize: Int64 = 1 << 30) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.label = "vigil.store"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            try db.execute(sql: "PRAGMA max_page_count = \(max(16, maxSize / pageSize))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try StoreError.wrap("open \(path)") {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            }
        }
        try DatabaseFiles.refuseLinks(path: path)
        lock = try DatabaseLock(database: path)
        recovery = try DatabaseRecovery.recoverIfCorrupt(path: path)
        try DatabaseFiles.prepare(path: path)
        try DatabaseFiles.checkTables(path: path)
        queue = try StoreError.wrap("open \(path)") { try DatabaseQueue(path: path, configuration: configuration) }
        try StoreError.wrap("migrate \(path)") { try Schema.migrator.migrate(queue) }
    }

    /// Writes a batch in one transaction.
    public func record(_ batch: StoreBatch, at now: Timestamp) async throws(StoreError) {
        guard !batch.isEmpty else { return }
        try await StoreError.wrap("record events") {
            try await queue.write { db in
                for asset in batch.forgotten {
                    for table in ["signal_time", "detector_state"] {
                        // The table names are constants; the asset is a bound argument.
                        try db.execute(sql: "DELETE FROM \(table) WHERE asset = ?", arguments: [asset])
                    }
                    try db.execute(sql: "DELETE FROM asset WHERE name = ?", arguments: [asset])
                    // Its remaining-life steps go too, but for those of completed runs (up to its last
                    // failure label): they are what retraining learns from.
                    try db.execute(
                        sql: """
                            DELETE FROM prognosis_step WHERE asset = ? AND time > coalesce(
                                (SELECT max(time) FROM label WHERE asset = ? AND event = 'failure'), -9223372036854775808)
                            """,
                        arguments: [asset, asset]
                    )
                }
                for event in batch.events {
                    try Self.insert(event, recordedAt: now, db)
                }
                for command in batch.commands {
                    try db.execute(
                        sql: """
                            INSERT INTO command (received_at, origin, command, asset, command_id, outcome, reason, detail)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            command.time.milliseconds, command.origin, command.command, command.asset,
                            command.commandID, command.accepted ? "accepted" : "refused", command.reason,
                            command.detail,
                        ]
                    )
                }
                for message in batch.outbox {
                    try db.execute(
                        sql: "INSERT INTO outbox (topic, payload, qos, retain, created_at) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            message.topic, Data(message.payload), message.qos, message.retain, now.milliseconds,
                        ]
                    )
                }
                for (asset, readings) in batch.readings {
                    try db.execute(
                        sql: """
                            INSERT INTO asset (name, readings, last_time) VALUES (?, ?, ?)
                            ON CONFLICT(name) DO UPDATE SET readings = readings + excluded.readings,
                                last_time = max(coalesce(last_time, 0), excluded.last_time)
                            """,
                        arguments: [asset, readings.count, readings.lastTime]
                    )
                }
                for (asset, signals) in batch.signalTimes {
                    for (signal, time) in signals {
                        try db.execute(
                            sql: """
                                INSERT INTO signal_time (asset, signal, last_time) VALUES (?, ?, ?)
                                ON CONFLICT(asset, signal) DO UPDATE SET last_time = max(last_time, excluded.last_time)
                                """,
                            arguments: [asset, signal, time]
                        )
                    }
                }
                for (asset, arrival) in batch.arrivals {
                    try db.execute(
                        sql: """
                            INSERT INTO asset (name, last_arrival) VALUES (?, ?)
                            ON CONFLICT(name) DO UPDATE SET last_arrival = max(coalesce(last_arrival, 0), excluded.last_arrival)
                            """,
                        arguments: [asset, arrival]
                    )
                }
                try Self.insertPrognosis(batch, at: now, db)
                for (asset, state) in batch.states {
                    try db.execute(
                        sql: """
                            INSERT INTO asset (name, state) VALUES (?, ?)
                            ON CONFLICT(name) DO UPDATE SET state = excluded.state
                            """,
                        arguments: [asset, state]
                    )
                }
            }
        }
    }

    private static func insert(_ event: Event, recordedAt now: Timestamp, _ db: Database) throws {
        let signals = String(decoding: try JSONEncoder().encode(event.contributions.map(SignalRow.init)), as: UTF8.self)
        let predictions =
            event.predictions.isEmpty
            ? nil
            : String(
                decoding: try JSONEncoder().encode(event.predictions.map { PredictionDocument($0, at: event.time) }),
                as: UTF8.self
            )
        try db.execute(
            sql: """
                INSERT INTO event (alarm_id, asset, kind, state, severity, score, peak_score, time,
                    window_start, window_end, signals, detector, recorded_at, predictions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.alarmID, event.asset, event.kind.rawValue, event.transition.rawValue, event.severity.rawValue,
                event.score, event.peakScore, event.time.milliseconds, event.windowStart.milliseconds,
                event.windowEnd.milliseconds, signals, event.detector, now.milliseconds, predictions,
            ]
        )
        switch event.transition {
        case .raised:
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO alarm (id, asset, kind, severity, is_open, raised_at, cleared_at, peak_score)
                    VALUES (?, ?, ?, ?, 1, ?, NULL, ?)
                    """,
                arguments: [
                    event.alarmID, event.asset, event.kind.rawValue, event.severity.rawValue,
                    event.time.milliseconds, event.peakScore,
                ]
            )
        case .updated:
            try db.execute(
                sql: "UPDATE alarm SET severity = ?, peak_score = ? WHERE id = ?",
                arguments: [event.severity.rawValue, event.peakScore, event.alarmID]
            )
        case .cleared:
            try db.execute(
                sql: "UPDATE alarm SET is_open = 0, cleared_at = ?, peak_score = ? WHERE id = ?",
                arguments: [event.time.milliseconds, event.peakScore, event.alarmID]
            )
        }
    }

    /// The oldest messages of the outbox, in order.
    public func pendingMessages(limit: Int) async throws(StoreError) -> [OutboxMessage] {
        try await StoreError.wrap("read outbox") {
            try await queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT id, topic, payload, qos, retain FROM outbox ORDER BY id LIMIT ?",
                    arguments: [limit]
                ).map { row in
                    OutboxMessage(
                        id: row["id"],
                        topic: row["topic"],
                        payload: Array(row["payload"] as Data),
                        qos: row["qos"],
                        retain: row["retain"]
                    )
                }
            }
        }
    }

    /// Removes a message the broker has acknowledged.
    public func markDelivered(_ id: Int64) async throws(StoreError) {
        try await StoreError.wrap("delete from outbox") {
            try await queue.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
        }
    }

    /// The alarms still open, by asset, so that a restarted daemon continues them instead of
    /// raising them again. A restored alarm's window starts at its raise time. `fault_predicted`
    /// alarms, which an asset may have open beside another, are read by `openPredictionAlarms()`.
    public func openAlarms() async throws(StoreError) -> [String: AlarmStateMachine.OpenAlarm] {
        try await openAlarms(predictions: false)
    }

    /// The open alarms of one class, by asset.
    func openAlarms(predictions: Bool) async throws(StoreError) -> [String: AlarmStateMachine.OpenAlarm] {
        try await StoreError.wrap("read open alarms") {
            try await queue.read { db in
                var alarms: [String: AlarmStateMachine.OpenAlarm] = [:]
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, asset, kind, severity, raised_at, peak_score FROM alarm
                        WHERE is_open = 1 AND (kind = 'fault_predicted') = ? ORDER BY raised_at
                        """,
                    arguments: [predictions]
                )
                for row in rows {
                    guard let kind = EventKind(rawValue: row["kind"]),
                        let severity = Severity(rawValue: row["severity"])
                    else { continue }
                    alarms[row["asset"]] = AlarmStateMachine.OpenAlarm(
                        id: row["id"],
                        kind: kind,
                        severity: severity,
                        windowStart: Timestamp(milliseconds: row["raised_at"]),
                        peakScore: row["peak_score"]
                    )
                }
                return alarms
            }
        }
    }

    /// Saves detector snapshots (one per asset, replacing the previous one) in one transaction.
    public func saveDetectorStates(_ snapshots: [String: [UInt8]], at now: Timestamp) async throws(StoreError) {
        guard !snapshots.isEmpty else { return }
        try await StoreError.wrap("save detector state") {
            try await queue.write { db in
                for (asset, snapshot) in snapshots {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO detector_state (asset, snapshot, saved_at) VALUES (?, ?, ?)",
                        arguments: [asset, Data(snapshot), now.milliseconds]
                    )
                }
            }
        }
    }

    /// The latest committed own time stamp (ms) of each signal, by asset and signal.
    public func signalTimes() async throws(StoreError) -> [String: [String: Int64]] {
        try await StoreError.wrap("read signal times") { try await queue.read(EventReader.signalTimes) }
    }

    /// When each known asset's last reading arrived (ms), for the assets of an earlier run; `now`
    /// for one whose arrival was never recorded.
    public func assetArrivals(unknownAs now: Timestamp) async throws(StoreError) -> [String: Int64] {
        try await StoreError.wrap("read assets") {
            try await queue.read { db in
                var arrivals: [String: Int64] = [:]
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT name, coalesce(last_arrival, ?) AS arrival FROM asset",
                    arguments: [now.milliseconds]
                )
                for row in rows { arrivals[row["name"]] = row["arrival"] }
                return arrivals
            }
        }
    }

    /// The detector snapshots saved by an earlier run, by asset.
    public func detectorStates() async throws(StoreError) -> [String: [UInt8]] {
        try await StoreError.wrap("read detector state") {
            try await queue.read { db in
                var snapshots: [String: [UInt8]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT asset, snapshot FROM detector_state") {
                    snapshots[row["asset"]] = Array(row["snapshot"] as Data)
                }
                return snapshots
            }
        }
    }

    /// Number of messages not yet acknowledged by the broker.
    public func outboxCount() async throws(StoreError) -> Int {
        try await StoreError.wrap("count outbox") {
            try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
        }
    }

    /// Events of closed alarms only: an open alarm keeps its whole history, its `raised` event
    /// included, however old.
    private static let closedAlarmEvents = "alarm_id NOT IN (SELECT id FROM alarm WHERE is_open = 1)"

    /// Deletes the events recorded before `cutoff` (arrival time: when Vigil wrote them, not the
    /// event time their readings carried), and the closed alarms left without events; the events of
    /// open alarms and the outbox are never touched.
    /// - Returns: the number of events deleted.
    @discardableResult
    public func deleteHistory(before cutoff: Timestamp) async throws(StoreError) -> Int {
        try await StoreError.wrap("apply retention") {
            try await queue.write { db in
                try db.execute(
                    sql: "DELETE FROM event WHERE recorded_at < ? AND \(Self.closedAlarmEvents)",
                    arguments: [cutoff.milliseconds]
                )
                let deleted = db.changesCount
                try db.execute(sql: Self.deleteEmptyClosedAlarms)
                try db.execute(sql: "DELETE FROM command WHERE received_at < ?", arguments: [cutoff.milliseconds])
                try db.execute(sql: "DELETE FROM prognosis_step WHERE time < ?", arguments: [cutoff.milliseconds])
                return deleted
            }
        }
    }

    /// Closed alarms none of whose events is left.
    private static let deleteEmptyClosedAlarms = """
        DELETE FROM alarm WHERE is_open = 0 AND id NOT IN (SELECT DISTINCT alarm_id FROM event)
        """

    /// Makes room in a database at its size cap: deletes the oldest tenth (at least 100) of the
    /// events of closed alarms, and the closed alarms they leave behind; the events of open alarms
    /// and the outbox are never touched. Freed pages are reused by later writes.
    /// - Returns: the number of events deleted (0 when the database is not at its cap, e.g. when
    ///   the filesystem is full instead).
    @discardableResult
    public func makeRoom() async throws(StoreError) -> Int {
        try await StoreError.wrap("make room") {
            try await queue.write { db in
                let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let cap = try Int64.fetchOne(db, sql: "PRAGMA max_page_count") ?? .max
                let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard pages >= cap - 2, free < 8 else { return 0 }
                let total =
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE \(Self.closedAlarmEvents)") ?? 0
                // Remaining-life steps go first, the oldest tenth (at least 100) at a time.
                try db.execute(
                    sql: """
                        DELETE FROM prognosis_step WHERE (asset, time) IN
                        (SELECT asset, time FROM prognosis_step ORDER BY time LIMIT
                         max(100, (SELECT count(*) FROM prognosis_step) / 10))
                        """
                )
                guard total > 0 else { return 0 }
                try db.execute(
                    sql: """
                        DELETE FROM event WHERE id IN
                        (SELECT id FROM event WHERE \(Self.closedAlarmEvents) ORDER BY recorded_at, id LIMIT ?)
                        """,
                    arguments: [max(100, total / 10)]
                )
                let deleted = db.changesCount
                try db.execute(sql: Self.deleteEmptyClosedAlarms)
                return deleted
            }
        }
    }

    /// Reads through the writer connection (for the daemon itself and tests).
    public var reader: EventReader { EventReader(reader: queue) }

    /// Closes the database and releases its lock.
    public func close() throws(StoreError) {
        defer { lock.release() }
        try StoreError.wrap("close \(path)") { try queue.close() }
    }
}

/// A signal contribution as stored in the `signals` JSON column and printed by the CLI.
struct SignalRow: Codable, Hashable {
    var name: String
    var value: Double
    var expected: Double
    var score: Double

    init(_ contribution: SignalContribution) {
        name = contribution.signal
        value = contribution.value
        expected = contribution.expected
        score = contribution.score
    }
}
