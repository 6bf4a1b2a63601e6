/// Text from outside (a topic, a command, a detail quoting a payload) made safe for one log line.
public enum LogText {
    /// Longest text logged; the rest is cut, with the length said.
    public static let maxCharacters = 200

    /// `text` with every control character (newline, carriage return, escape, C1, …) and every
    /// bidirectional override shown as `\u{…}`, cut to `maxCharacters`: a value can neither end the
    /// log line nor colour or rewrite the terminal that shows it.
    public static func escaped(_ text: String) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= maxCharacters {
                result += "… (\(text.utf8.count) bytes)"
                break
            }
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator
            {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}
