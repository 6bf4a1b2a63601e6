import Foundation
import Logging
import Testing
import VigilDaemon
import VigilTestSupport

/// The metrics endpoint's own HTTP server: what it answers, and the bound on its connections.
@Suite struct MetricsServerTests {
    /// Runs a server whose resource is "ok" for `body`.
    func withServer<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        let port = Int(try FreePort.find())
        let server = try MetricsServer(address: "127.0.0.1", port: port, logger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask {
                for await request in server.requests {
                    server.respond(to: request, with: Array("ok\n".utf8), contentType: "text/plain")
                }
            }
            defer { server.stop() }
            return try await body(port)
        }
    }

    /// Sends `request` on a new connection and returns the whole answer (on a thread of its own: the
    /// answer is made on the cooperative pool).
    func exchange(_ request: String, port: Int) async -> String {
        await onThread { Self.blockingExchange(request, port: port) }
    }

    static func blockingExchange(_ request: String, port: Int) -> String {
        let fd = openIdleConnection(port: port)
        defer { close(fd) }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&descriptor, 1, 30_000)
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Generous: under the whole suite's load the answer's task may wait for a thread.
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 30_000) == 1 else { break }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test(.timeLimit(.minutes(1)))
    func answersTheResourceAndRefusesEverythingElse() async throws {
        try await withServer { port in
            #expect(await exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", port: port).hasSuffix("\r\n\r\nok\n"))
            #expect(await exchange("GET /metrics?x=1 HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.1 200 OK"))
            #expect(await exchange("GET /other HTTP/1.1\r\n\r\n", port: port).hasPrefix("HTTP/1.1 404"))
            #expect(await exchange("POST /metrics HTTP/1.1\r\n\r\n", port: port).hasPrefix("HTTP/1.1 405"))
            #expect(await exchange("nonsense\r\n\r\n", port: port).hasPrefix("HTTP/1.1 400"))
            let huge = "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000)
            #expect(await exchange(huge, port: port).hasPrefix("HTTP/1.1 431"))
            // Still serving.
            let text = try await MetricsEndpoint.fetch(address: "127.0.0.1", port: port)
            #expect(text == "ok\n")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func holdsAtMostSixteenClientsAndServesAgainWhenTheyGo() async throws {
        try await withServer { port in
            let held = (0..<MetricsServer.maxConnections).map { _ in openIdleConnection(port: port) }
            try await Task.sleep(for: .milliseconds(300))
            // A seventeenth waits in the listen queue: it gets no answer while the sixteen are held.
            let waiting = openIdleConnection(port: port)
            defer { close(waiting) }
            let request = Array("GET /metrics HTTP/1.1\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(waiting, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let early = await onThread {
                var descriptor = pollfd(fd: waiting, events: Int16(POLLIN), revents: 0)
                return poll(&descriptor, 1, 1000)
            }
            #expect(early == 0, "answered beyond the bound")
            held.forEach { close($0) }
            let later = await onThread {
                var descriptor = pollfd(fd: waiting, events: Int16(POLLIN), revents: 0)
                return poll(&descriptor, 1, 30_000)
            }
            #expect(later == 1, "not answered once the others had gone")
        }
    }
}
