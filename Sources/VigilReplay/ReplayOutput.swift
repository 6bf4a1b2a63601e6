/// Writes a replay's per-row results as CSV: the time as in the input, the values, the score, and
/// optionally the alarm label (1 while an alarm is open). For NAB input this is NAB's results
/// format, `timestamp,value,anomaly_score`.
public enum ReplayOutput {
    /// The CSV text.
    public static func csv(_ table: ReplayTable, _ result: ReplayResult, labelColumn: String?) -> String {
        var header = [table.timeColumn] + table.columns.map(quoted) + ["anomaly_score"]
        if let labelColumn { header.append(quoted(labelColumn)) }
        var text = header.joined(separator: ",") + "\n"
        text.reserveCapacity(table.count * (24 + 12 * (table.columns.count + 2)))
        for row in 0..<table.count {
            text += quoted(table.timeTexts[row])
            for value in table.values[row] {
                text += ","
                if !value.isNaN { text += number(value) }
            }
            text += "," + String(result.scores[row])
            if labelColumn != nil { text += result.alarms[row] ? ",1" : ",0" }
            text += "\n"
        }
        return text
    }

    /// A value as short as it reads back exactly, integers without ".0".
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(",") || field.contains("\"") else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
