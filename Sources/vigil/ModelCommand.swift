import ArgumentParser
import Foundation
import VigilModel
import VigilNN

/// `vigil model`: model files.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect model files.",
        subcommands: [Inspect.self]
    )

    /// `vigil model inspect FILE`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Check a model file and print its architecture, size and cost per step.",
            discussion: """
                Verifies the file as the daemon does (magic, format version, SHA-256, shapes, finite \
                weights) and exits 1 with the reason if it is refused.
                """
        )

        @Argument(help: "The model file.")
        var file: String

        func run() throws {
            let model: ModelFile
            do {
                model = try ModelFile.read(from: file)
            } catch ModelFileError.wrongTask(found: RULModelFile.task, _) {
                try inspectRUL()
                return
            } catch {
                printError("vigil: \(file): \(error)")
                throw ExitCode.failure
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let architecture = model.architecture
            let lines = [
                "file:           \(file)",
                "format:         VGLM version \(ModelFile.formatVersion), SHA-256 verified",
                "task:           forecast",
                "architecture:   \(architecture.kind.rawValue.uppercased()) \(architecture.layers) × \(architecture.hiddenSize) hidden, \(architecture.inputSize) in, \(architecture.outputSize) out (\(architecture.headActivation.rawValue) head)",
                "loss:           \(model.loss.rawValue)",
                "signals:        \(model.normalisation.signals.joined(separator: ", "))",
                "parameters:     \(model.network.parameterCount)",
                "size:           \(size) bytes",
                "FLOPs per step: \(model.network.flopsPerStep) per stream",
                "trained:        \(model.training.samples) samples, \(model.training.epochs) epochs, best \(model.training.bestEpoch), validation loss \(model.training.validationLoss), seed \(model.training.seed), at \(model.training.trainedAt)",
            ]
            print(lines.joined(separator: "\n"))
        }
    }
}

extension ModelCommand.Inspect {
    /// Prints a remaining-useful-life model file.
    func inspectRUL() throws {
        let model: RULModelFile
        do {
            model = try RULModelFile.read(from: file)
        } catch {
            printError("vigil: \(file): \(error)")
            throw ExitCode.failure
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let rul = model.rul
        let training = rul.training
        let validation = training.validation
        let members = Set(model.members.map { RULMemberArchitecture($0).description }).sorted()
        let parameters = model.members.reduce(0) { $0 + $1.parameterCount }
        let flops = model.members.reduce(0) { $0 + $1.flops(steps: rul.window) }
        let lines = [
            "file:           \(file)",
            "format:         VGLM version \(ModelFile.formatVersion), SHA-256 verified",
            "task:           rul (remaining useful life in \(rul.stepUnit)s, capped at \(rul.cap), window \(rul.window))",
            "architecture:   \(model.members.count) members: \(members.joined(separator: "; "))",
            "signals:        \(rul.signals.joined(separator: ", "))",
            "regimes:        \(rul.regimes.centroids.count)"
                + (rul.settings.isEmpty ? "" : " from \(rul.settings.joined(separator: ", "))"),
            "parameters:     \(parameters)",
            "size:           \(size) bytes",
            "FLOPs per estimate: \(flops)",
            "trained:        \(training.units) units (\(training.failedUnits) failed), \(training.rows) \(rul.stepUnit)s, "
                + "epochs \(training.epochs.map(String.init).joined(separator: ",")), seed \(training.seed), at \(training.trainedAt)",
            "data:           \(training.digest) (\(training.sources.joined(separator: ", ")))",
            String(
                format:
                    "validation:     %d held-out units: RMSE %.2f at every step; at one cut per unit RMSE %.2f, PHM08 score %.1f",
                validation.units,
                validation.rmse,
                validation.cutRMSE,
                validation.cutScore
            ),
        ]
        print(lines.joined(separator: "\n"))
    }
}
