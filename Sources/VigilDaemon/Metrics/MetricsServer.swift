internal import Foundation
public import Logging
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A small HTTP/1.1 server for one resource on a loopback port, with every resource bounded: at
/// most `maxConnections` clients at once (the rest wait in the kernel's listen queue, costing no
/// descriptor), each closed after `idleTimeout` without a complete request or while a response
/// cannot be written, requests of at most `maxRequestBytes`, and one request per connection.
///
/// One thread owns every socket and waits in `poll(2)`; the body of a response is made by the
/// caller of `requests` (an async task) and handed back with `respond(to:with:)`. Running out of
/// descriptors (`EMFILE`) only pauses accepting for a second: nothing here ends the daemon. The
/// listening socket is bound in `init`, so a port that is taken is an error at start.
///
/// `@unchecked Sendable`: the sockets and client table are touched only by the server's thread;
/// what other threads hand over (responses, stopping) goes through `shared`, a `Mutex`.
public final class MetricsServer: @unchecked Sendable {
    /// Most clients served at once.
    public static let maxConnections = 16
    /// How long a client may take to send its request, or to take its response.
    public static let idleTimeout = Duration.seconds(5)
    /// How long a complete request may wait for its body (the daemon's own work, not the client's).
    public static let renderTimeout = Duration.seconds(30)
    /// The largest request read.
    public static let maxRequestBytes = 8192

    /// A request for the resource, waiting for its body.
    public struct Request: Sendable, Hashable {
        let id: Int
    }

    /// The address and port served.
    public let address: String
    /// The port.
    public let port: Int
    /// Requests for the resource, in order; answer each with `respond(to:with:)`.
    public let requests: AsyncStream<Request>

    private let path: String
    private let logger: Logger
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let requestContinuation: AsyncStream<Request>.Continuation
    private let shared = Mutex(Shared())

    private struct Shared {
        var responses: [Int: [UInt8]] = [:]
        var stopping = false
    }

    private struct Client {
        var fd: Int32
        var deadline: ContinuousClock.Instant
        var received: [UInt8] = []
        var response: [UInt8]?
        var written = 0
        var waitingForBody = false
    }

