import ArgumentParser
import VigilDaemon

/// The `vigil` command: the daemon and the operator's tools around it.
@main
struct VigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Anomaly and fault-prediction daemon for industrial MQTT gateways.",
        discussion: """
            Vigil subscribes to sensor topics on an MQTT broker, learns each machine's normal behaviour, \
            scores every reading, records alarms in SQLite and publishes alerts back to the broker.

            Start with `vigil config check FILE`, run the daemon with `vigil run --config FILE`, and read \
            the history with `vigil events`. `vigil simulate` publishes a small simulated plant for trying \
            it out. Exit status 0 means success, 1 a failure, 64 bad arguments, 78 a bad configuration.
            """,
        version: Daemon.version,
        subcommands: [
            RunCommand.self, StatusCommand.self, EventsCommand.self, AcceptCommand.self, ReplayCommand.self,
            ConfigCommand.self,
            SimulateCommand.self,
            ModelCommand.self, KeyCommand.self, BenchCommand.self,
            LabelCommand.self, TrainCommand.self, PredictCommand.self,
        ]
    )
}

/// Options shared by commands that log.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Least severe log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"
}

/// The exit status for an unusable configuration (sysexits EX_CONFIG), which systemd does not retry
/// endlessly with `RestartPreventExitStatus=78`.
let configurationExitCode = ExitCode(78)
