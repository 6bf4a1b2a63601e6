import Foundation
import Synchronization
import VigilCore
import VigilDaemon
import VigilTestSupport

/// The `vigil run` binary on a configuration of its own, for the tests that attack it from outside:
/// its folder, configuration, log and metrics port.
struct DaemonProcess {
    let process: ChildProcess
    let directory: URL
    let config: String
    let metricsPort: Int

    /// The database of the configuration.
    var database: String { directory.appendingPathComponent("vigil.db").path }
    /// What the daemon has logged so far.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("vigil.log"), encoding: .utf8)) ?? ""
    }

    /// Writes `assets` (the YAML after the broker, storage and metrics sections) and starts
    /// `vigil run` on it, through `launcher` when given (e.g. `prlimit --nofile=…`).
    static func start(
        in directory: URL,
        brokerPort: Int32,
        clientID: String,
        metricsPort: Int? = nil,
        assets: String,
        extra: String = "",
        launcher: [String] = [],
        logLevel: String = "info"
    ) throws -> DaemonProcess {
        let port = try metricsPort ?? Int(FreePort.find())
        let config = directory.appendingPathComponent("vigil.yaml").path
        try """
        \(brokerAndStorage(port: brokerPort, database: directory.appendingPathComponent("vigil.db").path, clientID: clientID, metricsPort: port))
        \(extra)
        assets:
        \(assets)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["run", "--config", config, "--log-level", logLevel]
        let process = try ChildProcess(
            executable: launcher.first ?? Repository.vigilBinary,
            arguments: launcher.isEmpty
                ? arguments : Array(launcher.dropFirst()) + [Repository.vigilBinary] + arguments,
            outputPath: directory.appendingPathComponent("vigil.log").path
        )
        return DaemonProcess(process: process, directory: directory, config: config, metricsPort: port)
    }

    /// Waits until the ingest connection is up (from the metrics endpoint); false after 30 s.
    func waitUntilConnected() async throws -> Bool {
        try await scrape(port: metricsPort) { $0.value("vigil_mqtt_connected", ["connection": "ingest"]) == 1 }
            .value("vigil_mqtt_connected", ["connection": "ingest"]) == 1
    }

    /// Stops the daemon with SIGTERM and returns its wait status (nil if it did not stop in 30 s),
    /// without holding a thread of the cooperative pool (in-process daemons and clients need them).
    @discardableResult
    func stop() async -> Int32? {
        process.signal(SIGTERM)
        return await process.exit(within: .seconds(30))
    }

    /// Asks the daemon to stop and does not wait (for `defer`, which cannot await).
    func terminate() {
        process.signal(SIGTERM)
    }
}

extension ChildProcess {
    /// Waits up to `timeout` for the process to exit, sleeping between looks instead of blocking a
    /// thread; returns its wait status, or nil.
    func exit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid || rc == -1 { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// Runs blocking work on a thread of its own, so that the cooperative pool stays free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// The asset entry most attack tests use: a fleet on `test/{asset}/{signal}` with JSON payloads
/// `{"v": value, "ts": epoch ms}` and a quick robust detector.
let jsonFleet = """
      - name: "{asset}"
        tick: 1s
        signals:
          - name: "{signal}"
            topic: "test/{asset}/{signal}"
            value: "$.v"
            time: "$.ts"
            min: -1000
            max: 1000
        detector: {window: 40, warmup: 20, stuck_after: 0}
        alarm: {threshold: 0.99, min_duration: 1, clear_below: 0.9, clear_after: 2, cooldown: 1m}
    """

/// A TCP connection to 127.0.0.1:`port` that the test holds open without sending anything; -1
/// when it cannot be made. The connect does not wait: a server whose listen queue is full leaves
/// it pending, which is still a connection the attacker holds.
func openIdleConnection(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 || errno == EINPROGRESS else {
        close(fd)
        return -1
    }
    return fd
}

/// Whether the peer has closed a connection: a read returns end of file (or a reset) within
/// `timeout`. Looks every 100 ms rather than blocking a thread.
func peerClosed(_ fd: Int32, within timeout: Duration) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 0) == 1 {
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            if count == 0 || (count < 0 && errno != EAGAIN) { return true }
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}

/// A wall clock a test steps: the system time plus an offset.
final class SteppedClock: Sendable {
    let offset = Mutex<Double>(0)

    /// The clock to hand the daemon.
    var wallClock: WallClock {
        WallClock { [self] in Timestamp(seconds: Date().timeIntervalSince1970 + self.offset.withLock { $0 }) }
    }

    /// Steps the clock by `seconds` (negative: back).
    func step(by seconds: Double) { offset.withLock { $0 += seconds } }
}
