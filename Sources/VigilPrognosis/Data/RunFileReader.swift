internal import Crypto
internal import Foundation

/// Reads run histories from files: NASA's C-MAPSS text layout, or a CSV with a header, a unit
/// column, a time column and an optional failure column.
public struct RunFileReader: Sendable {
    /// The layouts read.
    public enum Format: String, Sendable, CaseIterable {
        /// C-MAPSS: space-separated unit, cycle, three operational settings and 21 sensors, no
        /// header. Every unit of a file runs to failure at its last cycle (the training files'
        /// convention); for prediction the flag is not used.
        case cmapss
        /// CSV with a header. Every other column is a signal.
        case csv
        /// C-MAPSS for `.txt` files whose first line has 26 numbers, else CSV.
        case auto
    }

    /// The layout.
    public var format: Format
    /// CSV: the unit column.
    public var unitColumn: String
    /// CSV: the time column (it orders the steps; one row is one step).
    public var timeColumn: String
    /// CSV: the failure column; a unit whose row has a non-zero value there failed at that row,
    /// a unit with none is right-censored. Absent from the file: every unit is censored.
    public var failureColumn: String
    /// CSV: the operating-setting columns (regimes are found from them). C-MAPSS: its three.
    public var settingColumns: [String]

    /// The most rows read from one file.
    public static let maxRows = 5_000_000
    /// The most value columns.
    public static let maxColumns = 1024

    /// Creates a reader.
    public init(
        format: Format = .auto,
        unitColumn: String = "unit",
        timeColumn: String = "time",
        failureColumn: String = "failure",
        settingColumns: [String] = []
    ) {
        self.format = format
        self.unitColumn = unitColumn
        self.timeColumn = timeColumn
        self.failureColumn = failureColumn
        self.settingColumns = settingColumns
    }

    /// The C-MAPSS column names after unit and cycle.
    public static let cmapssColumns = ["setting1", "setting2", "setting3"] + (1...21).map { "s\($0)" }

