internal import Foundation
public import VigilNN

/// A remaining-useful-life model as stored on the gateway (task `rul`): an ensemble of sequence
/// regressors, what their inputs are and how they are normalised (per operating regime where the
/// training data had regimes), the target cap, the interval calibration and the digest of the
/// training data.
///
/// It shares the frame of every model file (`ModelFile`): magic, version, JSON header, float32
/// tensors, SHA-256. Tensors are named `member.M.recurrent.L.weight_ih` … and `member.M.head.L.weight`.
public struct RULModelFile: Hashable, Sendable {
    /// The ensemble's members; their outputs (RUL / cap) are averaged.
    public var members: [SequenceRegressor<Float>]
    /// Everything but the weights.
    public var rul: RULDescription

    /// Creates a file.
    public init(members: [SequenceRegressor<Float>], rul: RULDescription) {
        self.members = members
        self.rul = rul
    }

    /// The header's `task`.
    public static let task = "rul"

    // MARK: - Writing

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var data: [UInt8] = []
        var entries: [TensorEntry] = []
        for (index, member) in members.enumerated() {
            for (name, shape, values) in Self.tensors(of: member, index: index) {
                entries.append(ModelContainer.append(values, name: name, shape: shape, to: &data))
            }
        }
        let header = RULHeader(
            task: Self.task,
            rul: rul,
            members: members.map(RULMemberArchitecture.init),
            tensors: entries,
            dataBytes: data.count
        )
        return ModelContainer.encode(header: ModelContainer.json(header), data: data)
    }

    /// Writes the file atomically.
    public func write(to path: String) throws(ModelFileError) {
        try ModelContainer.write(encoded(), to: path)
    }

    // MARK: - Reading

    /// Reads and checks a file.
    public static func read(from path: String) throws(ModelFileError) -> RULModelFile {
        try decode(ModelContainer.read(from: path))
    }

    /// Decodes and checks a file's bytes.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> RULModelFile {
        let frame = try ModelContainer.decode(bytes)
        guard frame.task == task else { throw .wrongTask(found: frame.task, expected: task) }
        let header: RULHeader
        do {
            header = try JSONDecoder().decode(RULHeader.self, from: frame.header)
        } catch {
            throw .malformedHeader("\(error)")
        }
        let description = header.rul
        try description.check()
        guard (1...64).contains(header.members.count) else {
            throw .malformedHeader("\(header.members.count) members; a model has 1 to 64")
        }
        let entries = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var members: [SequenceRegressor<Float>] = []
        for (index, architecture) in header.members.enumerated() {
            guard architecture.isPlausible, architecture.inputSize == description.inputCount,
                architecture.outputSize == 1
            else {
                throw .malformedHeader("member \(index) has an implausible architecture \(architecture)")
            }
            var member = SequenceRegressor<Float>(
                kind: architecture.kind,
                inputSize: architecture.inputSize,
                hiddenSize: architecture.hiddenSize,
                layers: architecture.layers,
                headSizes: architecture.headSizes,
                outputSize: architecture.outputSize,
                seed: 0
            )
            var parameters: [Float] = []
            for (name, shape, _) in tensors(of: member, index: index) {
                parameters += try ModelContainer.tensor(name, shape: shape, entries: entries, frame: frame)
            }
            member.parameters = parameters
            members.append(member)
        }
        return RULModelFile(members: members, rul: description)
    }

    /// Name, shape and values of every tensor of a member, in parameter order.
    static func tensors(of member: SequenceRegressor<Float>, index: Int) -> [(String, [Int], [Float])] {
        var result: [(String, [Int], [Float])] = []
        for (layer, recurrent) in member.recurrent.enumerated() {
            result += ModelContainer.tensors(of: recurrent, prefix: "member.\(index).recurrent.\(layer)")
        }
        for (layer, dense) in member.head.enumerated() {
            result.append(("member.\(index).head.\(layer).weight", [dense.outputSize, dense.inputSize], dense.weight))
            result.append(("member.\(index).head.\(layer).bias", [dense.outputSize], dense.bias))
        }
        return result
    }
}

/// The architecture of one member of a RUL ensemble.
public struct RULMemberArchitecture: Hashable, Sendable, Codable, CustomStringConvertible {
    /// LSTM or GRU.
    public var kind: RecurrentKind
    /// Input features per step.
    public var inputSize: Int
    /// Hidden units per recurrent layer.
    public var hiddenSize: Int
    /// Recurrent layers.
    public var layers: Int
    /// Widths of the head's ReLU layers.
    public var headSizes: [Int]
    /// Outputs.
    public var outputSize: Int

    /// The architecture of a member.
    public init(_ member: SequenceRegressor<Float>) {
        kind = member.recurrent[0].kind
        inputSize = member.inputSize
        hiddenSize = member.recurrent[0].hiddenSize
        layers = member.recurrent.count
        headSizes = member.head.dropLast().map(\.outputSize)
        outputSize = member.outputSize
    }

    var isPlausible: Bool {
        (1...16).contains(layers) && (1...4096).contains(inputSize) && (1...4096).contains(hiddenSize)
            && headSizes.count <= 8 && headSizes.allSatisfy { (1...4096).contains($0) } && outputSize >= 1
    }

    public var description: String {
        let head = headSizes.isEmpty ? "" : ", head \(headSizes.map(String.init).joined(separator: "-"))"
        return "\(kind.rawValue.uppercased()) \(layers) × \(hiddenSize)\(head), \(inputSize) in, \(outputSize) out"
    }

    enum CodingKeys: String, CodingKey {
        case kind, layers
        case inputSize = "input_size"
        case hiddenSize = "hidden_size"
        case headSizes = "head_sizes"
        case outputSize = "output_size"
    }
}

/// The JSON header of a RUL model file.
struct RULHeader: Codable {
    var task: String
    var rul: RULDescription
    var members: [RULMemberArchitecture]
    var tensors: [TensorEntry]
    var dataBytes: Int

    enum CodingKeys: String, CodingKey {
        case task, rul, members, tensors
        case dataBytes = "data_bytes"
    }
}
