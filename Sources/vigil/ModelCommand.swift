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
            } catch {
                printError("vigil: \(file): \(error)")
                throw ExitCode.failure
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let architecture = model.architecture
            let lines = [
                "file:           \(file)",
                "format:         VGLM version \(ModelFile.formatVersion), SHA-256 verified",
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
