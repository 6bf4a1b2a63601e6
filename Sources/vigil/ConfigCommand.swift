import ArgumentParser
import VigilConfig
import VigilDaemon

/// `vigil config`: configuration tools.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or print it with every default filled in.",
        subcommands: [Check.self, Show.self]
    )

    /// `vigil config check FILE`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a configuration file and exit 0 if the daemon would accept it.",
            discussion: """
                Reports the first problem as FILE:LINE:COLUMN: key.path: message and exits 78. Checks the \
                password file's permissions too, when one is named.
                """
        )

        @Argument(help: "The YAML configuration file.")
        var file: String

        func run() throws {
            do {
                let configuration = try ConfigLoader.load(path: file)
                if let passwordFile = configuration.broker.passwordFile {
                    _ = try SecretFile.read(passwordFile)
                }
                if let passwordFile = configuration.broker.publishPasswordFile {
                    _ = try SecretFile.read(passwordFile, key: "broker.publish_password_file")
                }
                _ = try PrognosisModels.load(configuration, file: file)
                let signals = configuration.assets.reduce(0) { $0 + $1.signals.count }
                print("\(file): ok (\(configuration.assets.count) asset entries, \(signals) signal topics)")
            } catch {
                printError("\(error)")
                throw configurationExitCode
            }
        }
    }

    /// `vigil config show FILE`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the effective configuration (defaults filled in) as YAML.",
            discussion: "The broker password never appears: only the path of its password_file does."
        )

        @Argument(help: "The YAML configuration file.")
        var file: String

        func run() throws {
            do {
                print(try ConfigLoader.load(path: file).yaml(), terminator: "")
            } catch {
                printError("\(error)")
                throw configurationExitCode
            }
        }
    }
}
