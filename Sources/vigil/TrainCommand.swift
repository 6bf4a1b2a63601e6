import ArgumentParser
import Foundation
import VigilModel
import VigilNN
import VigilPrognosis

/// `vigil train`: models trained offline from recorded data.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from recorded data.",
        subcommands: [RUL.self]
    )

    /// `vigil train rul FILES... --output MODEL`.
    struct RUL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rul",
            abstract: "Train a remaining-useful-life model from run-to-failure histories.",
            discussion: """
                Reads the files (C-MAPSS text layout, or CSV with a header: a unit column, a time column, \
                an optional failure column marking each unit's failure row with 1, every other column a \
                signal; a unit without a failure is right-censored), finds the operating regimes from the \
                setting columns, normalises each signal per regime, and trains an ensemble of recurrent \
                models with Vigil's own engine. Each member holds out its own fold of the units; their \
                estimates give the validation RMSE and PHM08 score printed at the end, and the interval \
                stored in the model.

                One step is one row (one cycle for C-MAPSS); the remaining life is counted in steps, \
                capped at --cap. The model also reads each unit's age and the change of its signals since \
                its first --baseline-steps steps, so each unit's history must start at the start of its \
                life (a new or repaired machine), as C-MAPSS's do; for data that starts mid-life, train \
                with --baseline-steps 0 --no-age. The defaults are Vigil's one configuration, the same for \
                every data set (docs/accuracy.md); the advanced options exist to reproduce how it was chosen.

                Example:
                  vigil train rul train_FD001.txt --output fd001.vglm
                """
        )

        @Argument(help: "Run-to-failure history files.")
        var files: [String]

        @Option(name: .shortAndLong, help: "The model file to write.")
        var output: String

        @OptionGroup var layout: RunLayoutOptions

        @Option(name: .long, help: "Members trained at once (default: the number of CPUs).")
        var jobs: Int?

        @Option(name: .long, help: "Steps each estimate reads.")
        var window: Int = RULTrainingSettings().window

        @Option(name: .long, help: "Cap of the piece-wise linear target, in steps.")
        var cap: Double = RULTrainingSettings().cap

        @Option(name: .long, help: "Members of the ensemble (each holds out its own fold).")
        var members: Int = RULTrainingSettings().members

        @Option(name: .long, help: "Most epochs per member.")
        var epochs: Int = RULTrainingSettings().epochs

        @Option(name: .long, help: "Seed of the folds, weights and shuffles.")
        var seed: UInt64 = RULTrainingSettings().seed

        @Option(
            name: .long,
            help: "Steps at the start of each unit's life whose mean is its healthy baseline (0: none; see below)."
        )
        var baselineSteps: Int = RULTrainingSettings().baselineSteps

        @Flag(
            name: .long,
            inversion: .prefixedNo,
            help: "Read the unit's age (steps since its life started) as an input."
        )
        var age: Bool = RULTrainingSettings().age

        @Option(name: .long, help: "Advanced: lstm or gru.")
        var network: String = RULTrainingSettings().kind.rawValue

        @Option(name: .long, help: "Advanced: hidden units per recurrent layer.")
        var hidden: Int = RULTrainingSettings().hidden

        @Option(name: .long, help: "Advanced: recurrent layers.")
        var layers: Int = RULTrainingSettings().layers

        @Option(name: .long, help: "Advanced: widths of the head's hidden layers, comma-separated (0: none).")
        var head: String = RULTrainingSettings().headSizes.map(String.init).joined(separator: ",")

        @Option(name: .long, help: "Advanced: windows per mini-batch.")
        var batchSize: Int = RULTrainingSettings().batchSize

        @Option(name: .long, help: "Advanced: initial learning rate.")
        var learningRate: Double = RULTrainingSettings().learningRate

        @Option(name: .long, help: "Advanced: dropout rate.")
        var dropout: Double = RULTrainingSettings().dropout

        @Option(name: .long, help: "Advanced: epochs without improvement before a member stops.")
        var patience: Int = RULTrainingSettings().patience

        func validate() throws {
            guard (1...1000).contains(window) else { throw ValidationError("--window must be 1 to 1000") }
            guard cap > 0, cap <= 1e6 else { throw ValidationError("--cap must be above 0") }
            guard (1...64).contains(members) else { throw ValidationError("--members must be 1 to 64") }
            guard (1...10_000).contains(epochs) else { throw ValidationError("--epochs must be 1 to 10000") }
            guard RecurrentKind(rawValue: network) != nil else {
                throw ValidationError("--network must be lstm or gru")
            }
            guard (1...1024).contains(hidden), (1...8).contains(layers) else {
                throw ValidationError("--hidden must be 1 to 1024 and --layers 1 to 8")
            }
            guard headSizes != nil else { throw ValidationError("--head must be widths such as 16 or 32,16, or 0") }
            guard (1...4096).contains(batchSize), learningRate > 0, (0..<1).contains(dropout), patience >= 1 else {
                throw ValidationError("--batch-size, --learning-rate, --dropout or --patience is out of range")
            }
            guard jobs.map({ (1...64).contains($0) }) ?? true else { throw ValidationError("--jobs must be 1 to 64") }
            guard (0...1000).contains(baselineSteps) else {
                throw ValidationError("--baseline-steps must be 0 to 1000")
            }
        }

        var headSizes: [Int]? {
            if head == "0" { return [] }
            let sizes = head.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
            return sizes.compactMap { $0 }
        }

        func run() async throws {
            let clock = ContinuousClock()
            let started = clock.now
            let histories: RunHistories
            do {
                histories = try layout.reader.read(files)
            } catch {
                printError("vigil: \(error)")
                throw ExitCode.failure
            }
            let settings = RULTrainingSettings(
                window: window,
                cap: cap,
                kind: RecurrentKind(rawValue: network)!,
                hidden: hidden,
                layers: layers,
                headSizes: headSizes!,
                members: members,
                epochs: epochs,
                batchSize: batchSize,
                learningRate: learningRate,
                dropout: dropout,
                patience: patience,
                baselineSteps: baselineSteps,
                age: age,
                seed: seed
            )
            let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
            printLine(
                "train: \(histories.units.count) units (\(histories.failedUnits) failed), \(histories.rowCount) "
                    + "\(histories.stepUnit)s from \(files.count) file\(files.count == 1 ? "" : "s"); "
                    + "\(members) members, \(min(workers, members)) at a time"
            )
            let trained: (model: RULModel, report: RULTrainer.Report)
            do {
                trained = try await RULTrainer.train(histories, settings: settings, jobs: workers) {
                    printLine("train: \($0)")
                }
            } catch {
                printError("vigil: \(error)")
                throw ExitCode.failure
            }
            let rul = trained.model.file.rul
            do {
                try trained.model.file.write(to: output)
            } catch {
                printError("vigil: \(error)")
                throw ExitCode.failure
            }
            let validation = trained.report.validation
            let regimes = rul.regimes.centroids.count
            printLine(
                "train: inputs \(rul.signals.joined(separator: ",")); \(regimes) operating regime\(regimes == 1 ? "" : "s")"
                    + (rul.settings.isEmpty ? "" : " from \(rul.settings.joined(separator: ","))")
            )
            printLine(
                String(
                    format: "validation: %d held-out units: RMSE %.2f at every %@ (target capped at %g); "
                        + "at one cut per unit RMSE %.2f, PHM08 score %.1f",
                    validation.units,
                    validation.rmse,
                    histories.stepUnit,
                    cap,
                    validation.cutRMSE,
                    validation.cutScore
                )
            )
            let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            let seconds = Double((clock.now - started).components.seconds)
            printLine("train: wrote \(output) (\(size) bytes) in \(Int(seconds)) s")
        }
    }
}

/// How run-history files are laid out (shared by `vigil train rul` and `vigil predict`).
struct RunLayoutOptions: ParsableArguments {
    @Option(name: .long, help: "auto, cmapss or csv.")
    var format: String = RunFileReader.Format.auto.rawValue

    @Option(name: .long, help: "CSV: the unit column.")
    var unitColumn: String = RunFileReader().unitColumn

    @Option(name: .long, help: "CSV: the time column (orders the steps).")
    var timeColumn: String = RunFileReader().timeColumn

    @Option(name: .long, help: "CSV: the failure column (1 on a unit's failure row).")
    var failureColumn: String = RunFileReader().failureColumn

    @Option(name: .long, help: "CSV: operating-setting columns, comma-separated (regimes are found from them).")
    var settings: String?

    func validate() throws {
        guard RunFileReader.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be auto, cmapss or csv")
        }
    }

    var reader: RunFileReader {
        RunFileReader(
            format: RunFileReader.Format(rawValue: format)!,
            unitColumn: unitColumn,
            timeColumn: timeColumn,
            failureColumn: failureColumn,
            settingColumns: settings.map { $0.split(separator: ",").map(String.init) } ?? []
        )
    }
}
