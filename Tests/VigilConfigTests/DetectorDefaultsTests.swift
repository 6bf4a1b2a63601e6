import Foundation
import Testing
import VigilConfig

/// One source for each default: the README's detector table and the schema's defaults say what the
/// code does, for every key of every kind (the code's defaults are the detectors' own settings
/// types, which `vigil config show` writes).
@Suite struct DetectorDefaultsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")

    /// The effective settings of each kind as `vigil config show` writes them, as JSON values.
    static func effective() throws -> [String: [String: Any]] {
        let yaml = """
            broker: {host: 127.0.0.1}
            assets:
              - {name: a, signals: [{name: v, topic: a/v}]}
              - {name: b, signals: [{name: v, topic: b/v}], detector: {kind: lstm}}
              - {name: c, signals: [{name: v, topic: c/v}], detector: {kind: lstm, calibration: shift}}
            """
        let config = try ConfigLoader.parse(yaml)
        var result: [String: [String: Any]] = [:]
        for (name, asset) in zip(["robust", "records", "shift"], config.assets) {
            let data = try JSONEncoder().encode(asset.detector)
            result[name] = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
        return result
    }

    /// Whether a documented value (JSON, or a README cell) is the effective one.
    static func same(_ documented: Any, _ actual: Any) -> Bool {
        switch (documented, actual) {
        case (let a as NSNumber, let b as NSNumber): abs(a.doubleValue - b.doubleValue) < 1e-12
        case (let a as String, let b as String): a == b
        case (let a as [Any], let b as [Any]): a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        default: false
        }
    }

    @Test func theReadmeTableShowsEveryKeyOfEveryKindWithItsDefault() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### `assets[].detector`").dropFirst().first)
        let rows = section.components(separatedBy: "\n").prefix { !$0.hasPrefix("### ") }.filter {
            $0.hasPrefix("| `")
        }
        let effective = try Self.effective()
        var documented: [String: Set<String>] = ["robust": [], "records": [], "shift": []]
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let key = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            for (column, kind) in ["robust", "records", "shift"].enumerated() {
                let cell = cells[column + 1]
                guard cell != "–" else {
                    #expect(effective[kind]?[key] == nil, "\(key) has a value for \(kind) but the README says –")
                    continue
                }
                documented[kind]!.insert(key)
                let text = cell.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                let value =
                    (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) ?? text
                let actual = try #require(effective[kind]?[key], "\(key) is not a setting of \(kind)")
                #expect(Self.same(value, actual), "\(key), \(kind): README \(text), code \(actual)")
            }
        }
        for kind in ["robust", "records", "shift"] {
            #expect(documented[kind] == Set(effective[kind]!.keys), "\(kind): keys the README misses or adds")
        }
    }

    @Test func theSchemaHasEveryKeyOfEveryKindWithItsDefault() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("schemas/config.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let effective = try Self.effective()
        for (kind, definition) in [
            ("robust", "robustDetector"), ("records", "lstmRecordsDetector"), ("shift", "lstmShiftDetector"),
        ] {
            let object = try #require(definitions[definition] as? [String: Any])
            let properties = try #require(object["properties"] as? [String: [String: Any]])
            #expect(Set(properties.keys) == Set(effective[kind]!.keys), "\(definition): keys")
            for (key, property) in properties {
                let documented = property["default"] ?? property["const"]
                guard let documented, let actual = effective[kind]?[key] else { continue }
                #expect(Self.same(documented, actual), "\(definition).\(key): schema \(documented), code \(actual)")
            }
        }
    }
}
