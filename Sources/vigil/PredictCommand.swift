import ArgumentParser
import Foundation
import VigilModel
import VigilPrognosis

/// `vigil predict FILE --model MODEL`: remaining useful life of every unit of a file.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Estimate the remaining useful life of every unit in a file at its last step.",
        discussion: """
            Writes one `engine_id,predicted_rul` row per unit (in the order the units appear), in steps of \
            the model (cycles for C-MAPSS). With --interval, two more columns give the interval the \
            model's calibration draws around each estimate (empty upper bound: unbounded).

            Example:
              vigil predict test_FD001.txt --model fd001.vglm --output FD001.csv
            """
    )

    @Argument(help: "The histories to read (same layout as for training).")
    var file: String

    @Option(name: .shortAndLong, help: "The RUL model file.")
    var model: String

    @Option(name: .shortAndLong, help: "Where to write the CSV (default: standard output).")
    var output: String?

    @Flag(name: .long, help: "Add rul_lower and rul_upper columns.")
    var interval = false

    @OptionGroup var layout: RunLayoutOptions

    func run() throws {
        let loaded: RULModel
        do {
            loaded = RULModel(file: try RULModelFile.read(from: model))
        } catch {
            printError("vigil: \(model): \(error)")
            throw ExitCode.failure
        }
        let histories: RunHistories
        let columns: [Int]
        do {
            var reader = layout.reader
            // A CSV needs the model's setting columns named; the model knows them.
            if reader.settingColumns.isEmpty { reader.settingColumns = loaded.file.rul.settings }
            histories = try reader.read([file])
            columns = try histories.indices(of: loaded.columns)
        } catch {
            printError("vigil: \(error)")
            throw ExitCode.failure
        }
        let estimates = loaded.estimate(
            histories.units.map { unit in unit.values.map { row in columns.map { row[$0] } } }
        )
        var text = interval ? "engine_id,predicted_rul,rul_lower,rul_upper\n" : "engine_id,predicted_rul\n"
        for (unit, estimate) in zip(histories.units, estimates) {
            text += "\(unit.unit),\(String(format: "%.2f", estimate.value))"
            if interval {
                text +=
                    ",\(String(format: "%.2f", estimate.lower)),\(estimate.upper.map { String(format: "%.2f", $0) } ?? "")"
            }
            text += "\n"
        }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("vigil: \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        } else {
            print(text, terminator: "")
        }
    }
}
