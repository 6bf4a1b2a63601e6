import Crypto
import Foundation
import Testing
import VigilModel
import VigilNN

@Suite struct ModelFileTests {
    func model(_ kind: RecurrentKind = .lstm, layers: Int = 2) -> ModelFile {
        ModelFile(
            network: RecurrentNetwork(kind: kind, inputSize: 3, hiddenSize: 8, layers: layers, outputSize: 6, seed: 4),
            loss: .gaussianNLL,
            normalisation: Normalisation(signals: ["p", "q", "t"], center: [1, 2, 3], scale: [0.5, 1, 2]),
            training: TrainingMetadata(
                samples: 5000,
                epochs: 12,
                bestEpoch: 9,
                validationLoss: 0.0123,
                seed: 7,
                trainedAt: "2026-11-29T09:00:00.000Z"
            )
        )
    }

    /// Rewrites the header JSON and/or the data of a valid file and signs it again, so that only the
    /// intended defect remains.
    func resigned(
        _ bytes: [UInt8],
        header edit: (inout [String: Any]) -> Void = { _ in },
        data dataEdit: (inout [UInt8]) -> Void = { _ in }
    ) throws -> [UInt8] {
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        var header = try JSONSerialization.jsonObject(with: Data(bytes[12..<12 + headerLength])) as! [String: Any]
        edit(&header)
        var data = Array(bytes[(12 + headerLength)..<(bytes.count - 32)])
        dataEdit(&data)
        let newHeader = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        var result = Array(bytes[0..<8])
        result += withUnsafeBytes(of: UInt32(newHeader.count).littleEndian) { Array($0) }
        result += newHeader + data
        result += Array(SHA256.hash(data: result))
        return result
    }

    func error(_ bytes: [UInt8]) -> ModelFileError? {
        do {
            _ = try ModelFile.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: RecurrentKind.allCases)
    func roundTripsExactly(_ kind: RecurrentKind) throws {
        let original = model(kind)
        let decoded = try ModelFile.decode(original.encoded())
        #expect(decoded == original)
        #expect(decoded.network.parameters.map(\.bitPattern) == original.network.parameters.map(\.bitPattern))
    }

    @Test func writesAndReadsAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).vgm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model().write(to: path)
        #expect(try ModelFile.read(from: path) == model())
        #expect(throws: ModelFileError.self) { try ModelFile.read(from: path + ".missing") }
    }

    @Test func refusesATruncatedFile() {
        let bytes = model().encoded()
        for length in [0, 7, 40, 200, bytes.count - 100, bytes.count - 1] {
            guard case .truncated = error(Array(bytes.prefix(length))) else {
                Issue.record("length \(length): \(String(describing: error(Array(bytes.prefix(length)))))")
                continue
            }
        }
    }

    @Test func refusesAFlippedBitAnywhere() {
        let bytes = model().encoded()
        for position in stride(from: 12, to: bytes.count, by: 97) {
            var damaged = bytes
            damaged[position] ^= 0x10
            let found = error(damaged)
            switch found {
            case .checksumMismatch, .truncated, .malformedHeader: break
            default: Issue.record("bit flip at \(position) gave \(String(describing: found))")
            }
        }
        var damaged = bytes
        damaged[bytes.count - 200] ^= 0x01
        guard case .checksumMismatch = error(damaged) else {
            Issue.record("a flip in the weights must be a checksum mismatch")
            return
        }
    }

    @Test func refusesAnotherFileType() {
        var bytes = model().encoded()
        bytes[0] = UInt8(ascii: "P")
        #expect(error(bytes) == .notAModelFile)
        #expect(error(Array("{\"not\": \"a model\"} padding padding padding padding".utf8)) == .notAModelFile)
    }

    @Test func refusesAnotherFormatVersion() {
        var bytes = model().encoded()
        bytes[4] = 2
        #expect(error(bytes) == .unsupportedVersion(found: 2, supported: 1))
    }

    @Test func refusesAWrongShapeEvenWithAValidChecksum() throws {
        let bytes = try resigned(model().encoded()) { header in
            var tensors = header["tensors"] as! [[String: Any]]
            tensors[1]["shape"] = [32, 9]
            header["tensors"] = tensors
        }
        #expect(error(bytes) == .shapeMismatch(tensor: "recurrent.0.weight_hh", expected: [32, 8], found: [32, 9]))
    }

    @Test func refusesNaNWeightsEvenWithAValidChecksum() throws {
        let bytes = try resigned(
            model().encoded(),
            data: { data in
                let nan = withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Array($0) }
                data.replaceSubrange(40..<44, with: nan)
            }
        )
        #expect(error(bytes) == .nonFiniteWeight(tensor: "recurrent.0.weight_ih", index: 10))
    }

    @Test func refusesAMissingTensorAndBadNormalisation() throws {
        let missing = try resigned(model().encoded()) { header in
            header["tensors"] = (header["tensors"] as! [[String: Any]]).filter { $0["name"] as? String != "head.bias" }
        }
        #expect(error(missing) == .missingTensor("head.bias"))
        let zeroScale = try resigned(model().encoded()) { header in
            var normalisation = header["normalisation"] as! [String: Any]
            normalisation["scale"] = [0, 1, 1]
            header["normalisation"] = normalisation
        }
        guard case .malformedHeader = error(zeroScale) else {
            Issue.record("a zero scale must be refused")
            return
        }
    }

    @Test(arguments: [
        ("data_bytes", Int64.max), ("data_bytes", -8), ("input_size", Int64(1) << 61), ("hidden_size", Int64(1) << 40),
        ("hidden_size", 1024), ("layers", 4), ("output_size", 65_537),
    ])
    func refusesStatedSizesThatDoNotFitTheFileBeforeMakingAnything(_ key: String, _ value: Int64) throws {
        let bytes = try resigned(model().encoded()) { header in
            if key == "data_bytes" {
                header[key] = value
            } else {
                var architecture = header["architecture"] as! [String: Any]
                architecture[key] = value
                header["architecture"] = architecture
            }
        }
        guard case .malformedHeader = error(bytes) else {
            Issue.record("\(key) = \(value): \(String(describing: error(bytes)))")
            return
        }
    }

    @Test func refusesATensorOffsetOfIntMax() throws {
        let bytes = try resigned(model().encoded()) { header in
            var tensors = header["tensors"] as! [[String: Any]]
            tensors[0]["offset"] = Int.max
            header["tensors"] = tensors
        }
        #expect(error(bytes) == .malformedHeader("tensor recurrent.0.weight_ih lies outside the data"))
    }

    @Test(arguments: RecurrentKind.allCases)
    func theParameterCountFromTheHeaderIsTheNetworks(_ kind: RecurrentKind) {
        let file = model(kind, layers: 3)
        #expect(ModelFile.parameterCount(file.architecture) == file.network.parameterCount)
    }

    @Test func errorsNameTheProblem() {
        #expect(ModelFileError.truncated(size: 10, expected: 44).description.contains("truncated"))
        #expect(ModelFileError.checksumMismatch(stored: "ab", computed: "cd").description.contains("corrupt"))
        #expect(ModelFileError.unsupportedVersion(found: 9, supported: 1).description.contains("version 9"))
    }
}
