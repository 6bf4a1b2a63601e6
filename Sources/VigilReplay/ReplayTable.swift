public import VigilCore

/// The layout of a replay input file.
public enum ReplayInputFormat: Hashable, Sendable {
    /// NAB: `timestamp,value`.
    case nab
    /// SKAB: `;`-separated, `datetime`, the signal columns, then the label columns `anomaly` and
    /// `changepoint` (which are not fed to the detector).
    case skab
    /// Any delimited file: the time column by name, the signal columns by name (all others when
    /// empty), and the separator.
    case generic(timeColumn: String, columns: [String], separator: Character)
}

/// The rows of a replay input: one time and one value per signal column for each row.
public struct ReplayTable: Sendable {
    /// The time column's header, e.g. `timestamp` or `datetime`.
    public var timeColumn: String
    /// The signal columns, in file order.
    public var columns: [String]
    /// Each row's time text exactly as in the file (results files repeat it).
    public var timeTexts: [String]
    /// Each row's time.
    public var times: [Timestamp]
    /// Each row's values, `columns.count` per row; NaN where the cell was empty.
    public var values: [[Double]]

    /// Rows.
    public var count: Int { times.count }

    /// Parses the text of a file.
    public static func parse(_ text: String, format: ReplayInputFormat, file: String) throws(ReplayError) -> ReplayTable
    {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).makeIterator()
        return try parse(format: format, file: file) { lines.next().map(String.init) }
    }

    /// Reads a file line by line: a line longer than `ReplayLineReader.maxLineBytes` is refused
    /// without being read whole.
    public static func read(path: String, format: ReplayInputFormat) throws(ReplayError) -> ReplayTable {
        let reader = try ReplayLineReader(path: path)
        return try parse(format: format, file: path) { () throws(ReplayError) in try reader.next() }
    }

    /// Parses lines as `next` hands them out (nil at the end).
    static func parse(
        format: ReplayInputFormat,
        file: String,
        next: () throws(ReplayError) -> String?
    ) throws(ReplayError) -> ReplayTable {
        let separator: Character
        let timeName: String?
        var wanted: [String] = []
        var excluded: Set<String> = []
        switch format {
        case .nab:
            separator = ","
            timeName = "timestamp"
            wanted = ["value"]
        case .skab:
            separator = ";"
            timeName = "datetime"
            excluded = ["anomaly", "changepoint"]
        case .generic(let timeColumn, let columns, let sep):
            separator = sep
            timeName = timeColumn
            wanted = columns
        }
        guard let headerLine = try next() else { throw ReplayError(file: file, message: "the file is empty") }
        if headerLine.isEmpty, try isAtEnd(next) { throw ReplayError(file: file, message: "the file is empty") }
        let header = splitFields(headerLine, separator: separator)
        guard let timeName, let timeIndex = header.firstIndex(of: timeName) else {
            throw ReplayError(
                file: file,
                line: 1,
                message: "no time column '\(excerpt(timeName ?? ""))' in the header "
                    + "(\(excerpt(header.joined(separator: ", "))))"
            )
        }
        if wanted.isEmpty {
            wanted = header.enumerated().filter { $0.offset != timeIndex && !excluded.contains($0.element) }.map(
                \.element
            )
        }
        var indices: [Int] = []
        for name in wanted {
            guard let index = header.firstIndex(of: name) else {
                throw ReplayError(file: file, line: 1, message: "no column '\(excerpt(name))' in the header")
            }
            indices.append(index)
        }
        guard !indices.isEmpty else { throw ReplayError(file: file, line: 1, message: "no signal columns") }
        var table = ReplayTable(timeColumn: timeName, columns: wanted, timeTexts: [], times: [], values: [])
        var number = 1
        while let line = try next() {
            number += 1
            guard !line.isEmpty else { continue }
            let fields = splitFields(line, separator: separator)
            guard fields.count == header.count else {
                throw ReplayError(
                    file: file,
                    line: number,
                    message: "\(fields.count) fields where the header has \(header.count)"
                )
            }
            guard let time = parseTime(fields[timeIndex]) else {
                throw ReplayError(
                    file: file,
                    line: number,
                    message: "unreadable time '\(excerpt(fields[timeIndex]))' (ISO 8601, or epoch seconds below 1e11)"
                )
            }
            var row: [Double] = []
            row.reserveCapacity(indices.count)
            for index in indices {
                let cell = fields[index].trimmingSpaces
                if cell.isEmpty {
                    row.append(.nan)
                } else if let value = Double(cell), value.isFinite {
                    row.append(value)
                } else {
                    throw ReplayError(
                        file: file,
                        line: number,
                        message: "column '\(excerpt(header[index]))' holds '\(excerpt(cell))', not a finite number"
                    )
                }
            }
            table.timeTexts.append(fields[timeIndex])
            table.times.append(time)
            table.values.append(row)
        }
        guard !table.times.isEmpty else { throw ReplayError(file: file, message: "the file has no rows") }
        return table
    }

    /// Whether `next` has nothing but empty lines left (it is consumed).
    private static func isAtEnd(_ next: () throws(ReplayError) -> String?) throws(ReplayError) -> Bool {
        while let line = try next() { if !line.isEmpty { return false } }
        return true
    }

    /// At most 120 characters of what a file holds, for an error message.
    static func excerpt(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(120)) + "… (\(text.utf8.count) bytes)"
    }

    /// Splits one line; a field may be quoted with `"` (a doubled quote inside stands for one).
    static func splitFields(_ line: String, separator: Character) -> [String] {
        guard line.contains("\"") else {
            return line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        }
        var fields: [String] = []
        var current = ""
        var quoted = false
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if quoted {
                if character != "\"" {
                    current.append(character)
                } else if index < characters.count, characters[index] == "\"" {
                    current.append("\"")
                    index += 1
                } else {
                    quoted = false
                }
            } else if character == "\"" {
                quoted = true
            } else if character == separator {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// An ISO 8601 date-time (a missing zone means UTC, as in NAB and SKAB) or epoch seconds, less
    /// than 1e11 from the epoch either way (the year 5138), so that differences of times never overflow.
    static func parseTime(_ text: String) -> Timestamp? {
        let trimmed = text.trimmingSpaces
        if let time = Timestamp(iso8601: trimmed) { return time }
        if let time = Timestamp(iso8601: trimmed + "Z") { return time }
        if let seconds = Double(trimmed), seconds.isFinite, abs(seconds) < 1e11 { return Timestamp(seconds: seconds) }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" || slice.first == "\r" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" || slice.last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
