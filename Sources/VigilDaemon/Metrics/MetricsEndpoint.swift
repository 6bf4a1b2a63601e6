internal import Foundation
public import Logging
public import ServiceLifecycle

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Serves `GET /metrics` in the Prometheus text format on a loopback port (`MetricsServer`).
///
/// The port is bound when the service is made, so a port another process holds stops `vigil run`
/// at start with `MetricsEndpointError.portInUse`. Once running, nothing that happens on the
/// endpoint (a flood of idle connections, running out of descriptors) ends the service, and so the
/// daemon: its failures are logged and it carries on.
public struct MetricsService: Service {
    let server: MetricsServer
    /// Renders the figures at each scrape.
    var read: @Sendable () async -> String
    let logger: Logger

    /// Binds the endpoint; `read` renders the figures at each scrape.
    /// - Throws: `MetricsEndpointError` when the port cannot be had.
    public init(
        address: String,
        port: Int,
        logger: Logger,
        read: @escaping @Sendable () async -> String
    ) throws(MetricsEndpointError) {
        server = try MetricsServer(address: address, port: port, logger: logger)
        self.read = read
        self.logger = logger
    }

    public func run() async {
        logger.info(
            "Metrics endpoint listening",
            metadata: ["metrics.url": "http://\(server.address):\(server.port)/metrics"]
        )
        let server = self.server
        let read = self.read
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask {
                for await request in server.requests {
                    server.respond(
                        to: request,
                        with: Array(await read().utf8),
                        contentType: MetricsExposition.contentType
                    )
                }
            }
            await withGracefulShutdownHandler {
                await group.next()
            } onGracefulShutdown: {
                server.stop()
            }
            server.stop()
            await group.waitForAll()
        }
    }
}

/// The metrics endpoint could not be served or read.
public struct MetricsEndpointError: Error, CustomStringConvertible, Sendable {
    /// The address.
    public var address: String
    /// The port.
    public var port: Int
    /// What went wrong.
    public var message: String
    /// Whether another process holds the port.
    public var portInUse: Bool

    /// Creates an error.
    public init(address: String, port: Int, message: String, portInUse: Bool = false) {
        self.address = address
        self.port = port
        self.message = message
        self.portInUse = portInUse
    }

    public var description: String {
        portInUse ? "metrics.port: \(message)" : "metrics endpoint \(address):\(port): \(message)"
    }
}

/// Reaching the endpoint from `vigil status` and the tests.
public enum MetricsEndpoint {
    /// The Prometheus text served at `http://address:port/metrics` (a plain HTTP/1.1 GET, 5 s at most).
    public static func fetch(address: String, port: Int) async throws(MetricsEndpointError) -> String {
        // Blocking socket calls on a thread of their own, never on the cooperative pool: an in-process
        // daemon renders the answer on that pool.
        let outcome: Result<String, MetricsEndpointError> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: get(address: address, port: port)) }
            thread.name = "vigil-metrics-client"
            thread.start()
        }
        return try outcome.get()
    }

    private static func get(address: String, port: Int) -> Result<String, MetricsEndpointError> {
        func failure(_ message: String) -> Result<String, MetricsEndpointError> {
            .failure(MetricsEndpointError(address: address, port: port, message: message))
        }
        let v6 = address == "::1"
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return failure("socket: \(MetricsServer.errorText())") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if v6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(clamping: port).bigEndian
            socketAddress.sin6_addr = in6addr_loopback
            connected = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = UInt16(clamping: port).bigEndian
            socketAddress.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            connected = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard connected == 0 else { return failure("connect: \(MetricsServer.errorText())") }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: \(address):\(port)\r\nConnection: close\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return failure("send: \(MetricsServer.errorText())") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                response += buffer[0..<count]
                guard response.count <= 16 << 20 else { return failure("response larger than 16 MiB") }
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return failure("recv: \(MetricsServer.errorText())")
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return failure("not an HTTP response") }
        let status = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        guard status.hasPrefix("HTTP/1.1 200") || status.hasPrefix("HTTP/1.0 200") else {
            return failure("HTTP \(status.dropFirst(9).prefix(40))")
        }
        return .success(String(text[split.upperBound...]))
    }
}
