internal import Foundation
internal import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks on the database's files before Vigil opens them for writing: none is a symbolic link,
/// all are readable by their owner only, and an existing database holds only Vigil's tables.
///
/// A `storage.path` that points, by mistake or malice, at another application's SQLite file would
/// otherwise be migrated and switched to WAL; a database left readable by others would show the
/// plant's alarm history to every local user.
enum DatabaseFiles {
    /// The suffixes of the files SQLite and Vigil keep beside the database.
    static let companions = ["-wal", "-shm", ".lock"]

    /// Refuses a database, or a file beside it, that is a symbolic link.
    static func refuseLinks(path: String) throws(StoreError) {
        for file in [path] + companions.map({ path + $0 }) {
            var status = stat()
            guard lstat(file, &status) == 0 else { continue }
            guard status.st_mode & S_IFMT != S_IFLNK else {
                throw StoreError(
                    operation: "open \(path)",
                    message: "\(file) is a symbolic link; Vigil refuses it (it could lead to another application's "
                        + "database): set storage.path to the real file"
                )
            }
        }
    }

    /// Creates the database file 0600 if it is absent, and brings the mode of the database and its
    /// journals down to 0600.
    static func prepare(path: String) throws(StoreError) {
        // SQLite gives -wal and -shm the database's own mode, so a database made 0600 keeps them so
        // whatever the umask.
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(
                operation: "open \(path)",
                message: "cannot open: \(String(cString: strerror(errno)))"
            )
        }
        defer { close(fd) }
        restrict(fd, path)
        for suffix in ["-wal", "-shm"] {
            let companion = open(path + suffix, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if companion >= 0 {
                restrict(companion, path + suffix)
                close(companion)
            }
        }
    }

    /// Sets an open file to mode 0600 (a file someone else owns is left as it is).
    static func restrict(_ fd: Int32, _ path: String) {
        _ = fchmod(fd, 0o600)
    }

    /// Refuses a database that holds tables Vigil's migrations do not create: it is another
    /// application's, or a newer Vigil's. Read-only, so nothing is changed in a refused file.
    static func checkTables(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.readonly = true
        let tables: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            tables = try queue.read { db in
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            }
        } catch {
            throw StoreError("check \(path)", error)
        }
        let unknown = tables.filter { !Schema.tables.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let shown = unknown.prefix(8).map { String($0.prefix(64)).debugDescription }.joined(separator: ", ")
            throw StoreError(
                operation: "open \(path)",
                message: "the database holds tables Vigil does not know (\(shown)): it is not Vigil's database, or "
                    + "a newer Vigil's; Vigil leaves it untouched"
            )
        }
    }
}
