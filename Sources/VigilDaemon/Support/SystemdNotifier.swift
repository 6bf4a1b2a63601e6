internal import Foundation

#if canImport(Glibc)
internal import Glibc
#endif

/// Speaks systemd's notification protocol without libsystemd: datagrams of `KEY=VALUE` lines to
/// the socket named by `NOTIFY_SOCKET` (a path, or an abstract name starting with `@`).
public struct SystemdNotifier: Sendable {
    /// The socket path, or nil when not started by systemd with `Type=notify`.
    public let socketPath: String?
    /// The watchdog interval from `WATCHDOG_USEC`, if the unit sets `WatchdogSec`.
    public let watchdogInterval: Duration?

    /// The settings of this process's environment.
    public static func fromProcessEnvironment() -> SystemdNotifier {
        SystemdNotifier(environment: ProcessInfo.processInfo.environment)
    }

    /// Reads the settings from an environment.
    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let ownPID = environment["WATCHDOG_PID"].flatMap(Int32.init)
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
            ownPID == nil || ownPID == getpid()
        {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends a notification such as `READY=1`; a no-op without a socket.
    /// - Returns: whether the datagram was sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
                }
            }
        }
        return sent == bytes.count
    }
}
