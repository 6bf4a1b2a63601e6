public import Logging
public import ServiceLifecycle
internal import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the signals that are not a request to stop from killing the daemon: SIGHUP, SIGUSR1,
/// SIGUSR2 and SIGALRM are ignored, SIGHUP with a line in the log saying why (their default action
/// is to end the process at once, with no drain).
///
/// Vigil cannot reload its configuration yet, so a SIGHUP (`systemctl reload`, or a terminal that
/// closes) changes nothing; a restart applies a new configuration.
public struct SignalService: Service {
    /// The signals ignored.
    static let ignored: [UnixSignal] = [.sighup, .sigusr1, .sigusr2, .sigalrm]

    let logger: Logger

    /// Creates the service.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Ignores the signals from now on, before the service runs, so that none arriving while the
    /// daemon starts kills it (`vigil run` calls it first).
    public static func ignoreSignals() {
        for unixSignal in ignored { ignore(unixSignal.rawValue) }
    }

    public func run() async {
        let signals = await UnixSignalsSequence(trapping: Self.ignored)
        await cancelWhenGracefulShutdown {
            for await signal in signals {
                if signal == .sighup {
                    logger.notice(
                        "SIGHUP received: Vigil cannot reload its configuration; ignored (restart it to apply a change)"
                    )
                } else {
                    logger.info("Signal ignored", metadata: ["signal": "\(signal)"])
                }
            }
        }
    }
}

/// Sets a signal's disposition to `SIG_IGN` (cannot fail for these signals).
private func ignore(_ number: Int32) {
    _ = signal(number, SIG_IGN)
}
