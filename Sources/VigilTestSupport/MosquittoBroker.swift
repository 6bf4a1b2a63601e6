public import Foundation

/// A real mosquitto broker on 127.0.0.1 and a free port, started for a test and stopped after it.
///
/// ```swift
/// try await MosquittoBroker.withBroker { broker in
///     // connect to 127.0.0.1:broker.port
/// }
/// ```
///
/// `@unchecked Sendable`: the process handle is only touched under `lock`.
public final class MosquittoBroker: @unchecked Sendable {
    /// The port the broker listens on.
    public let port: Int32
    /// The folder holding its config, log and persistence file.
    public let directory: URL
    private let lock = NSLock()
    private var process: ChildProcess?

    /// Errors starting the broker.
    public struct StartError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// Starts a broker with the given extra configuration lines.
    public init(extraConfiguration: String = "", persistence: Bool = false, start: Bool = true) throws {
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lines = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 0",
            "log_dest stdout",
        ]
        if persistence {
            // The documented configuration: the state is saved after every change, so a broker
            // killed with SIGKILL comes back with every reading it had acknowledged.
            lines += [
                "persistence true", "persistence_location \(directory.path)/", "autosave_on_changes true",
                "autosave_interval 1",
            ]
        }
        lines.append(extraConfiguration)
        try lines.joined(separator: "\n").write(to: configURL, atomically: true, encoding: .utf8)
        // mosquitto drops root privileges to its own user, which must be able to write here.
        try? FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        if start { try self.start() }
    }

    /// Runs `body` with a started broker and stops the broker afterwards, also on error.
    public static func withBroker<T>(
        extraConfiguration: String = "",
        persistence: Bool = false,
        _ body: (MosquittoBroker) async throws -> T
    ) async throws -> T {
        let broker = try MosquittoBroker(extraConfiguration: extraConfiguration, persistence: persistence)
        defer {
            broker.stop()
            broker.removeFiles()
        }
        return try await body(broker)
    }

    private var configURL: URL { directory.appendingPathComponent("mosquitto.conf") }

    /// The mosquitto executable: `MOSQUITTO` from the environment, else Debian's path.
    public static var executable: String {
        ProcessInfo.processInfo.environment["MOSQUITTO"] ?? "/usr/sbin/mosquitto"
    }

    /// Starts (or restarts) the broker process on the same port and waits until it accepts connections.
    public func start() throws {
        let process = try ChildProcess(
            executable: Self.executable,
            arguments: ["-c", configURL.path],
            outputPath: directory.appendingPathComponent("stdout.log").path
        )
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if FreePort.isAccepting(port: port) { return }
            guard process.isRunning else {
                throw StartError(description: "mosquitto exited at start; see \(directory.path)")
            }
            usleep(20_000)
        }
        throw StartError(description: "mosquitto did not accept connections on \(port) within 10 s")
    }

    /// Stops the broker gracefully (SIGTERM) and waits for it to exit.
    public func stop() {
        guard let process = lock.withLock({ self.process }) else { return }
        process.signal(SIGTERM)
        if process.wait(timeout: .seconds(10)) == nil {
            process.signal(SIGKILL)
            process.wait()
        }
        lock.withLock { self.process = nil }
    }

    /// Kills the broker with SIGKILL and waits for it to exit.
    public func kill() {
        guard let process = lock.withLock({ self.process }) else { return }
        process.signal(SIGKILL)
        process.wait()
        lock.withLock { self.process = nil }
    }

    /// Deletes the broker's folder.
    public func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}
