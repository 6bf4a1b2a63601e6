internal import Foundation

#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// A child process started with `posix_spawn`, with every signal unblocked and at its default
/// action, so that SIGTERM and SIGINT reach it.
///
/// Foundation's `Process` passes on the signal mask of the thread that starts it; under the test
/// runner that mask blocks SIGTERM and SIGINT, so a broker or daemon started that way cannot be
/// stopped gracefully. Used for mosquitto and for the `vigil` executable in end-to-end tests.
public final class ChildProcess: Sendable {
    /// The process id.
    public let pid: pid_t

    /// Errors starting or signalling a child.
    public struct SpawnError: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// Starts `executable` with `arguments`; stdout and stderr go to `outputPath` (appended) or
    /// /dev/null.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        outputPath: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let output = outputPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env: [UnsafeMutablePointer<CChar>?]
        if let environment {
            env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            var inherited: [UnsafeMutablePointer<CChar>?] = []
            var cursor = environ
            while let entry = cursor.pointee {
                inherited.append(strdup(entry))
                cursor += 1
            }
            env = inherited + [nil]
        }
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        guard rc == 0 else { throw SpawnError(description: "posix_spawn \(executable): errno \(rc)") }
        self.pid = pid
    }

    /// Sends a signal.
    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Whether the process is still running (not yet reaped).
    public var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Waits up to `timeout` for the process to exit and returns its wait status, or nil on time-out.
    @discardableResult
    public func wait(timeout: Duration = .seconds(30)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid || rc == -1 { return status }
            usleep(10_000)
        }
        return nil
    }

    /// The exit code in a wait status, or nil when the process was killed by a signal.
    public static func exitCode(_ status: Int32) -> Int32? {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : nil
    }

    /// The signal that killed the process, from a wait status.
    public static func terminatingSignal(_ status: Int32) -> Int32? {
        let signal = status & 0x7F
        return signal != 0 && signal != 0x7F ? signal : nil
    }
}

extension ChildProcess {
    /// Runs `executable` to completion without blocking a thread of the cooperative pool (which the
    /// daemon under test may need meanwhile); returns its exit code and its combined output.
    ///
    /// The exit code is nil when the process was killed by a signal, ran past `timeout`, or was
    /// reaped by someone else: Foundation's `Process`, used by other tests in the same process,
    /// reaps children it did not start. Assert on the output, which is complete in every case.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32?, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-child-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(executable: executable, arguments: arguments, outputPath: outputPath)
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var code: Int32?
        while ContinuousClock.now < deadline {
            let rc = waitpid(child.pid, &status, WNOHANG)
            if rc == child.pid {
                code = exitCode(status)
                break
            }
            if rc == -1 && kill(child.pid, 0) == -1 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if code == nil && kill(child.pid, 0) == 0 { child.signal(SIGKILL) }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (code, output)
    }
}
