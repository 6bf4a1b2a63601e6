import Foundation
import Testing
import VigilTestSupport

/// A second `vigil run` on the same state refuses to start, with a message that says why.
@Suite struct SingleInstanceTests {
    @Test func aSecondDaemonOnTheSameDatabaseRefusesToStart() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        let config = directory.appendingPathComponent("vigil.yaml").path
        // No broker is needed: the daemon opens its database before it connects, and keeps retrying.
        try """
        broker:
          host: 127.0.0.1
          port: \(try FreePort.find())
          reconnect_delay: 1s
        storage:
          path: \(database)
        metrics:
          port: 0
        assets:
          - name: pump
            signals:
              - name: x
                topic: "test/pump/x"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("first.log").path
        let first = try ChildProcess(
            executable: Repository.vigilBinary,
            arguments: ["run", "--config", config],
            outputPath: log
        )
        defer {
            first.signal(SIGTERM)
            first.wait(timeout: .seconds(30))
        }
        // Wait until the first daemon has opened (and locked) its database.
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: database + ".lock")
            || !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("Vigil starting") ?? false)
        {
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try await ChildProcess.run(
            Repository.vigilBinary,
            ["run", "--config", config],
            timeout: .seconds(30)
        )
        #expect(second.output.contains("another Vigil is already running on this database"), "\(second.output)")
        #expect(second.status ?? 1 != 0)
        #expect(first.isRunning)
    }
}
