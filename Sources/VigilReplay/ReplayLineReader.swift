internal import Foundation

/// Reads a replay input file one line at a time, with a bound on the length of a line: a longer
/// one is refused after `maxLineBytes`, without the rest of it ever being held in memory.
final class ReplayLineReader {
    /// The longest line read: 1 MiB (a CSV row of thousands of columns is far shorter).
    static let maxLineBytes = 1 << 20

    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var number = 0

    init(path: String) throws(ReplayError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReplayError(file: path, message: "cannot open the file")
        }
        self.handle = handle
        self.path = path
    }

    deinit { try? handle.close() }

    /// The next line without its end (`\n` or `\r\n`); nil at the end of the file.
    func next() throws(ReplayError) -> String? {
        var searched = start
        while true {
            if let end = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                number += 1
                var line = buffer[start..<end]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                start = end + 1
                try checkLength(line, line: number)
                return String(decoding: line, as: UTF8.self)
            }
            try checkLength(buffer[start...], line: number + 1)
            if atEnd {
                guard start < buffer.count else { return nil }
                number += 1
                defer { start = buffer.count }
                return String(decoding: buffer[start...], as: UTF8.self)
            }
            // Keep only the unfinished line, then read more.
            buffer.removeSubrange(0..<start)
            start = 0
            searched = buffer.count
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw ReplayError(file: path, line: number + 1, message: "cannot read: \(error.localizedDescription)")
            }
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private func checkLength(_ bytes: ArraySlice<UInt8>, line: Int) throws(ReplayError) {
        guard bytes.count > Self.maxLineBytes else { return }
        let shown = String(decoding: bytes.prefix(80), as: UTF8.self)
        throw ReplayError(
            file: path,
            line: line,
            message: "the line is longer than \(Self.maxLineBytes) bytes (it starts '\(shown)…')"
        )
    }
}
