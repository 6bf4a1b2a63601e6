internal import GRDB

/// The database schema as append-only migrations: a shipped migration is never edited; a change
/// is a new migration.
enum Schema {
    /// Every table the migrations below create, and GRDB's own: a database holding any other table
    /// is not Vigil's (`DatabaseFiles.checkTables`). A migration that adds a table adds it here.
    static let tables: Set<String> = [
        "grdb_migrations", "event", "alarm", "outbox", "asset", "detector_state", "signal_time", "command",
        "label", "prognosis_step", "prognosis_model",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, alarms, outbox, assets") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        alarm_id TEXT NOT NULL,
                        asset TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        score REAL NOT NULL,
                        peak_score REAL NOT NULL,
                        time INTEGER NOT NULL,
                        window_start INTEGER NOT NULL,
                        window_end INTEGER NOT NULL,
                        signals TEXT NOT NULL,
                        detector TEXT NOT NULL
                    );
                    CREATE INDEX event_time ON event(time);
                    CREATE INDEX event_asset_time ON event(asset, time);
                    CREATE INDEX event_alarm ON event(alarm_id);

                    CREATE TABLE alarm (
                        id TEXT PRIMARY KEY,
                        asset TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        is_open INTEGER NOT NULL,
                        raised_at INTEGER NOT NULL,
                        cleared_at INTEGER,
                        peak_score REAL NOT NULL
                    );
                    CREATE INDEX alarm_asset_open ON alarm(asset, is_open);
                    CREATE INDEX alarm_cleared ON alarm(cleared_at);

                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        topic TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        qos INTEGER NOT NULL,
                        retain INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );

                    CREATE TABLE asset (
                        name TEXT PRIMARY KEY,
                        readings INTEGER NOT NULL DEFAULT 0,
                        last_time INTEGER,
                        state TEXT
                    );
                    """
            )
        }
        migrator.registerMigration("v2: detector state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE detector_state (
                        asset TEXT PRIMARY KEY,
                        snapshot BLOB NOT NULL,
                        saved_at INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v3: last time stamp per signal") { db in
            // Committed with the readings' counters, so that a reading the broker delivers again
            // after a crash (processed, but its PUBACK not yet sent) is recognised as a duplicate.
            try db.execute(
                sql: """
                    CREATE TABLE signal_time (
                        asset TEXT NOT NULL,
                        signal TEXT NOT NULL,
                        last_time INTEGER NOT NULL,
                        PRIMARY KEY (asset, signal)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("issue-12 a: event.recorded_at, retention by arrival") { db in
            // Retention counts from when Vigil recorded an event, not from the event time its readings
            // carried (a reading stamped in 2000 is not history to delete at once). Events recorded
            // before this migration count from now: never deleted earlier than they would have been.
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN recorded_at INTEGER;
                    UPDATE event SET recorded_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
                    CREATE INDEX event_recorded ON event(recorded_at);
                    """
            )
        }
        migrator.registerMigration("issue-12 b: asset.last_arrival, forgetting quiet assets") { db in
            // When the asset's last reading arrived (arrival time), so that an asset never seen again
            // is forgotten after limits.asset_expiry. Assets known before count from now.
            try db.execute(
                sql: """
                    ALTER TABLE asset ADD COLUMN last_arrival INTEGER;
                    UPDATE asset SET last_arrival = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
                    """
            )
        }
        migrator.registerMigration("issue-12 c: command audit trail") { db in
            // Every command the daemon answered: who sent it, what it asked and what came of it
            // (`vigil events --kind command`). Retention deletes it like the events.
            try db.execute(
                sql: """
                    CREATE TABLE command (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        received_at INTEGER NOT NULL,
                        origin TEXT NOT NULL,
                        command TEXT,
                        asset TEXT,
                        command_id TEXT,
                        outcome TEXT NOT NULL,
                        reason TEXT,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX command_received ON command(received_at);
                    """
            )
        }
        migrator.registerMigration("issue-11: predictions, maintenance labels, prognosis steps and models") { db in
            // fault_predicted events keep their predictions; labels and the remaining-life models'
            // steps are what retraining learns from; a retrained model outlives restarts.
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN predictions TEXT;

                    CREATE TABLE label (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        asset TEXT NOT NULL,
                        event TEXT NOT NULL,
                        time INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        source TEXT NOT NULL
                    );
                    CREATE INDEX label_asset_time ON label(asset, time);

                    CREATE TABLE prognosis_step (
                        asset TEXT NOT NULL,
                        time INTEGER NOT NULL,
                        columns TEXT NOT NULL,
                        step_values BLOB NOT NULL,
                        PRIMARY KEY (asset, time)
                    ) WITHOUT ROWID;
                    CREATE INDEX prognosis_step_time ON prognosis_step(time);

                    CREATE TABLE prognosis_model (
                        entry TEXT PRIMARY KEY,
                        base_digest TEXT NOT NULL,
                        model BLOB NOT NULL,
                        validation_rmse REAL NOT NULL,
                        replaced_rmse REAL NOT NULL,
                        saved_at INTEGER NOT NULL
                    );
                    """
            )
        }
        return migrator
    }
}
