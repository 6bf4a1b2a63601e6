import ArgumentParser
import Logging

/// Bootstraps swift-log once for the process: lines on standard error, which systemd's journal
/// collects.
enum LoggingSetup {
    static func bootstrap(level text: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("unknown log level '\(text)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "vigil")
    }
}
