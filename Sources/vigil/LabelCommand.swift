import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilDaemon

/// `vigil label ASSET failure|repair [--at TIME]`: a maintenance event, sent to the running daemon.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Record that an asset failed or was repaired.",
        discussion: """
            Sends {"asset":ASSET,"event":"failure"|"repair","time":TIME,"id":…,"sent":…,"nonce":…,"topic":…} \
            to the daemon on the configuration's alerts.label_topic, signed with --key like `vigil accept` \
            (an Ed25519 private key whose public key is listed in the daemon's commands.keys), and waits for \
            its answer on <label_topic>/ack. The daemon stores the label; a failure completes a run to \
            failure (and with prognosis.retrain: true starts a retraining of the asset's remaining-life \
            model), a repair starts a new life. A maintenance system can publish the same JSON itself, \
            signed the same way (schemas/label.schema.json). Labels share the commands' rate limits and \
            audit trail (vigil events --kind command).

            TIME is when it happened: a duration ago (2h), an ISO 8601 date-time with a zone, a date or \
            epoch seconds; default now. Exit status 0 when the daemon recorded the label, 1 when it refused \
            (an unknown asset, a missing or wrong signature) or did not answer in time.

            Example:
              vigil label pump-1 failure --at 2026-11-29T08:15:00Z --key ~/.vigil/operator-1.key
            """
    )

    @Argument(help: "The asset, as named in alerts.")
    var asset: String

    @Argument(help: "failure or repair.")
    var event: String

    @Option(name: .long, help: ArgumentHelp("When it happened (default: now).", valueName: "TIME"))
    var at: String?

    @Option(name: .shortAndLong, help: "The daemon's configuration (broker and topics).")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(name: .long, help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 10

    @OptionGroup var sender: SenderOptions

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600")
        }
        guard MaintenanceLabel.Kind(rawValue: event) != nil else {
            throw ValidationError("EVENT must be failure or repair")
        }
        guard NamePolicy.isValid(asset) else { throw ValidationError("'\(asset)' is not an asset name") }
        if let at, TimeArgument.parse(at, now: Timestamp(milliseconds: 0)) == nil {
            throw ValidationError("--at '\(at)' is neither a duration (15m, 24h) nor a timestamp")
        }
    }

    func run() async throws {
        let (configuration, password) = try loadConfiguration(config)
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        let id = BrokerRequest.makeID()
        let label = MaintenanceLabel(
            asset: asset,
            event: MaintenanceLabel.Kind(rawValue: event)!,
            time: at.flatMap { TimeArgument.parse($0, now: now) } ?? now,
            id: id
        )
        let topic = configuration.alerts.labelTopic
        let payload = try sender.seal(
            label.payload(sent: now.milliseconds, nonce: SenderOptions.makeNonce(), topic: topic),
            configuration: configuration,
            tool: "label"
        )
        let login = try sender.login(configuration: configuration, configuredPassword: password, tool: "label")
        let answer = try await BrokerRequest(
            configuration: configuration,
            username: login.username,
            password: login.password,
            purpose: "label"
        ).send(
            payload,
            on: topic,
            id: id,
            timeout: timeout
        )
        guard let answer else {
            printError("label: no answer from the daemon on \(topic)/ack within \(timeout) s")
            throw ExitCode.failure
        }
        guard answer.ok else {
            printError("label: \(answer.detail)")
            throw ExitCode.failure
        }
        print("label: \(answer.detail)")
    }
}
