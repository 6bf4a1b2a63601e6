internal import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<database>.lock`, held while an `EventStore` is open: a second daemon on
/// the same state refuses to start instead of becoming a second writer (which Debian's SQLite 3.40
/// WAL-reset bug makes dangerous). The kernel drops the lock when the process dies, even by SIGKILL.
final class DatabaseLock: Sendable {
    private let descriptor: Mutex<Int32>
    /// The lock file.
    let path: String

    init(database: String) throws(StoreError) {
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(
                operation: "lock \(database)",
                message: "cannot open \(path): \(String(cString: strerror(errno)))"
            )
        }
        // A lock just released can still be held for a moment by a child process another thread is
        // spawning (it holds a copy of the descriptor until its exec closes it): try for a second
        // before calling the database taken.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && attempts < 20 {
            attempts += 1
            usleep(50_000)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK {
                throw StoreError(
                    operation: "lock \(database)",
                    message: "another Vigil is already running on this database (\(path) is locked); "
                        + "only one daemon may use one database"
                )
            }
            throw StoreError(
                operation: "lock \(database)",
                message: "flock \(path): \(String(cString: strerror(reason)))"
            )
        }
        // 0600 whatever the umask it was created under.
        DatabaseFiles.restrict(fd, path)
        descriptor = Mutex(fd)
    }

    /// Releases the lock (idempotent).
    func release() {
        descriptor.withLock { fd in
            if fd >= 0 {
                close(fd)
                fd = -1
            }
        }
    }

    deinit { release() }
}
