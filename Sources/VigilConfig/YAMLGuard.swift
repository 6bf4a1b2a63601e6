internal import Yams

/// Bounds on the work a YAML document can cause, checked around Yams.
///
/// An alias repeats the node it names, so a few lines of anchors that each repeat the one before
/// stand for billions of nodes (an "alias bomb"). Yams shares the repeated nodes while composing,
/// except for mapping keys: it hashes every key to find duplicates, and hashing an aliased
/// structure walks it whole, so a bomb used as a key runs for hours inside `Yams.compose`. Hence two
/// checks: the text is scanned for an alias used as a key before Yams sees it, and the composed
/// document may expand, counting each alias at each use, to at most `maxNodes` nodes.
enum YAMLGuard {
    /// Most nodes a configuration may expand to (a large real one has a few thousand).
    static let maxNodes = 100_000

    /// Where an alias is used as a mapping key (`*name :` or `? *name`), if anywhere.
    ///
    /// A lexical scan that knows comments and quoted scalars; text in a block scalar that looks
    /// like an aliased key is reported too, which errs on the safe side.
    static func aliasKey(in text: String) -> (line: Int, column: Int, name: String)? {
        let bytes = Array(text.utf8)
        var line = 1
        var lineStart = 0
        var index = 0
        func separates(_ byte: UInt8?) -> Bool {
            guard let byte else { return true }
            return byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
                || "[]{},:?-".utf8.contains(byte)
        }
        while index < bytes.count {
            let byte = bytes[index]
            let previous = index > lineStart ? bytes[index - 1] : nil
            switch byte {
            case 0x0A:
                line += 1
                lineStart = index + 1
                index += 1
            case UInt8(ascii: "#") where previous == nil || previous == 0x20 || previous == 0x09:
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "'") where separates(previous):
                index += 1
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "'") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                            index += 2
                            continue
                        }
                        break
                    }
                    if bytes[index] == 0x0A {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
                index += 1
            case UInt8(ascii: "\"") where separates(previous):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    if index < bytes.count, bytes[index] == 0x0A {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
                index += 1
            case UInt8(ascii: "*") where separates(previous):
                let begin = index
                index += 1
                // libyaml's anchor names: letters, digits, '-' and '_'.
                while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[(begin + 1)..<index], as: UTF8.self)
                var after = index
                while after < bytes.count, bytes[after] == 0x20 || bytes[after] == 0x09 { after += 1 }
                let colonFollows =
                    after < bytes.count && bytes[after] == UInt8(ascii: ":")
                    && separates(after + 1 < bytes.count ? bytes[after + 1] : nil)
                var before = begin - 1
                while before >= lineStart, bytes[before] == 0x20 || bytes[before] == 0x09 { before -= 1 }
                let explicitKey = before >= lineStart && bytes[before] == UInt8(ascii: "?")
                if colonFollows || explicitKey { return (line, begin - lineStart + 1, name) }
            default:
                index += 1
            }
        }
        return nil
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Whether `root` expands to at most `limit` nodes, each alias counted wherever it is used. The
    /// walk stops as soon as the limit is passed, so it costs at most `limit` steps.
    static func expandsWithin(_ root: Node, limit: Int = maxNodes) -> Bool {
        var stack = [root]
        var count = 0
        while let node = stack.popLast() {
            count += 1
            if count > limit { return false }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    stack.append(key)
                    stack.append(value)
                }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return true
    }
}
