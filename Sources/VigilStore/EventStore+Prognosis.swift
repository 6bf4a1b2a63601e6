internal import Foundation
internal import GRDB
public import VigilCore

extension EventStore {
    /// Writes a batch's labels and remaining-life steps (inside `record`'s transaction).
    static func insertPrognosis(_ batch: StoreBatch, at now: Timestamp, _ db: Database) throws {
        for (label, source) in batch.labels {
            try db.execute(
                sql: "INSERT INTO label (asset, event, time, received_at, source) VALUES (?, ?, ?, ?, ?)",
                arguments: [label.asset, label.event.rawValue, label.time.milliseconds, now.milliseconds, source]
            )
        }
        for step in batch.prognosisSteps {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO prognosis_step (asset, time, columns, step_values) VALUES (?, ?, ?, ?)
                    """,
                arguments: [
                    step.asset, step.time.milliseconds, step.columns.joined(separator: ","),
                    Data(Self.bytes(of: step.values)),
                ]
            )
        }
    }

    /// The open `fault_predicted` alarms, by asset.
    public func openPredictionAlarms() async throws(StoreError) -> [String: AlarmStateMachine.OpenAlarm] {
        try await openAlarms(predictions: true)
    }

    /// Each asset's current life as recorded: the steps since its latest label (or since its first
    /// step), with the columns of the latest step: their count, the first `first` and the last
    /// `recent` of them, oldest first.
    public func currentLives(first: Int, recent: Int) async throws(StoreError) -> [String: RecordedLife] {
        try await StoreError.wrap("read prognosis steps") {
            try await queue.read { db in
                var lives: [String: RecordedLife] = [:]
                for asset in try String.fetchAll(db, sql: "SELECT DISTINCT asset FROM prognosis_step") {
                    let since =
                        try Int64.fetchOne(db, sql: "SELECT max(time) FROM label WHERE asset = ?", arguments: [asset])
                        ?? .min
                    guard
                        let columns = try String.fetchOne(
                            db,
                            sql: "SELECT columns FROM prognosis_step WHERE asset = ? ORDER BY time DESC LIMIT 1",
                            arguments: [asset]
                        )
                    else { continue }
                    let filter = "asset = ? AND time >= ? AND columns = ?"
                    let arguments: StatementArguments = [asset, since, columns]
                    let count =
                        try Int.fetchOne(
                            db,
                            sql: "SELECT count(*) FROM prognosis_step WHERE \(filter)",
                            arguments: arguments
                        )
                        ?? 0
                    let firstRows = try Row.fetchAll(
                        db,
                        sql:
                            "SELECT asset, time, columns, step_values FROM prognosis_step WHERE \(filter) ORDER BY time LIMIT ?",
                        arguments: arguments + [first]
                    ).map(Self.step)
                    let recentRows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT asset, time, columns, step_values FROM prognosis_step WHERE \(filter)
                            ORDER BY time DESC LIMIT ?
                            """,
                        arguments: arguments + [recent]
                    ).map(Self.step).reversed()
                    lives[asset] = RecordedLife(
                        columns: columns.split(separator: ",").map(String.init),
                        steps: count,
                        first: firstRows.map(\.values),
                        recent: recentRows.map(\.values)
                    )
                }
                return lives
            }
        }
    }

    /// Every recorded step of the given assets, by asset, oldest first.
    public func prognosisSteps(assets: [String]) async throws(StoreError) -> [PrognosisStepRow] {
        try await StoreError.wrap("read prognosis steps") {
            try await queue.read { db in
                var steps: [PrognosisStepRow] = []
                for asset in assets {
                    steps += try Row.fetchAll(
                        db,
                        sql:
                            "SELECT asset, time, columns, step_values FROM prognosis_step WHERE asset = ? ORDER BY time",
                        arguments: [asset]
                    ).map(Self.step)
                }
                return steps
            }
        }
    }

    /// Every recorded label of the given assets, oldest first.
    public func labels(assets: [String]) async throws(StoreError) -> [MaintenanceLabel] {
        try await StoreError.wrap("read labels") {
            try await queue.read { db in try EventReader.labels(db, assets: assets) }
        }
    }

    /// The assets that have recorded remaining-life steps.
    public func prognosisAssets() async throws(StoreError) -> [String] {
        try await StoreError.wrap("read prognosis steps") {
            try await queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT asset FROM prognosis_step") }
        }
    }

    /// Saves a retrained model of an entry, replacing the previous one.
    public func saveRetrainedModel(_ record: RetrainedModelRecord, at now: Timestamp) async throws(StoreError) {
        try await StoreError.wrap("save retrained model") {
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO prognosis_model
                        (entry, base_digest, model, validation_rmse, replaced_rmse, saved_at) VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.entry, record.baseDigest, Data(record.model), record.validationRMSE,
                        record.replacedRMSE, now.milliseconds,
                    ]
                )
            }
        }
    }

    /// The retrained model of an entry, if one was saved.
    public func retrainedModel(entry: String) async throws(StoreError) -> RetrainedModelRecord? {
        try await StoreError.wrap("read retrained model") {
            try await queue.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT entry, base_digest, model, validation_rmse, replaced_rmse FROM prognosis_model
                        WHERE entry = ?
                        """,
                    arguments: [entry]
                ).map { row in
                    RetrainedModelRecord(
                        entry: row["entry"],
                        baseDigest: row["base_digest"],
                        model: Array(row["model"] as Data),
                        validationRMSE: row["validation_rmse"],
                        replacedRMSE: row["replaced_rmse"]
                    )
                }
            }
        }
    }

    static func step(_ row: Row) -> PrognosisStepRow {
        let columns: String = row["columns"]
        return PrognosisStepRow(
            asset: row["asset"],
            time: Timestamp(milliseconds: row["time"]),
            columns: columns.split(separator: ",").map(String.init),
            values: values(of: Array(row["step_values"] as Data))
        )
    }

    /// Doubles as little-endian bytes.
    static func bytes(of values: [Double]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// Little-endian bytes as doubles.
    static func values(of bytes: [UInt8]) -> [Double] {
        var values: [Double] = []
        for offset in stride(from: 0, to: bytes.count - 7, by: 8) {
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            values.append(Double(bitPattern: bits))
        }
        return values
    }
}

extension EventReader {
    /// The labels of the given assets (all assets when empty), oldest first.
    static func labels(_ db: Database, assets: [String]) throws -> [MaintenanceLabel] {
        var labels: [MaintenanceLabel] = []
        let rows =
            assets.isEmpty
            ? try Row.fetchAll(db, sql: "SELECT asset, event, time FROM label ORDER BY time, id")
            : try assets.flatMap { asset in
                try Row.fetchAll(
                    db,
                    sql: "SELECT asset, event, time FROM label WHERE asset = ? ORDER BY time, id",
                    arguments: [asset]
                )
            }
        for row in rows {
            guard let event = MaintenanceLabel.Kind(rawValue: row["event"]) else { continue }
            labels.append(
                MaintenanceLabel(asset: row["asset"], event: event, time: Timestamp(milliseconds: row["time"]))
            )
        }
        return labels.sorted { $0.time < $1.time }
    }

    /// The recorded maintenance labels (all assets when `asset` is nil), oldest first.
    public func labels(asset: String? = nil) throws(StoreError) -> [MaintenanceLabel] {
        try StoreError.wrap("read labels") {
            try reader.read { db in try Self.labels(db, assets: asset.map { [$0] } ?? []) }
        }
    }
}
