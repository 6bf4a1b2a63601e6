import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilDaemon

/// `vigil run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon in the foreground.",
        discussion: """
            Connects to the broker named in the configuration, subscribes to every configured signal topic, \
            and runs until SIGTERM or SIGINT, on which it stops taking readings, drains those already \
            received, publishes pending alerts as far as the broker allows and exits. Under systemd it \
            reports READY=1 once subscribed and pings the watchdog while the pipeline makes progress.
            """
    )

    @Option(name: .shortAndLong, help: "The YAML configuration file.")
    var config: String = "/etc/vigil/vigil.yaml"

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // Before anything else: a SIGHUP or SIGUSR1 must not kill the daemon while it starts.
        SignalService.ignoreSignals()
        let logger = try LoggingSetup.bootstrap(level: logging.logLevel)
        let (configuration, password) = try loadConfiguration(config)
        let models = try loadPrognosisModels(configuration, file: config)
        let publishPassword: String?
        do {
            publishPassword = try configuration.broker.publishPasswordFile.map {
                try SecretFile.read($0, key: "broker.publish_password_file")
            }
        } catch {
            printError("vigil: \(error)")
            throw configurationExitCode
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(
                configuration: configuration,
                password: password,
                publishPassword: publishPassword,
                prognosisModels: models,
                logger: logger
            )
        } catch {
            printError("vigil: \(error)")
            throw ExitCode.failure
        }
        logger.info(
            "Vigil starting",
            metadata: [
                "vigil.version": "\(Daemon.version)", "config": "\(config)",
                "mqtt.broker": "\(configuration.broker.host):\(configuration.broker.port)",
                "store.path": "\(configuration.storage.path)",
            ]
        )
        try await daemon.run()
        let metrics = daemon.metrics.snapshot
        logger.info(
            "Vigil stopped",
            metadata: [
                "pipeline.messages": "\(metrics.messagesReceived)", "pipeline.readings": "\(metrics.readingsAccepted)",
                "pipeline.rejected": "\(metrics.rejectedTotal)", "store.events": "\(metrics.eventsRecorded)",
                "outbox.delivered": "\(metrics.outboxDelivered)",
            ]
        )
    }
}

/// Loads a configuration and the broker password its `password_file` names; on failure prints the
/// located error and exits 78 (EX_CONFIG).
func loadConfiguration(_ path: String) throws -> (VigilConfiguration, password: String?) {
    do {
        let configuration = try ConfigLoader.load(path: path)
        return (configuration, try configuration.broker.passwordFile.map { try SecretFile.read($0) })
    } catch {
        printError("vigil: \(error)")
        throw configurationExitCode
    }
}

/// Reads the remaining-life models a configuration names; on failure prints the located error and
/// exits 78 (EX_CONFIG).
func loadPrognosisModels(_ configuration: VigilConfiguration, file: String) throws -> PrognosisModels {
    do {
        return try PrognosisModels.load(configuration, file: file)
    } catch {
        printError("vigil: \(error)")
        throw configurationExitCode
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered, so that it shows when piped).
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
