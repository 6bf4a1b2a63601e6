import ArgumentParser
import VigilConfig
import VigilDaemon

/// `vigil status`: the running daemon's figures, read from its metrics endpoint.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the running daemon's figures (from its metrics endpoint).",
        discussion: """
            Reads http://ADDRESS:PORT/metrics, as configured in the metrics section, and prints a summary: \
            connections, readings received and rejected by reason, the inbound queue, the outbox, assets by \
            state, detectors and learned models by state, operators' commands, and errors. Exits 1 when the daemon cannot be reached.
            """
    )

    @Option(name: .shortAndLong, help: "The YAML configuration file.")
    var config: String = "/etc/vigil/vigil.yaml"

    @Flag(help: "Print the Prometheus text as served.")
    var raw = false

    func run() async throws {
        let settings: MetricsSettings
        do {
            settings = try ConfigLoader.load(path: config).metrics
        } catch {
            printError("\(error)")
            throw configurationExitCode
        }
        guard settings.port != 0 else {
            printError("vigil status: the metrics endpoint is off in \(config) (metrics.port: 0)")
            throw ExitCode.failure
        }
        let text: String
        do {
            text = try await MetricsEndpoint.fetch(address: settings.address, port: settings.port)
        } catch {
            printError("vigil status: is the daemon running? \(error)")
            throw ExitCode.failure
        }
        if raw {
            print(text, terminator: "")
        } else {
            print(Self.summary(MetricsText(text)))
        }
    }

    /// The human-readable summary of a scrape.
    static func summary(_ metrics: MetricsText) -> String {
        func n(_ name: String, _ labels: [String: String] = [:]) -> String {
            metrics.value(name, labels).map { String(Int($0)) } ?? "-"
        }
        func breakdown(_ name: String, by label: String) -> String {
            let parts = metrics.values(name, by: label).filter { $0.1 != 0 }.sorted { $0.0 < $1.0 }
                .map { "\($0.0) \(Int($0.1))" }
            return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
        }
        /// Every value of a gauge by label, in `order` (the lifecycle), then any other label by name.
        func listing(_ name: String, by label: String, order: [String] = []) -> String {
            metrics.values(name, by: label).sorted {
                (order.firstIndex(of: $0.0) ?? order.count, $0.0) < (order.firstIndex(of: $1.0) ?? order.count, $1.0)
            }
            .map { "\($0.0) \(Int($0.1))" }.joined(separator: ", ")
        }
        let version = metrics.samples.first { $0.name == "vigil_build_info" }?.labels["version"] ?? "?"
        var lines = ["vigil \(version)"]
        for connection in ["ingest", "publish"] {
            let up = metrics.value("vigil_mqtt_connected", ["connection": connection]) == 1 ? "up" : "DOWN"
            lines.append(
                "  \(connection.padding(11))\(up), connects \(n("vigil_mqtt_connects_total", ["connection": connection])), "
                    + "reconnects \(n("vigil_mqtt_reconnects_total", ["connection": connection]))"
            )
        }
        lines += [
            "  messages   received \(n("vigil_messages_received_total")), readings accepted "
                + n("vigil_readings_accepted_total"),
            "  rejected   \(Int(metrics.total("vigil_rejected_total")))\(breakdown("vigil_rejected_total", by: "reason"))",
            "  inbound    \(n("vigil_inbound_queue_depth")) queued and \(n("vigil_inbound_queue_held")) uncommitted "
                + "of \(n("vigil_inbound_queue_capacity")), dropped \(n("vigil_inbound_dropped_total"))",
            "  outbox     \(n("vigil_outbox_pending")) pending, \(n("vigil_outbox_delivered_total")) delivered",
            "  events     \(n("vigil_events_recorded_total")) recorded",
            "  assets     " + listing("vigil_assets", by: "state", order: ["learning", "normal", "alarm"]),
            "  detectors  " + listing("vigil_detectors", by: "detector"),
            "  models     " + listing("vigil_models", by: "state", order: ["learning", "training", "active"]),
            "  commands   accepted \(n("vigil_commands_accepted_total")), refused "
                + "\(Int(metrics.total("vigil_commands_refused_total")))\(breakdown("vigil_commands_refused_total", by: "reason"))",
            "  errors     store \(n("vigil_store_errors_total"))\(breakdown("vigil_store_errors_by_code_total", by: "code")), "
                + "engine \(n("vigil_engine_errors_total")), dead letters dropped \(n("vigil_dead_letters_dropped_total"))",
        ]
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
