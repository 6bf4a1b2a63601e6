import ArgumentParser
import Foundation
import VigilConfig
import VigilCore
import VigilReplay
import VigilStore

/// `vigil replay`: a CSV file through the daemon's pipeline.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed a CSV file through the same pipeline as the daemon and print a score per row.",
        discussion: """
            Rows are replayed in event time as fast as the CPU allows; the same file and configuration \
            always give the same output. The asset entry (--entry, default the first) of the configuration \
            supplies the detector and alarm settings; its topics are not used. Without --config, Vigil's \
            shipped default is used: examples/univariate.yaml for one signal column, \
            examples/multivariate.yaml for several.

            Formats: nab (timestamp,value), skab (';'-separated, datetime, signals, anomaly, changepoint; the \
            label columns are not fed to the detector) and generic (--time-column, --columns, --separator). \
            Times are ISO 8601 (no zone means UTC) or epoch seconds. The tick is --tick, else the \
            configuration's, else the spacing of the first rows, as the daemon finds it.

            The output has the time as in the input, the values, anomaly_score and, with --label NAME, a \
            column NAME that is 1 while an alarm is open. For NAB input that is NAB's results format.

            With --state FILE a replay can be split: the first part leaves the state a daemon would persist \
            (the detector's model, calibration and recurrent state, and an open alarm) in FILE, and a replay \
            of the following rows with the same --state continues from it, scoring every row as one replay \
            of the whole would.

            Examples:
              vigil replay data/realKnownCause/nyc_taxi.csv --format nab --output nyc_taxi.csv
              vigil replay valve1/0.csv --format skab --label anomaly --events events.jsonl
              vigil replay first-half.csv --state s.json && vigil replay second-half.csv --state s.json
            """
    )

    @Argument(help: "The CSV file.")
    var file: String

    @Option(name: .shortAndLong, help: "The configuration (default: Vigil's shipped default).")
    var config: String?

    @Option(name: .long, help: "The asset entry of the configuration to use (default: the first).")
    var entry: String?

    @Option(name: .long, help: "Input format: nab, skab or generic.")
    var format: String = "generic"

    @Option(name: .long, help: "generic: the time column.")
    var timeColumn: String = "timestamp"

    @Option(name: .long, help: "generic: comma-separated signal columns (default: every other column).")
    var columns: String?

    @Option(name: .long, help: "generic: the field separator.")
    var separator: String = ","

    @Option(
        name: .long,
        help: ArgumentHelp("The tick (default: the configuration's, else the rows' spacing).", valueName: "DURATION")
    )
    var tick: String?

    @Option(name: .long, help: "The asset name in events (default: the file name without extension).")
    var asset: String?

    @Option(name: .shortAndLong, help: "Where the per-row CSV goes (- for standard output).")
    var output: String = "-"

    @Option(name: .long, help: ArgumentHelp("Add a 0/1 alarm column with this name.", valueName: "NAME"))
    var label: String?

    @Option(name: .long, help: "Write the alarm events as JSON lines to this file (- for standard output).")
    var events: String?

    @Option(name: .long, help: "Also record the alarm events in this SQLite database.")
    var database: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Continue from the state an earlier replay left in this file, if it exists, and leave this replay's state there.",
            valueName: "FILE"
        )
    )
    var state: String?

    @Flag(name: .long, help: "No progress bar even on a terminal.")
    var quiet = false

    func validate() throws {
        guard ["nab", "skab", "generic"].contains(format) else {
            throw ValidationError("--format must be nab, skab or generic")
        }
        guard separator.count == 1 else { throw ValidationError("--separator must be one character") }
        if let tick, ConfigDuration(tick) == nil { throw ValidationError("--tick '\(tick)' is not a duration") }
        if output == "-" && events == "-" { throw ValidationError("--output and --events cannot both be -") }
    }

    func run() async throws {
        let inputFormat: ReplayInputFormat =
            switch format {
            case "nab": .nab
            case "skab": .skab
            default:
                .generic(
                    timeColumn: timeColumn,
                    columns: columns.map { $0.split(separator: ",").map(String.init) } ?? [],
                    separator: Character(separator)
                )
            }
        guard FileManager.default.isReadableFile(atPath: file) else {
            printError("\(file): cannot read the file")
            throw ExitCode(66)
        }
        let table: ReplayTable
        do {
            table = try ReplayTable.read(path: file, format: inputFormat)
        } catch {
            printError("\(error)")
            throw ExitCode(65)
        }
        var profile: AssetProfile
        do {
            let configuration =
                if let config {
                    try ConfigLoader.load(path: config)
                } else {
                    try DefaultConfiguration.load(multivariate: table.columns.count > 1)
                }
            let profiles = configuration.profiles
            if let entry {
                guard let index = configuration.assets.firstIndex(where: { $0.name == entry }) else {
                    printError("\(config ?? "default configuration"): no asset entry named '\(entry)'")
                    throw configurationExitCode
                }
                profile = profiles[index]
            } else {
                profile = profiles[0]
            }
        } catch let error as ConfigError {
            printError("\(error)")
            throw configurationExitCode
        }
        // --tick wins, then the configuration's tick; else the pipeline takes the spacing of the
        // rows, as the daemon takes that of the readings.
        if let tick = tick.flatMap(ConfigDuration.init) { profile.tick = tick.duration }
        let assetName = asset ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var replayer = Replayer(profile: profile, asset: assetName)
        if let state, FileManager.default.fileExists(atPath: state) {
            do {
                let saved = try JSONDecoder().decode(
                    ReplayState.self,
                    from: Data(contentsOf: URL(fileURLWithPath: state))
                )
                guard saved.version == ReplayState.currentVersion else {
                    printError(
                        "\(state): a replay state of version \(saved.version), not \(ReplayState.currentVersion)"
                    )
                    throw ExitCode(65)
                }
                replayer.resume(from: saved)
            } catch let error as DecodingError {
                printError("\(state): not a replay state (\(error))")
                throw ExitCode(65)
            }
        }
        let bar = ProgressBar(total: table.count, enabled: !quiet && isatty(STDERR_FILENO) == 1)
        await replayer.feed(table, rows: 0..<table.count) { bar.update($0) }
        let result = await replayer.finish(table)
        bar.finish()
        if let found = replayer.tickFound, found.configured,
            !TickEstimator.matches(tick: found.tick, spacing: found.spacing)
        {
            printError(
                "\(file): warning: the tick is \(ConfigDuration(found.tick)) but the rows come every \(ConfigDuration(found.spacing))"
            )
        }
        if result.refusedRows > 0 {
            printError(
                "\(file): \(result.refusedRows) rows refused (first: \(result.firstRefusal.map { "\($0)" } ?? "-"))"
            )
        }
        try write(ReplayOutput.csv(table, result, labelColumn: label), to: output)
        if let state {
            try JSONEncoder().encode(replayer.state).write(to: URL(fileURLWithPath: state), options: .atomic)
        }
        if let events {
            let lines = result.events.enumerated().map { EventRecord(id: Int64($0.offset + 1), event: $0.element) }
            try write(lines.rendered(as: .json), to: events)
        }
        if let database {
            let store = try EventStore(path: database)
            var batch = StoreBatch()
            batch.events = result.events
            try await store.record(batch, at: result.events.last?.time ?? Timestamp(milliseconds: 0))
            try store.close()
        }
    }

    private func write(_ text: String, to path: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}

/// A one-line progress bar on standard error, redrawn at most every 1% of the work.
final class ProgressBar {
    let total: Int
    let enabled: Bool
    private var shownPercent = -1

    init(total: Int, enabled: Bool) {
        self.total = max(total, 1)
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != shownPercent else { return }
        shownPercent = percent
        let width = 40
        let filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% (\(done)/\(total) rows)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
