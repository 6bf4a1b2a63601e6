internal import Crypto
internal import Foundation
public import VigilNN

/// A trained model as stored on the gateway: the network, the loss it was trained with, the
/// normalisation of its inputs and how it was trained.
///
/// The file is `VGLM`, a format version (UInt16), a reserved UInt16, the header length (UInt32),
/// a JSON header (architecture, tensor names, shapes, dtypes and offsets, normalisation, training
/// metadata), the tensors as little-endian float32, and the SHA-256 of everything before it.
/// Reading checks each of these and refuses the file with a `ModelFileError` naming the problem.
public struct ModelFile: Hashable, Sendable {
    /// The magic bytes.
    public static let magic: [UInt8] = Array("VGLM".utf8)
    /// The format version written and read.
    public static let formatVersion = 1

    /// The network.
    public var network: RecurrentNetwork<Float>
    /// The loss it was trained with (decides how its outputs are read).
    public var loss: Loss
    /// Input normalisation.
    public var normalisation: Normalisation
    /// Training metadata.
    public var training: TrainingMetadata

    /// Creates a model file.
    public init(network: RecurrentNetwork<Float>, loss: Loss, normalisation: Normalisation, training: TrainingMetadata)
    {
        self.network = network
        self.loss = loss
        self.normalisation = normalisation
        self.training = training
    }

    /// The architecture of the network.
    public var architecture: ModelArchitecture {
        let first = network.recurrent[0]
        return ModelArchitecture(
            kind: first.kind,
            inputSize: first.inputSize,
            hiddenSize: first.hiddenSize,
            layers: network.recurrent.count,
            outputSize: network.outputSize,
            headActivation: network.head.activation
        )
    }

    // MARK: - Writing

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var data: [UInt8] = []
        var entries: [TensorEntry] = []
        for (name, shape, values) in Self.tensors(of: network) {
            entries.append(TensorEntry(name: name, shape: shape, dtype: "float32", offset: data.count))
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        let header = ModelHeader(
            architecture: architecture,
            loss: loss,
            normalisation: normalisation,
            training: training,
            tensors: entries,
            dataBytes: data.count
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Plain structs of numbers and strings always encode.
        let headerBytes = Array(try! encoder.encode(header))
        var bytes = Self.magic
        bytes += Self.littleEndian(UInt16(Self.formatVersion))
        bytes += Self.littleEndian(UInt16(0))
        bytes += Self.littleEndian(UInt32(headerBytes.count))
        bytes += headerBytes
        bytes += data
        bytes += Array(SHA256.hash(data: bytes))
        return bytes
    }

    /// Writes the file atomically (a temporary file renamed into place).
    public func write(to path: String) throws(ModelFileError) {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io("\(path): \(error.localizedDescription)")
        }
    }

    // MARK: - Reading

    /// The largest model file read: 1 GiB (a model of the largest architecture Vigil trains is a few MB).
    public static let maxFileBytes = 1 << 30

    /// Reads and checks a model file.
    public static func read(from path: String) throws(ModelFileError) -> ModelFile {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxFileBytes else {
            throw .malformedHeader("the file is \(size) bytes, more than a model file can be (\(maxFileBytes))")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("\(path): cannot read") }
        return try decode(Array(data))
    }

