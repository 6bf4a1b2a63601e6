import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for systemd's notification socket: a bound AF_UNIX datagram socket that collects
/// what a child process sends to `NOTIFY_SOCKET`.
public final class NotifySocket: @unchecked Sendable {
    /// The socket's path, to put in `NOTIFY_SOCKET`.
    public let path: String
    private let fd: Int32

    /// Binds a socket in a fresh temporary folder.
    public init() throws {
        let directory = try Repository.temporaryDirectory("vigil-notify")
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, rc == 0 else {
            throw ChildProcess.SpawnError(description: "cannot bind \(path): errno \(errno)")
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram, or nil after `timeout`.
    public func receive(timeout: Duration) -> String? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        )
        guard poll(&descriptor, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Waits until a datagram containing `line` arrives; returns the datagrams seen before and
    /// including it, or nil on time-out.
    public func waitFor(_ line: String, timeout: Duration) -> [String]? {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            guard let message = receive(timeout: deadline - ContinuousClock.now) else { return nil }
            seen.append(message)
            if message.split(separator: "\n").contains(where: { $0 == line }) { return seen }
        }
        return nil
    }
}
