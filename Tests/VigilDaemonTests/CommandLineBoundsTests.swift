import Foundation
import Testing
import VigilTestSupport

/// Numbers from a user or a file that used to trap the command-line tools (issue 12, failure 6):
/// each must be refused with a clear error and a normal exit status, never a signal.
@Suite struct CommandLineBoundsTests {
    /// Runs `vigil` with `arguments` and returns its result; a time-out counts as a failure.
    func vigil(_ arguments: [String]) async throws -> (status: Int32?, output: String) {
        try await ChildProcess.run(Repository.vigilBinary, arguments, timeout: .seconds(30))
    }

    func expectRefused(
        _ result: (status: Int32?, output: String),
        status: Int32,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            result.status == status,
            "exit \(String(describing: result.status)): \(result.output.prefix(600))",
            sourceLocation: sourceLocation
        )
        #expect(result.output.contains(text), "\(result.output.prefix(600))", sourceLocation: sourceLocation)
    }

    @Test func eventsSinceAnAbsurdDurationIsABadArgument() async throws {
        for since in ["999999999999d", "9223372036854775807ms", "1e300s"] {
            let result = try await vigil(["events", "--database", "/nonexistent/vigil.db", "--since", since])
            expectRefused(result, status: 64, mentioning: "--since")
        }
    }

    @Test func labelAndAcceptRefuseAnAbsurdTimeoutBeforeTheyConnect() async throws {
        for command in [["label", "pump-1", "failure"], ["accept", "pump-1"]] {
            for timeout in ["1e300", "0", "-5", "nan"] {
                let result = try await vigil(command + ["--timeout", timeout, "--config", "/nonexistent.yaml"])
                expectRefused(result, status: 64, mentioning: "--timeout")
            }
        }
    }

    func writeConfig(_ directory: URL, _ text: String) throws -> String {
        let path = directory.appendingPathComponent("vigil.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aDurationOfAHundredMillionDaysInTheConfigurationNamesItsKey() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let asset = "assets:\n  - name: pump\n    signals: [{name: p, topic: plant/p}]\n"
        for (key, text) in [
            ("storage.retention", "broker: {host: h}\nstorage: {retention: 107374182d}\n" + asset),
            ("assets[0].alarm.cooldown", "broker: {host: h}\n" + asset + "    alarm: {cooldown: 107374182d}\n"),
            ("broker.keepalive", "broker: {host: h, keepalive: 99999999999999999999s}\n" + asset),
            ("limits.max_clock_skew", "broker: {host: h}\nlimits: {max_clock_skew: 1e30ms}\n" + asset),
        ] {
            let config = try writeConfig(directory, text)
            let result = try await vigil(["config", "check", config])
            expectRefused(result, status: 78, mentioning: key)
        }
    }

    @Test func replayTimesOfNineQuadrillionSecondsAreRefused() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for rows in [["9e15", "-9e15"], ["-9e15", "9e15"], ["1", "9000000000000000"]] {
            let file = directory.appendingPathComponent("times.csv").path
            try "timestamp,value\n\(rows[0]),1\n\(rows[1]),2\n".write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await vigil(["replay", file, "--format", "nab", "--quiet"])
            expectRefused(result, status: 65, mentioning: "times.csv:")
        }
    }

    @Test func aReplayLineOfSixtyFourMegabytesIsRefusedWithAShortEcho() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("long.csv").path
        var text = "timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:00:01Z,"
        text += String(repeating: "7", count: 64 << 20)
        text += "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        // 1.5 GB of address space: enough for the tool, not for the line copied many times over.
        let result = try await ChildProcess.run(
            "/usr/bin/prlimit",
            ["--as=1500000000", Repository.vigilBinary, "replay", file, "--format", "nab", "--quiet"],
            timeout: .seconds(60)
        )
        #expect(result.status == 65, "exit \(String(describing: result.status)): \(result.output.prefix(600))")
        #expect(result.output.utf8.count < 1000, "\(result.output.utf8.count) bytes of error output")
        #expect(result.output.contains("long.csv:3"), "\(result.output.prefix(600))")
    }

    /// Writes a model file with `header` (JSON) and `dataBytes` bytes of zeros, its SHA-256 correct.
    func craftModel(_ directory: URL, header: String, dataBytes: Int) throws -> String {
        let path = directory.appendingPathComponent("crafted.vgm").path
        let script = """
            import hashlib, struct, sys
            header = sys.stdin.buffer.read()
            body = b"VGLM" + struct.pack("<HHI", 1, 0, len(header)) + header + bytes(\(dataBytes))
            open(sys.argv[1], "wb").write(body + hashlib.sha256(body).digest())
            """
        let result = try runCommand("/usr/bin/python3", ["-c", script, path], input: header)
        #expect(result.status == 0, "\(result.error)")
        return path
    }

    static func header(
        input: String = "1",
        hidden: String = "2",
        layers: String = "1",
        output: String = "1",
        dataBytes: String,
        offset: String = "0",
        shape: String = "[8, 1]"
    ) -> String {
        """
        {"architecture":{"kind":"lstm","input_size":\(input),"hidden_size":\(hidden),"layers":\(layers),\
        "output_size":\(output),"head_activation":"identity"},"loss":"mse",\
        "normalisation":{"signals":["x"],"center":[0],"scale":[1]},\
        "training":{"samples":1,"epochs":1,"best_epoch":1,"validation_loss":0,"seed":1,"trained_at":"x"},\
        "tensors":[{"name":"recurrent.0.weight_ih","shape":\(shape),"dtype":"float32","offset":\(offset)}],\
        "data_bytes":\(dataBytes)}
        """
    }

    @Test func craftedModelHeadersAreRefusedQuicklyWithTheReason() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, header, data) in [
            ("data size Int64.max", Self.header(dataBytes: "9223372036854775807"), 64),
            ("offset Int.max", Self.header(dataBytes: "64", offset: "9223372036854775807"), 64),
            ("input size 2^61", Self.header(input: "2305843009213693952", dataBytes: "64"), 64),
            ("sizes 2^40", Self.header(input: "1099511627776", hidden: "1099511627776", dataBytes: "64"), 64),
            ("shape overflow", Self.header(dataBytes: "64", shape: "[4611686018427387904, 4]"), 64),
            ("hidden 1024 × 4 layers", Self.header(hidden: "1024", layers: "4", dataBytes: "64"), 64),
            ("negative sizes", Self.header(input: "-1", dataBytes: "-64"), 64),
        ] {
            let path = try craftModel(directory, header: header, dataBytes: data)
            let result = try await vigil(["model", "inspect", path])
            expectRefused(result, status: 1, mentioning: "crafted.vgm")
            #expect(result.output.utf8.count < 2000, "\(name): \(result.output.prefix(600))")
        }
    }

    @Test func aYAMLAliasBombIsRefusedWithoutExpandingIt() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1..<30 {
            let previous = "*a\(level - 1)"
            levels.append(
                "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]"
            )
        }
        let bomb = levels.joined(separator: "\n")
        for (label, text) in [
            ("alias as a key", "\(bomb)\n? *a29\n: 1\nbroker: {host: h}\nassets: []\n"),
            ("alias as a key in flow", "\(bomb)\nbroker: {*a29 : 1}\nassets: []\n"),
            ("expanded value", "\(bomb)\nbroker: {host: h}\nassets: *a29\n"),
        ] {
            let config = try writeConfig(directory, text)
            let result = try await vigil(["config", "check", config])
            #expect(result.status == 78, "\(label): exit \(String(describing: result.status))")
            #expect(result.output.contains("alias"), "\(label): \(result.output.prefix(600))")
        }
    }
}
