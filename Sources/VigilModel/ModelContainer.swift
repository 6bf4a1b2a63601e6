internal import Crypto
internal import Foundation
internal import VigilNN

/// The frame every model file shares: `VGLM`, the format version (UInt16), a reserved UInt16, the
/// header length (UInt32), a JSON header, the tensors as little-endian float32, and the SHA-256 of
/// everything before it. What the header says depends on the file's task (`forecast` or `rul`).
enum ModelContainer {
    /// What every header says, read before the rest so that a cut file is told from a damaged one.
    struct Probe: Decodable {
        var dataBytes: Int
        var task: String?

        enum CodingKeys: String, CodingKey {
            case task
            case dataBytes = "data_bytes"
        }
    }

    /// A checked file: its header bytes and where its tensor data start.
    struct Frame {
        var header: Data
        var bytes: [UInt8]
        var dataStart: Int
        var dataBytes: Int
        /// The file's task as its header names it (`forecast` when it names none).
        var task: String
    }

    /// Frames a header and tensor data.
    static func encode(header: [UInt8], data: [UInt8]) -> [UInt8] {
        var bytes = ModelFile.magic
        bytes += littleEndian(UInt16(ModelFile.formatVersion))
        bytes += littleEndian(UInt16(0))
        bytes += littleEndian(UInt32(header.count))
        bytes += header
        bytes += data
        bytes += Array(SHA256.hash(data: bytes))
        return bytes
    }

    /// Checks the frame of a file: magic, version, length and checksum.
    static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> Frame {
        let minimum = 12 + 32
        guard bytes.count >= 12 else { throw .truncated(size: bytes.count, expected: minimum) }
        guard Array(bytes[0..<4]) == ModelFile.magic else { throw .notAModelFile }
        let version = Int(readUInt16(bytes, at: 4))
        guard version == ModelFile.formatVersion else {
            throw .unsupportedVersion(found: version, supported: ModelFile.formatVersion)
        }
        let headerLength = Int(readUInt32(bytes, at: 8))
        guard bytes.count >= minimum + headerLength else {
            throw .truncated(size: bytes.count, expected: minimum + headerLength)
        }
        // A header that parses tells the exact size, which distinguishes a cut file from a damaged one.
        let header = Data(bytes[12..<12 + headerLength])
        let probe = try? JSONDecoder().decode(Probe.self, from: header)
        // Every size the header states is compared with the file before any arithmetic on it.
        if let probe, probe.dataBytes >= 0, probe.dataBytes <= bytes.count {
            let expected = minimum + headerLength + probe.dataBytes
            if bytes.count < expected { throw .truncated(size: bytes.count, expected: expected) }
        }
        let content = bytes[0..<(bytes.count - 32)]
        let stored = Array(bytes[(bytes.count - 32)...])
        let computed = Array(SHA256.hash(data: content))
        guard stored == computed else { throw .checksumMismatch(stored: hex(stored), computed: hex(computed)) }
        guard let probe else {
            do {
                _ = try JSONDecoder().decode(Probe.self, from: header)
            } catch {
                throw .malformedHeader("\(error)")
            }
            throw .malformedHeader("unreadable")
        }
        guard probe.dataBytes >= 0, probe.dataBytes <= content.count,
            content.count == 12 + headerLength + probe.dataBytes
        else {
            throw .malformedHeader("data_bytes \(probe.dataBytes) does not match the file")
        }
        return Frame(
            header: header,
            bytes: bytes,
            dataStart: 12 + headerLength,
            dataBytes: probe.dataBytes,
            task: probe.task ?? "forecast"
        )
    }

    /// Appends a tensor's values to `data` and returns its header entry.
    static func append(_ values: [Float], name: String, shape: [Int], to data: inout [UInt8]) -> TensorEntry {
        let entry = TensorEntry(name: name, shape: shape, dtype: "float32", offset: data.count)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return entry
    }

    /// Reads the tensor `name` of the given shape, refusing one that is absent, misshapen, outside
    /// the data or not finite.
    static func tensor(
        _ name: String,
        shape: [Int],
        entries: [String: TensorEntry],
        frame: Frame
    ) throws(ModelFileError) -> [Float] {
        guard let entry = entries[name] else { throw .missingTensor(name) }
        guard entry.shape == shape else { throw .shapeMismatch(tensor: name, expected: shape, found: entry.shape) }
        guard entry.dtype == "float32" else { throw .malformedHeader("tensor \(name) has dtype \(entry.dtype)") }
        let count = shape.reduce(1, *)
        guard entry.offset >= 0, entry.offset <= frame.dataBytes, count <= (frame.dataBytes - entry.offset) / 4 else {
            throw .malformedHeader("tensor \(name) lies outside the data")
        }
        var values: [Float] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            let value = Float(bitPattern: readUInt32(frame.bytes, at: frame.dataStart + entry.offset + 4 * index))
            guard value.isFinite else { throw .nonFiniteWeight(tensor: name, index: index) }
            values.append(value)
        }
        return values
    }

    /// Name, shape and values of every tensor of a recurrent layer, in parameter order.
    static func tensors(of layer: RecurrentLayer<Float>, prefix: String) -> [(String, [Int], [Float])] {
        let gates = layer.kind == .lstm ? 4 : 3
        let H = layer.hiddenSize
        let p = layer.parameters
        let a = gates * H * layer.inputSize
        let b = a + gates * H * H
        let c = b + gates * H
        return [
            ("\(prefix).weight_ih", [gates * H, layer.inputSize], Array(p[0..<a])),
            ("\(prefix).weight_hh", [gates * H, H], Array(p[a..<b])),
            ("\(prefix).bias_ih", [gates * H], Array(p[b..<c])),
            ("\(prefix).bias_hh", [gates * H], Array(p[c...])),
        ]
    }

    /// JSON with sorted keys (plain structs of numbers and strings always encode).
    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try! encoder.encode(value))
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func readUInt16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

extension ModelContainer {
    /// Reads a file's bytes.
    static func read(from path: String) throws(ModelFileError) -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= ModelFile.maxFileBytes else {
            throw .malformedHeader(
                "the file is \(size) bytes, more than a model file can be (\(ModelFile.maxFileBytes))"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("\(path): cannot read") }
        return Array(data)
    }

    /// Writes bytes atomically (a temporary file renamed into place).
    static func write(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io("\(path): \(error.localizedDescription)")
        }
    }
}