    /// Decodes and checks a model file's bytes.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> ModelFile {
        let minimum = 12 + 32
        guard bytes.count >= 12 else { throw .truncated(size: bytes.count, expected: minimum) }
        guard Array(bytes[0..<4]) == magic else { throw .notAModelFile }
        let version = Int(readUInt16(bytes, at: 4))
        guard version == formatVersion else { throw .unsupportedVersion(found: version, supported: formatVersion) }
        let headerLength = Int(readUInt32(bytes, at: 8))
        guard bytes.count >= minimum + headerLength else {
            throw .truncated(size: bytes.count, expected: minimum + headerLength)
        }
        // A header that parses tells the exact size, which distinguishes a cut file from a damaged one.
        let headerBytes = Data(bytes[12..<12 + headerLength])
        let header = try? JSONDecoder().decode(ModelHeader.self, from: headerBytes)
        // Every size the header states is compared with the file before any arithmetic on it.
        if let header, header.dataBytes >= 0, header.dataBytes <= bytes.count {
            let expected = minimum + headerLength + header.dataBytes
            if bytes.count < expected { throw .truncated(size: bytes.count, expected: expected) }
        }
        let content = bytes[0..<(bytes.count - 32)]
        let stored = Array(bytes[(bytes.count - 32)...])
        let computed = Array(SHA256.hash(data: content))
        guard stored == computed else { throw .checksumMismatch(stored: hex(stored), computed: hex(computed)) }
        guard let header else {
            do {
                _ = try JSONDecoder().decode(ModelHeader.self, from: headerBytes)
            } catch {
                throw .malformedHeader("\(error)")
            }
            throw .malformedHeader("unreadable")
        }
        guard header.dataBytes >= 0, header.dataBytes <= content.count,
            content.count == 12 + headerLength + header.dataBytes
        else {
            throw .malformedHeader("data_bytes \(header.dataBytes) does not match the file")
        }
        let dataStart = 12 + headerLength
        let architecture = header.architecture
        guard (1...16).contains(architecture.layers), (1...65_536).contains(architecture.inputSize),
            (1...65_536).contains(architecture.hiddenSize), (1...65_536).contains(architecture.outputSize)
        else {
            throw .malformedHeader(
                "implausible architecture: \(architecture.layers) layers of \(architecture.hiddenSize), "
                    + "\(architecture.inputSize) in, \(architecture.outputSize) out (each at most 65536, layers 16)"
            )
        }
        // The data must hold exactly the architecture's parameters: checked before the network is
        // made, so a header that claims a huge network costs nothing.
        guard let parameterCount = Self.parameterCount(architecture), parameterCount * 4 == header.dataBytes else {
            throw .malformedHeader(
                "\(header.dataBytes) bytes of data do not hold the parameters of \(architecture.kind.rawValue) "
                    + "\(architecture.layers) × \(architecture.hiddenSize), \(architecture.inputSize) in, "
                    + "\(architecture.outputSize) out"
            )
        }
        guard header.normalisation.signals.count == architecture.inputSize else {
            throw .malformedHeader("normalisation does not fit \(architecture.inputSize) inputs")
        }
        var network = RecurrentNetwork<Float>(
            kind: architecture.kind,
            inputSize: architecture.inputSize,
            hiddenSize: architecture.hiddenSize,
            layers: architecture.layers,
            outputSize: architecture.outputSize,
            seed: 0
        )
        network.head = DenseLayer(
            inputSize: architecture.hiddenSize,
            outputSize: architecture.outputSize,
            weight: network.head.weight,
            bias: network.head.bias,
            activation: architecture.headActivation
        )
        let entries = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var parameters: [Float] = []
        for (name, shape, _) in tensors(of: network) {
            guard let entry = entries[name] else { throw .missingTensor(name) }
            guard entry.shape == shape else { throw .shapeMismatch(tensor: name, expected: shape, found: entry.shape) }
            guard entry.dtype == "float32" else { throw .malformedHeader("tensor \(name) has dtype \(entry.dtype)") }
            let count = shape.reduce(1, *)
            guard entry.offset >= 0, entry.offset <= header.dataBytes, count <= (header.dataBytes - entry.offset) / 4
            else {
                throw .malformedHeader("tensor \(name) lies outside the data")
            }
            for index in 0..<count {
                let value = Float(bitPattern: readUInt32(bytes, at: dataStart + entry.offset + 4 * index))
                guard value.isFinite else { throw .nonFiniteWeight(tensor: name, index: index) }
                parameters.append(value)
            }
        }
        network.parameters = parameters
        guard header.normalisation.signals.count == architecture.inputSize,
            header.normalisation.center.count == architecture.inputSize,
            header.normalisation.scale.count == architecture.inputSize,
            header.normalisation.scale.allSatisfy({ $0.isFinite && $0 > 0 }),
            header.normalisation.center.allSatisfy(\.isFinite)
        else { throw .malformedHeader("normalisation does not fit \(architecture.inputSize) inputs") }
        return ModelFile(
            network: network,
            loss: header.loss,
            normalisation: header.normalisation,
            training: header.training
        )
    }

    /// The number of parameters of an architecture, or nil when it overflows (computed without
    /// making the network).
    public static func parameterCount(_ architecture: ModelArchitecture) -> Int? {
        let gates = architecture.kind == .lstm ? 4 : 3
        let hidden = architecture.hiddenSize
        var total = 0
        for layer in 0..<architecture.layers {
            let input = layer == 0 ? architecture.inputSize : hidden
            // gates·H·(input + H + 2): both weight matrices and both biases.
            let (rows, o1) = gates.multipliedReportingOverflow(by: hidden)
            let (columns, o2) = input.addingReportingOverflow(hidden + 2)
            let (layerCount, o3) = rows.multipliedReportingOverflow(by: columns)
            let (sum, o4) = total.addingReportingOverflow(layerCount)
            guard !(o1 || o2 || o3 || o4) else { return nil }
            total = sum
        }
        let (head, o5) = architecture.outputSize.multipliedReportingOverflow(by: hidden + 1)
        let (sum, o6) = total.addingReportingOverflow(head)
        let (bytes, o7) = sum.multipliedReportingOverflow(by: 4)
        guard !(o5 || o6 || o7), bytes <= maxFileBytes else { return nil }
        return sum
    }

    /// Name, shape and values of every tensor, in parameter order.
    static func tensors(of network: RecurrentNetwork<Float>) -> [(String, [Int], [Float])] {
        var result: [(String, [Int], [Float])] = []
        for (index, layer) in network.recurrent.enumerated() {
            let gates = layer.kind == .lstm ? 4 : 3
            let H = layer.hiddenSize
            let p = layer.parameters
            let a = gates * H * layer.inputSize
            let b = a + gates * H * H
            let c = b + gates * H
            result.append(("recurrent.\(index).weight_ih", [gates * H, layer.inputSize], Array(p[0..<a])))
            result.append(("recurrent.\(index).weight_hh", [gates * H, H], Array(p[a..<b])))
            result.append(("recurrent.\(index).bias_ih", [gates * H], Array(p[b..<c])))
            result.append(("recurrent.\(index).bias_hh", [gates * H], Array(p[c...])))
        }
        result.append(("head.weight", [network.head.outputSize, network.head.inputSize], network.head.weight))
        result.append(("head.bias", [network.head.outputSize], network.head.bias))
        return result
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func readUInt16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
