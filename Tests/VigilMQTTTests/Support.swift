import Foundation
import Logging
import VigilMQTT

extension Logger {
    /// A logger for tests that prints warnings and above.
    static func test(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel =
            ProcessInfo.processInfo.environment["VIGIL_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }
}

/// Runs `body` while `client.run()` runs in a child task, then shuts the client down.
func withRunning<T: Sendable>(_ clients: [MQTTClient], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in clients {
            group.addTask { try await client.run() }
        }
        do {
            let result = try await body()
            for client in clients { client.shutdown() }
            try await group.waitForAll()
            return result
        } catch {
            for client in clients { client.shutdown() }
            try? await group.waitForAll()
            throw error
        }
    }
}
