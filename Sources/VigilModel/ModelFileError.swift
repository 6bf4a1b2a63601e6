/// Why a model file was refused. Each case names the problem, so an operator can tell a copy cut
/// short from a corrupted one or one written by a newer Vigil.
public enum ModelFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is shorter than its header says (or than any model file can be).
    case truncated(size: Int, expected: Int)
    /// The file does not start with Vigil's magic bytes.
    case notAModelFile
    /// The format version is not one this Vigil reads.
    case unsupportedVersion(found: Int, supported: Int)
    /// The SHA-256 of the content does not match the one stored: bits changed after writing.
    case checksumMismatch(stored: String, computed: String)
    /// The header cannot be read although the checksum matches.
    case malformedHeader(String)
    /// A tensor the architecture needs is absent.
    case missingTensor(String)
    /// A tensor's shape is not the one the architecture needs.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// A weight is NaN or infinite.
    case nonFiniteWeight(tensor: String, index: Int)
    /// The file could not be read or written.
    case io(String)
    /// The file holds a model for another task (a forecast model where a remaining-life model is
    /// needed, or the reverse).
    case wrongTask(found: String, expected: String)

    public var description: String {
        switch self {
        case .truncated(let size, let expected):
            "model file is truncated: \(size) bytes, expected \(expected)"
        case .notAModelFile:
            "not a Vigil model file (bad magic bytes)"
        case .unsupportedVersion(let found, let supported):
            "model file format version \(found) is not supported (this Vigil reads version \(supported))"
        case .checksumMismatch(let stored, let computed):
            "model file is corrupt: SHA-256 \(computed.prefix(16))… does not match the stored \(stored.prefix(16))…"
        case .malformedHeader(let reason):
            "model file header is malformed: \(reason)"
        case .missingTensor(let name):
            "model file lacks tensor \(name)"
        case .shapeMismatch(let tensor, let expected, let found):
            "tensor \(tensor) has shape \(found), the architecture needs \(expected)"
        case .nonFiniteWeight(let tensor, let index):
            "tensor \(tensor) holds a NaN or infinite value at index \(index)"
        case .io(let reason):
            "cannot access the model file: \(reason)"
        case .wrongTask(let found, let expected):
            "model file holds a \(found) model, not a \(expected) model"
        }
    }
}
