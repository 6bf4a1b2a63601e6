/// Why run histories could not be read or used; each case names the file and where in it.
public enum RULDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(String, reason: String)
    /// The file holds no rows.
    case empty(String)
    /// A line has the wrong number of fields.
    case fieldCount(String, line: Int, found: Int, expected: Int)
    /// A field is not a finite number.
    case notANumber(String, line: Int, column: String, text: String)
    /// A unit's time does not increase.
    case timeNotIncreasing(String, line: Int, unit: String)
    /// A unit has rows after the row marked as its failure.
    case rowsAfterFailure(String, line: Int, unit: String)
    /// A column the reader or the model needs is absent.
    case missingColumns([String], source: String)
    /// The header names a column twice.
    case duplicateColumn(String, column: String)
    /// No unit ends in a failure, so there is nothing to learn a remaining life from.
    case noFailure(String, units: Int)
    /// Too many rows, columns or units to be a plausible history.
    case tooLarge(String, reason: String)
    /// No column varies by more than its resolution, so nothing can be learned.
    case nothingVaries(String)
    /// The files give different columns.
    case columnsDiffer(String, expected: [String], found: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read: \(reason)"
        case .empty(let file):
            "\(file): no data rows"
        case .fieldCount(let file, let line, let found, let expected):
            "\(file):\(line): \(found) fields, expected \(expected)"
        case .notANumber(let file, let line, let column, let text):
            "\(file):\(line): column \(column): '\(text.prefix(40))' is not a finite number"
        case .timeNotIncreasing(let file, let line, let unit):
            "\(file):\(line): unit \(unit): time does not increase"
        case .rowsAfterFailure(let file, let line, let unit):
            "\(file):\(line): unit \(unit) has rows after its failure"
        case .missingColumns(let names, let source):
            "\(source): no column \(names.map { "'\($0)'" }.joined(separator: ", "))"
        case .duplicateColumn(let file, let column):
            "\(file): column '\(column)' appears twice in the header"
        case .noFailure(let file, let units):
            "\(file): none of its \(units) units ends in a failure, so there is no remaining life to learn; "
                + "mark each unit's failure row with 1 in the failure column (a unit without one is right-censored)"
        case .tooLarge(let file, let reason):
            "\(file): \(reason)"
        case .nothingVaries(let file):
            "\(file): no signal varies by more than its resolution within an operating regime"
        case .columnsDiffer(let file, let expected, let found):
            "\(file): columns \(found.joined(separator: ",")) differ from the first file's \(expected.joined(separator: ","))"
        }
    }
}
