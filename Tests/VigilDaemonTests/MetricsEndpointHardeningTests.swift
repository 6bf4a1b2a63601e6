import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilStore
import VigilTestSupport

/// The metrics endpoint under attack from the same machine: idle connections by the hundred, held
/// open, and a port taken before Vigil starts (issue 12, failure 1).
@Suite(.serialized) struct MetricsEndpointHardeningTests {
    /// Publishes `count` stamped readings of `asset` and waits until the database counts them all.
    func feed(_ broker: MosquittoBroker, asset: String, count: Int, database: String) async throws -> Int {
        let plant = MQTTClient(
            options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant-\(asset)"),
            logger: .test("plant")
        )
        let start = Timestamp(seconds: Date().timeIntervalSince1970 - 600)
        try await withRunningClient(plant) {
            for index in 0..<count {
                try await plant.publish(
                    topic: "test/\(asset)/x",
                    payload: reading(20 + Double(index % 3), at: start + .seconds(index)),
                    qos: 1,
                    retain: false
                )
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        var counted = 0
        while ContinuousClock.now < deadline {
            counted = (try? EventReader.open(path: database).readingCounts()[asset]) ?? 0
            if counted >= count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return counted
    }

    @Test(.timeLimit(.minutes(3)))
    func hundredsOfIdleConnectionsUnderATightDescriptorLimitNeitherStopIngestionNorTheEndpoint() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            // 128 descriptors for the whole daemon: 400 idle connections would exhaust them.
            let daemon = try DaemonProcess.start(
                in: directory,
                brokerPort: broker.port,
                clientID: "vigil-emfile",
                assets: jsonFleet,
                launcher: ["/usr/bin/prlimit", "--nofile=128:128"]
            )
            defer { daemon.terminate() }
            #expect(try await daemon.waitUntilConnected(), "\(daemon.log.suffix(2000))")
            var connections: [Int32] = []
            for _ in 0..<400 {
                let fd = openIdleConnection(port: daemon.metricsPort)
                if fd >= 0 { connections.append(fd) }
            }
            defer { connections.forEach { close($0) } }
            try await Task.sleep(for: .seconds(2))
            #expect(daemon.process.isRunning, "vigil run died: \(daemon.log.suffix(2000))")
            // Ingestion goes on while the connections are held.
            let counted = try await feed(broker, asset: "pump-1", count: 50, database: daemon.database)
            #expect(counted == 50, "\(daemon.log.suffix(2000))")
            #expect(daemon.process.isRunning)
            // Once the idle ones are gone, the endpoint answers again.
            connections.forEach { close($0) }
            connections = []
            let figures = try await scrape(port: daemon.metricsPort) { $0.value("vigil_readings_accepted_total") == 50 }
            #expect(figures.value("vigil_readings_accepted_total") == 50)
            let status = await daemon.stop()
            #expect(status.flatMap(ChildProcess.exitCode) == 0, "\(daemon.log.suffix(2000))")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anIdleConnectionIsClosedByTheEndpoint() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            let daemon = try DaemonProcess.start(
                in: directory,
                brokerPort: broker.port,
                clientID: "vigil-idle",
                assets: jsonFleet
            )
            defer { daemon.terminate() }
            #expect(try await daemon.waitUntilConnected())
            let connections = (0..<20).map { _ in openIdleConnection(port: daemon.metricsPort) }
            defer { connections.forEach { close($0) } }
            #expect(connections.allSatisfy { $0 >= 0 })
            // Idle connections are closed by the server (its idle timeout is 5 s); none is held.
            var closed = 0
            for fd in connections where await peerClosed(fd, within: .seconds(15)) { closed += 1 }
            #expect(closed == connections.count, "\(closed) of \(connections.count) closed by the endpoint")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aPortTakenBeforeVigilStartsIsAClearErrorBeforeAnythingElse() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await MosquittoBroker.withBroker { broker in
            // Another process listens on the metrics port first.
            let port = Int(try FreePort.find())
            let holder = try ChildProcess(
                executable: "/usr/bin/python3",
                arguments: [
                    "-c",
                    "import socket,time;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
                        + "s.bind(('127.0.0.1',\(port)));s.listen();time.sleep(120)",
                ]
            )
            defer { holder.signal(SIGKILL) }
            while !FreePort.isAccepting(port: Int32(port)) { try await Task.sleep(for: .milliseconds(50)) }
            let status = Collector(port: broker.port, filters: ["vigil/status"], id: "status-watch")
            let (exit, seen) = try await status.run {
                let daemon = try DaemonProcess.start(
                    in: directory,
                    brokerPort: broker.port,
                    clientID: "vigil-busy",
                    metricsPort: port,
                    assets: jsonFleet
                )
                let exit = await daemon.process.exit(within: .seconds(30))
                try await Task.sleep(for: .milliseconds(500))
                return (exit, status.messages)
            }
            let log = (try? String(contentsOf: directory.appendingPathComponent("vigil.log"), encoding: .utf8)) ?? ""
            #expect(exit.flatMap(ChildProcess.exitCode) == 1, "\(log)")
            #expect(log.contains("metrics.port"), "\(log)")
            #expect(log.contains("127.0.0.1:\(port) is already in use"), "\(log)")
            // It stopped before connecting: it never said online.
            #expect(!seen.contains { $0.payload == Array("online".utf8) }, "Vigil went online first")
        }
    }
}