    /// Binds `address:port` (a loopback literal or `localhost`) and starts listening.
    /// - Throws: `MetricsEndpointError`, with `.portInUse` when another process holds the port.
    public init(address: String, port: Int, path: String = "/metrics", logger: Logger) throws(MetricsEndpointError) {
        self.address = address
        self.port = port
        self.path = path
        self.logger = logger
        listener = try Self.listen(address: address, port: port)
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0, Self.configure(pipeFDs[0]), Self.configure(pipeFDs[1]) else {
            close(listener)
            throw MetricsEndpointError(address: address, port: port, message: "pipe2: \(Self.errorText())")
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        (requests, requestContinuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .unbounded)
    }

    deinit {
        close(listener)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Serves on a thread of its own until `stop()`; returns when that thread has closed every client.
    public func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                serve()
                done.resume()
            }
            thread.name = "vigil-metrics"
            thread.start()
        }
    }

    /// Hands the response body for `request` to the server thread.
    public func respond(to request: Request, with body: [UInt8], contentType: String) {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        shared.withLock { $0.responses[request.id] = Array(head.utf8) + body }
        wake()
    }

    /// Stops serving: the thread closes the listener's clients and `run()` returns.
    public func stop() {
        shared.withLock { $0.stopping = true }
        requestContinuation.finish()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - The server thread

    private func serve() {
        var clients: [Int: Client] = [:]
        var nextID = 0
        var acceptPausedUntil: ContinuousClock.Instant?
        var descriptors: [pollfd] = []
        while !shared.withLock({ $0.stopping }) {
            let now = ContinuousClock.now
            if let until = acceptPausedUntil, now >= until { acceptPausedUntil = nil }
            // Responses made since the last turn.
            let responses = shared.withLock { shared in
                defer { shared.responses = [:] }
                return shared.responses
            }
            for (id, response) in responses where clients[id] != nil {
                clients[id]?.response = response
                clients[id]?.deadline = now + Self.idleTimeout
            }
            // Clients past their deadline.
            for (id, client) in clients where client.deadline <= now {
                close(client.fd)
                clients[id] = nil
            }
            let accepting = clients.count < Self.maxConnections && acceptPausedUntil == nil
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            descriptors.append(pollfd(fd: accepting ? listener : -1, events: Int16(POLLIN), revents: 0))
            let order = clients.keys.sorted()
            for id in order {
                let client = clients[id]!
                let events = client.response != nil ? POLLOUT : (client.waitingForBody ? 0 : POLLIN)
                descriptors.append(pollfd(fd: client.fd, events: Int16(events), revents: 0))
            }
            var wait = clients.values.map(\.deadline).min().map { $0 - now } ?? .seconds(1)
            if let until = acceptPausedUntil { wait = min(wait, until - now) }
            let timeout = Int32(
                clamping: max(1, wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
            )
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            guard ready > 0 else {
                if ready < 0 && errno != EINTR {
                    logger.error("Metrics endpoint: poll failed", metadata: ["metrics.error": "\(Self.errorText())"])
                    usleep(100_000)
                }
                continue
            }
            if descriptors[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            if accepting && descriptors[1].revents != 0 {
                let fd = accept(listener, nil, nil)
                if fd >= 0, !Self.configure(fd) {
                    close(fd)
                } else if fd >= 0 {
                    nextID += 1
                    clients[nextID] = Client(fd: fd, deadline: now + Self.idleTimeout)
                } else if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    // Out of descriptors or memory: the daemon goes on; accepting resumes in a second.
                    logger.warning(
                        "Metrics endpoint cannot accept a connection; retrying in 1 s",
                        metadata: ["metrics.error": "\(Self.errorText())"]
                    )
                    acceptPausedUntil = now + .seconds(1)
                }
            }
            for (position, id) in order.enumerated() {
                let revents = descriptors[position + 2].revents
                guard revents != 0, var client = clients[id] else { continue }
                let keep: Bool
                if client.response != nil {
                    keep = writeSome(&client)
                } else {
                    keep = readSome(&client, id: id)
                }
                if keep {
                    clients[id] = client
                } else {
                    close(client.fd)
                    clients[id] = nil
                }
            }
        }
        for client in clients.values { close(client.fd) }
    }

    /// Reads what the client sent; once the request is complete, answers it or asks for its body.
    /// Returns false when the connection is to be closed.
    private func readSome(_ client: inout Client, id: Int) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = read(client.fd, &buffer, buffer.count)
        guard count > 0 else { return count < 0 && (errno == EAGAIN || errno == EINTR) }
        client.received += buffer[0..<count]
        guard let end = Self.headerEnd(client.received) else {
            guard client.received.count <= Self.maxRequestBytes else {
                client.response = Self.plain(431, "Request Header Fields Too Large")
                return true
            }
            return true
        }
        let line = client.received[..<end].split(separator: UInt8(ascii: "\r"), maxSplits: 1).first ?? []
        let parts = line.split(separator: UInt8(ascii: " "))
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else {
            client.response = Self.plain(400, "Bad Request")
            return true
        }
        guard Array(parts[0]) == Array("GET".utf8) else {
            client.response = Self.plain(405, "Method Not Allowed")
            return true
        }
        let target = parts[1].split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard Array(target) == Array(path.utf8) else {
            client.response = Self.plain(404, "Not Found")
            return true
        }
        client.waitingForBody = true
        client.deadline = ContinuousClock.now + Self.renderTimeout
        requestContinuation.yield(Request(id: id))
        return true
    }

    /// Writes what the socket takes of the response; false once it is all written (or the write failed).
    private func writeSome(_ client: inout Client) -> Bool {
        guard let response = client.response else { return false }
        let count = response[client.written...].withUnsafeBytes { bytes in
            send(client.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
        if count < 0 { return errno == EAGAIN || errno == EINTR }
        client.written += count
        return client.written < response.count
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func plain(_ status: Int, _ reason: String) -> [UInt8] {
        let body = "\(status) \(reason)\n"
        return Array(
            ("HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body).utf8
        )
    }

    // MARK: - Sockets

    /// A listening, non-blocking socket on the address, or the reason it cannot be had.
    private static func listen(address: String, port: Int) throws(MetricsEndpointError) -> Int32 {
        guard (1...65_535).contains(port) else {
            throw MetricsEndpointError(address: address, port: port, message: "port must be 1 to 65535")
        }
        let v6 = address == "::1"
        let fd = socket(
            v6 ? AF_INET6 : AF_INET,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            0
        )
        guard fd >= 0 else {
            throw MetricsEndpointError(address: address, port: port, message: "socket: \(errorText())")
        }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if v6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(port).bigEndian
            socketAddress.sin6_addr = in6addr_loopback
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = UInt16(port).bigEndian
            socketAddress.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard bound == 0 else {
            let reason = errno
            close(fd)
            if reason == EADDRINUSE {
                throw MetricsEndpointError(
                    address: address,
                    port: port,
                    message: "\(address == "localhost" ? "127.0.0.1" : address):\(port) is already in use by another "
                        + "process; stop it, choose another metrics.port, or set metrics.port to 0 to turn the "
                        + "endpoint off",
                    portInUse: true
                )
            }
            throw MetricsEndpointError(address: address, port: port, message: "bind: \(errorText(reason))")
        }
        guard Glibc.listen(fd, 16) == 0 else {
            let reason = errno
            close(fd)
            throw MetricsEndpointError(address: address, port: port, message: "listen: \(errorText(reason))")
        }
        return fd
    }

    /// Makes a descriptor non-blocking and close-on-exec; false if it cannot be.
    private static func configure(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0
    }

    static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
