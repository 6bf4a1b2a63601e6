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
            entries.append(ModelContainer.append(values, name: name, shape: shape, to: &data))
        }
        let header = ModelHeader(
            architecture: architecture,
            loss: loss,
            normalisation: normalisation,
            training: training,
            tensors: entries,
            dataBytes: data.count
        )
        return ModelContainer.encode(header: ModelContainer.json(header), data: data)
    }

    /// Writes the file atomically (a temporary file renamed into place).
    public func write(to path: String) throws(ModelFileError) {
        try ModelContainer.write(encoded(), to: path)
    }

    // MARK: - Reading

    /// The largest model file read: 1 GiB (a model of the largest architecture Vigil trains is a few MB).
    public static let maxFileBytes = 1 << 30

    /// Reads and checks a model file.
    public static func read(from path: String) throws(ModelFileError) -> ModelFile {
        try decode(ModelContainer.read(from: path))
    }

    /// Decodes and checks a model file's bytes.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> ModelFile {
        let frame = try ModelContainer.decode(bytes)
        guard frame.task == "forecast" else { throw .wrongTask(found: frame.task, expected: "forecast") }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: frame.header)
        } catch {
            throw .malformedHeader("\(error)")
        }
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
            parameters += try ModelContainer.tensor(name, shape: shape, entries: entries, frame: frame)
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
            result += ModelContainer.tensors(of: layer, prefix: "recurrent.\(index)")
        }
        result.append(("head.weight", [network.head.outputSize, network.head.inputSize], network.head.weight))
        result.append(("head.bias", [network.head.outputSize], network.head.bias))
        return result
    }
}