    /// Reads and joins files (their units are distinct: with several files, unit ids are prefixed
    /// with the file's name).
    public func read(_ paths: [String]) throws(RULDataError) -> RunHistories {
        precondition(!paths.isEmpty)
        var hash = SHA256()
        var joined: RunHistories?
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadable(
                    path,
                    reason: FileManager.default.fileExists(atPath: path) ? "permission" : "no such file"
                )
            }
            hash.update(data: data)
            var histories = try parse(String(decoding: data, as: UTF8.self), file: path)
            if paths.count > 1 {
                let name = (path as NSString).lastPathComponent
                for index in histories.units.indices {
                    histories.units[index].unit = "\(name):\(histories.units[index].unit)"
                }
            }
            if var first = joined {
                guard first.columns == histories.columns else {
                    throw .columnsDiffer(path, expected: first.columns, found: histories.columns)
                }
                first.units += histories.units
                first.sources += histories.sources
                joined = first
            } else {
                joined = histories
            }
        }
        var result = joined!
        result.digest = Self.digest(hash.finalize())
        return result
    }

    /// Parses one file's text (its digest is the SHA-256 of the text's UTF-8 bytes).
    public func parse(_ text: String, file: String) throws(RULDataError) -> RunHistories {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        var histories: RunHistories
        switch format {
        case .cmapss: histories = try parseCMAPSS(lines, file: file)
        case .csv: histories = try parseCSV(lines, file: file)
        case .auto:
            let first = lines.first { !$0.allSatisfy(\.isWhitespace) } ?? ""
            let fields = first.split(whereSeparator: \.isWhitespace)
            let looksCMAPSS = file.hasSuffix(".txt") && fields.count == 26 && fields.allSatisfy { Double($0) != nil }
            histories = try looksCMAPSS ? parseCMAPSS(lines, file: file) : parseCSV(lines, file: file)
        }
        histories.digest = Self.digest(SHA256.hash(data: Data(text.utf8)))
        return histories
    }

    static func digest(_ hash: SHA256.Digest) -> String {
        "sha256:" + hash.map { String(format: "%02x", $0) }.joined()
    }

    private func parseCMAPSS(_ lines: [Substring], file: String) throws(RULDataError) -> RunHistories {
        var builder = UnitBuilder(file: file)
        for (index, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 26 else {
                throw .fieldCount(file, line: index + 1, found: fields.count, expected: 26)
            }
            var numbers: [Double] = []
            numbers.reserveCapacity(26)
            for (column, field) in fields.enumerated() {
                guard let value = Double(field), value.isFinite, abs(value) < 1e15 else {
                    let name = column == 0 ? "unit" : column == 1 ? "cycle" : Self.cmapssColumns[column - 2]
                    throw .notANumber(file, line: index + 1, column: name, text: String(field))
                }
                numbers.append(value)
            }
            try builder.add(
                unit: String(fields[0]),
                time: numbers[1],
                values: Array(numbers[2...]),
                failure: false,
                line: index + 1
            )
        }
        // Every unit of a C-MAPSS file runs to failure at its last cycle.
        var units = try builder.finish()
        for index in units.indices { units[index].failed = true }
        return RunHistories(
            columns: Self.cmapssColumns,
            settings: ["setting1", "setting2", "setting3"],
            units: units,
            stepUnit: "cycle",
            digest: "",
            sources: [file]
        )
    }

    private func parseCSV(_ lines: [Substring], file: String) throws(RULDataError) -> RunHistories {
        guard let headerIndex = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw .empty(file)
        }
        let header = Self.fields(lines[headerIndex])
        var seen: Set<String> = []
        for name in header where !seen.insert(name).inserted { throw .duplicateColumn(file, column: name) }
        let required = [unitColumn, timeColumn] + settingColumns
        let absent = required.filter { !header.contains($0) }
        guard absent.isEmpty else { throw .missingColumns(absent, source: file) }
        let unitIndex = header.firstIndex(of: unitColumn)!
        let timeIndex = header.firstIndex(of: timeColumn)!
        let failureIndex = header.firstIndex(of: failureColumn)
        let valueIndices = header.indices.filter { $0 != unitIndex && $0 != timeIndex && $0 != failureIndex }
        guard valueIndices.count <= Self.maxColumns else {
            throw .tooLarge(file, reason: "\(valueIndices.count) columns; at most \(Self.maxColumns)")
        }
        var builder = UnitBuilder(file: file)
        for index in (headerIndex + 1)..<lines.count where !lines[index].allSatisfy(\.isWhitespace) {
            let fields = Self.fields(lines[index])
            guard fields.count == header.count else {
                throw .fieldCount(file, line: index + 1, found: fields.count, expected: header.count)
            }
            func number(_ column: Int) throws(RULDataError) -> Double {
                guard let value = Double(fields[column]), value.isFinite, abs(value) < 1e15 else {
                    throw .notANumber(file, line: index + 1, column: header[column], text: fields[column])
                }
                return value
            }
            var values: [Double] = []
            values.reserveCapacity(valueIndices.count)
            for column in valueIndices { values.append(try number(column)) }
            let failure = try failureIndex.map { column throws(RULDataError) in try number(column) != 0 } ?? false
            try builder.add(
                unit: fields[unitIndex],
                time: try number(timeIndex),
                values: values,
                failure: failure,
                line: index + 1
            )
        }
        return RunHistories(
            columns: valueIndices.map { header[$0] },
            settings: settingColumns,
            units: try builder.finish(),
            stepUnit: "row",
            digest: "",
            sources: [file]
        )
    }

    /// The comma-separated fields of a line, trimmed, with surrounding quotes removed.
    static func fields(_ line: Substring) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { field in
            var text = field.trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
    }
}

/// Collects rows into units, checking that time increases and nothing follows a failure.
private struct UnitBuilder {
    let file: String
    var units: [UnitRun] = []
    var index: [String: Int] = [:]
    var rows = 0

    init(file: String) {
        self.file = file
    }

    mutating func add(unit: String, time: Double, values: [Double], failure: Bool, line: Int) throws(RULDataError) {
        rows += 1
        guard rows <= RunFileReader.maxRows else {
            throw .tooLarge(file, reason: "more than \(RunFileReader.maxRows) rows")
        }
        guard !unit.isEmpty, unit.count <= 64 else {
            throw .notANumber(file, line: line, column: "unit", text: unit)
        }
        guard let position = index[unit] else {
            index[unit] = units.count
            units.append(UnitRun(unit: unit, times: [time], values: [values], failed: failure))
            return
        }
        guard !units[position].failed else { throw .rowsAfterFailure(file, line: line, unit: unit) }
        guard time > units[position].times.last! else { throw .timeNotIncreasing(file, line: line, unit: unit) }
        units[position].times.append(time)
        units[position].values.append(values)
        units[position].failed = failure
    }

    func finish() throws(RULDataError) -> [UnitRun] {
        guard !units.isEmpty else { throw .empty(file) }
        return units
    }
}
