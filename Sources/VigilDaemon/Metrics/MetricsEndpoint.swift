internal import FlyingFox
internal import FlyingSocks
internal import Foundation
public import Logging
public import ServiceLifecycle
internal import Synchronization

/// Serves `GET /metrics` in the Prometheus text format on a loopback port.
public struct MetricsService: Service {
    let address: String
    let port: Int
    let read: @Sendable () async -> String
    let logger: Logger

    /// Creates the service; `read` renders the figures at each scrape.
    public init(address: String, port: Int, logger: Logger, read: @escaping @Sendable () async -> String) {
        self.address = address
        self.port = port
        self.read = read
        self.logger = logger
    }

    public func run() async throws {
        let server = HTTPServer(
            address: try MetricsEndpoint.socketAddress(address, port: port),
            timeout: 5,
            logger: .disabled
        )
        let read = self.read
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(
                statusCode: .ok,
                headers: [.contentType: MetricsExposition.contentType],
                body: Data(await read().utf8)
            )
        }
        logger.info("Metrics endpoint listening", metadata: ["metrics.url": "http://\(address):\(port)/metrics"])
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                Task { await server.stop(timeout: 1) }
            }
        } catch {
            // Stopping the server ends its run with an error; only a failure before that is one.
            if stopping.withLock({ $0 }) || Task.isCancelled || error is CancellationError { return }
            throw MetricsEndpointError(address: address, port: port, message: "\(error)")
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

    public var description: String { "metrics endpoint \(address):\(port): \(message)" }
}

/// Reaching the endpoint from `vigil status` and the tests.
public enum MetricsEndpoint {
    /// The Prometheus text served at `http://address:port/metrics`.
    public static func fetch(address: String, port: Int) async throws(MetricsEndpointError) -> String {
        do {
            var client = HTTPClient()
            let request = HTTPRequest(
                method: .GET,
                version: .http11,
                path: "/metrics",
                query: [],
                headers: [.host: "\(address):\(port)"],
                body: Data()
            )
            let response = try await client.sendHTTPRequest(request, to: try socketAddress(address, port: port))
            guard response.statusCode == .ok else {
                throw MetricsEndpointError(address: address, port: port, message: "HTTP \(response.statusCode.code)")
            }
            return String(decoding: try await response.bodyData, as: UTF8.self)
        } catch let error as MetricsEndpointError {
            throw error
        } catch {
            throw MetricsEndpointError(address: address, port: port, message: "\(error)")
        }
    }

    /// The socket address of a loopback host name or literal.
    static func socketAddress(_ address: String, port: Int) throws -> any SocketAddress {
        switch address {
        case "::1": return try sockaddr_in6.inet6(ip6: "::1", port: UInt16(port))
        case "localhost": return try sockaddr_in.inet(ip4: "127.0.0.1", port: UInt16(port))
        default: return try sockaddr_in.inet(ip4: address, port: UInt16(port))
        }
    }
}
