internal import Foundation
internal import GRDB

/// A database found corrupt at start and set aside: why, and where its files went.
public struct DatabaseRecovery: Sendable, Hashable, CustomStringConvertible {
    /// What was wrong (SQLite's message, or the first problems `quick_check` reported).
    public var reason: String
    /// The paths the database and its `-wal` and `-shm` files were moved to.
    public var movedTo: [String]

    public var description: String {
        "database corrupt (\(reason)); moved to \(movedTo.joined(separator: ", ")); a fresh database was started"
    }

    /// Checks a database file before the daemon opens it for writing. A file SQLite cannot read as
    /// a database, or whose `PRAGMA quick_check` fails twice in a row (a single failure can be a
    /// transient I/O error rather than damage), is moved aside with its WAL and shared-memory files
    /// to `<path>.corrupt-<time>`, so that a fresh database can start in its place.
    /// - Parameter check: the check (replaceable in tests); nil means sound, else the problem.
    /// - Returns: nil when the database is sound or absent.
    static func recoverIfCorrupt(
        path: String,
        check: (String) -> String? = DatabaseRecovery.quickCheck
    ) throws(StoreError) -> DatabaseRecovery? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let first = check(path) else { return nil }
        usleep(200_000)
        guard check(path) != nil else { return nil }
        let stamp = Int64(Date().timeIntervalSince1970)
        var moved: [String] = []
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            let target = "\(path).corrupt-\(stamp)\(suffix)"
            try StoreError.wrap("move aside \(path + suffix)") {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: target)
            }
            moved.append(target)
        }
        return DatabaseRecovery(reason: first, movedTo: moved)
    }

    /// `PRAGMA quick_check` on a read-only connection: nil when it says `ok`.
    static func quickCheck(_ path: String) -> String? {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            return problems == ["ok"] ? nil : problems.prefix(3).joined(separator: "; ")
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: return error.message ?? "\(error)"
            // Anything else (permissions, a busy file) is not damage: let the normal open report it.
            default: return nil
            }
        } catch {
            return nil
        }
    }
}
