public import Foundation

/// Paths of the repository the tests run in, and a way to run its tools.
public enum Repository {
    /// The repository root (found from this file's path).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `vigil` executable: `VIGIL_BIN`, else `.build/debug/vigil`.
    public static var vigilBinary: String {
        ProcessInfo.processInfo.environment["VIGIL_BIN"] ?? root.appendingPathComponent(".build/debug/vigil").path
    }

    /// A fresh temporary folder.
    public static func temporaryDirectory(_ prefix: String = "vigil-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The outcome of a finished command.
public struct CommandResult: Sendable {
    /// Exit status.
    public var status: Int32
    /// Standard output.
    public var output: String
    /// Standard error.
    public var error: String
}

/// Runs a short command to completion and captures its output.
public func runCommand(_ executable: String, _ arguments: [String], input: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes fully before waiting, so a chatty command cannot fill a pipe and block.
    let errorBox = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errorBox.data = error.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let errorData = errorBox.data
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        output: String(decoding: outputData, as: UTF8.self),
        error: String(decoding: errorData, as: UTF8.self)
    )
}

/// Validates JSON or YAML documents against one of the repository's JSON Schemas with
/// `scripts/check-schema.py` (Python's jsonschema).
public enum SchemaCheck {
    /// Validates JSON documents, one per element; returns the checker's output on failure, nil when valid.
    public static func problems(schema: String, jsonDocuments: [String]) throws -> String? {
        let result = try runCommand(
            "/usr/bin/env",
            [
                "python3", Repository.root.appendingPathComponent("scripts/check-schema.py").path,
                Repository.root.appendingPathComponent("schemas/\(schema)").path, "-",
            ],
            input: jsonDocuments.joined(separator: "\n") + "\n"
        )
        return result.status == 0 ? nil : result.output + result.error
    }

    /// Validates files; returns the checker's output on failure, nil when valid.
    public static func problems(schema: String, files: [String]) throws -> String? {
        let result = try runCommand(
            "/usr/bin/env",
            [
                "python3", Repository.root.appendingPathComponent("scripts/check-schema.py").path,
                Repository.root.appendingPathComponent("schemas/\(schema)").path,
            ] + files
        )
        return result.status == 0 ? nil : result.output + result.error
    }
}

/// Carries data out of a dispatch block; `@unchecked Sendable` because the DispatchGroup's wait
/// orders the write before the read.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
