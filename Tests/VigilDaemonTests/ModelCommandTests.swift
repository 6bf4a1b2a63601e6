import Foundation
import Testing
import VigilModel
import VigilNN
import VigilTestSupport

/// `vigil model inspect` on good and damaged files.
@Suite struct ModelCommandTests {
    func writeModel(_ directory: URL) throws -> String {
        let path = directory.appendingPathComponent("pump.vgm").path
        try ModelFile(
            network: RecurrentNetwork(kind: .gru, inputSize: 2, hiddenSize: 16, layers: 2, outputSize: 4, seed: 1),
            loss: .gaussianNLL,
            normalisation: Normalisation(signals: ["pressure", "flow"], center: [6, 100], scale: [0.1, 2]),
            training: TrainingMetadata(
                samples: 2000,
                epochs: 10,
                bestEpoch: 8,
                validationLoss: 0.5,
                seed: 1,
                trainedAt: "2026-11-29T09:00:00.000Z"
            )
        ).write(to: path)
        return path
    }

    @Test func printsArchitectureParametersSizeAndFlops() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeModel(directory)
        let result = try runCommand(Repository.vigilBinary, ["model", "inspect", path])
        #expect(result.status == 0, "\(result.error)")
        let network = try ModelFile.read(from: path).network
        #expect(result.output.contains("GRU 2 × 16 hidden, 2 in, 4 out"))
        #expect(result.output.contains("parameters:     \(network.parameterCount)"))
        #expect(result.output.contains("FLOPs per step: \(network.flopsPerStep)"))
        #expect(result.output.contains("signals:        pressure, flow"))
    }

    @Test func refusesADamagedFileWithTheReason() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeModel(directory)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 100] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try runCommand(Repository.vigilBinary, ["model", "inspect", path])
        #expect(result.status == 1)
        #expect(result.error.contains("corrupt"))
        try bytes.prefix(200).write(to: URL(fileURLWithPath: path))
        #expect(try runCommand(Repository.vigilBinary, ["model", "inspect", path]).error.contains("truncated"))
    }
}
