/// Figures read back from the Prometheus text format, for `vigil status` and the tests.
public struct MetricsText: Sendable {
    /// One sample line: a name, its labels and a value.
    public struct Sample: Sendable, Hashable {
        /// The metric name.
        public var name: String
        /// The labels, by name.
        public var labels: [String: String]
        /// The value.
        public var value: Double
    }

    /// The samples, in the order of the text.
    public var samples: [Sample]

    /// Parses `name{label="value",…} number` lines; comments and lines that do not parse are skipped.
    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { Self.sample(Substring($0)) }
    }

    /// The value of the sample with this name whose labels include `labels`; nil when absent.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// The sum over every sample with this name whose labels include `labels` (0 when absent).
    public func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }

    /// Every sample with this name, as label value → value for one label.
    public func values(_ name: String, by label: String) -> [(String, Double)] {
        samples.filter { $0.name == name }.map { ($0.labels[label] ?? "", $0.value) }
    }

    private static func sample(_ line: Substring) -> Sample? {
        let line = line.drop { $0 == " " }
        guard !line.isEmpty, line.first != "#" else { return nil }
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            guard let close = line.lastIndex(of: "}") else { return nil }
            labels = parseLabels(line[line.index(after: brace)..<close])
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        rest = rest.drop { $0 == " " }
        let number = rest.prefix { $0 != " " }
        guard let value = Double(number) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = text[index..<equals].trimmingPrefix(",").trimmingPrefix(" ")
            var cursor = text.index(after: equals)
            guard cursor < text.endIndex, text[cursor] == "\"" else { break }
            cursor = text.index(after: cursor)
            var value = ""
            while cursor < text.endIndex, text[cursor] != "\"" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex {
                    cursor = text.index(after: cursor)
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else {
                    value.append(text[cursor])
                }
                cursor = text.index(after: cursor)
            }
            labels[String(key)] = value
            index = cursor < text.endIndex ? text.index(after: cursor) : cursor
        }
        return labels
    }
}
