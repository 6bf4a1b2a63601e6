import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilStore

/// `vigil events`: the alarm history.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print recorded alarm events (raised, updated, cleared).",
        discussion: """
            Reads the daemon's database read-only, so it is safe while the daemon runs. Events are printed \
            oldest first; with --limit, the most recent ones. Times are event times in UTC.

            TIME may be a duration meaning "that long ago" (30s, 15m, 24h, 7d), an ISO 8601 date-time \
            with a zone (2026-11-29T08:00:00Z), a date (2026-11-29, midnight UTC) or epoch seconds.

            Examples:
              vigil events --since 24h --asset pump-1
              vigil events --state raised --format csv > raised.csv
              vigil events --format json | jq .score
            """
    )

    @Option(name: .shortAndLong, help: "The configuration whose storage.path holds the database.")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(name: .long, help: "The database file (instead of reading it from --config).")
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Only events at or after TIME.", valueName: "TIME"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only events before TIME.", valueName: "TIME"))
    var until: String?

    @Option(name: .long, help: "Only this asset.")
    var asset: String?

    @Option(
        name: .long,
        help:
            "Only this kind: anomaly, fault_predicted or sensor_fault; or command for the audit trail of operators' commands."
    )
    var kind: String?

    @Option(name: .long, help: "Only this transition: raised, updated or cleared.")
    var state: String?

    @Option(name: .long, help: "At most this many events (the most recent).")
    var limit: Int = 1000

    @Option(name: .long, help: "Output format: table, json (one object per line) or csv.")
    var format: String = "table"

    func validate() throws {
        guard EventFormat(rawValue: format) != nil else { throw ValidationError("--format must be table, json or csv") }
        guard kind.map({ EventKind(rawValue: $0) != nil || $0 == "command" }) ?? true else {
            throw ValidationError("--kind must be anomaly, fault_predicted, sensor_fault or command")
        }
        if kind == "command", state != nil { throw ValidationError("--state does not apply to --kind command") }
        guard state.map({ AlarmTransition(rawValue: $0) != nil }) ?? true else {
            throw ValidationError("--state must be raised, updated or cleared")
        }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        for (flag, text) in [("--since", since), ("--until", until)] {
            if let text, TimeArgument.parse(text, now: Timestamp(milliseconds: 0)) == nil {
                throw ValidationError(
                    "\(flag) '\(text.prefix(64))' is neither a duration of at most 36500d (15m, 24h) nor a time stamp "
                        + "(ISO 8601, a date, or epoch seconds before the year 5138)"
                )
            }
        }
    }

    func run() throws {
        let path: String
        if let database {
            path = database
        } else {
            do {
                path = try ConfigLoader.load(path: config).storage.path
            } catch {
                printError("vigil: \(error)")
                throw configurationExitCode
            }
        }
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        let query = EventQuery(
            since: since.flatMap { TimeArgument.parse($0, now: now) },
            until: until.flatMap { TimeArgument.parse($0, now: now) },
            asset: asset,
            kind: kind.flatMap(EventKind.init(rawValue:)),
            state: state.flatMap(AlarmTransition.init(rawValue:)),
            limit: limit
        )
        do {
            let reader = try EventReader.open(path: path)
            if kind == "command" {
                // The audit trail: when each command arrived, who sent it, and what came of it.
                print(try reader.commands(query).rendered(as: EventFormat(rawValue: format)!), terminator: "")
                return
            }
            let records = try reader.events(query)
            print(records.rendered(as: EventFormat(rawValue: format)!), terminator: "")
        } catch {
            printError("vigil: \(error)")
            throw ExitCode.failure
        }
    }
}
