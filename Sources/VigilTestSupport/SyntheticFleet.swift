/// Run-to-failure histories of a small synthetic fleet, for the remaining-life tests: each unit
/// wears at its own pace (a hidden health falls from 1 to 0 over its life, slowly at first, then
/// faster), three sensors follow the wear with their own gains and noise, a fourth never moves,
/// and an operating setting flips between two regimes that shift every sensor.
public struct SyntheticFleet: Sendable {
    /// One unit: its rows and its length.
    public struct Unit: Sendable {
        /// The unit's id.
        public var id: Int
        /// Steps until its failure (the last row is the failure).
        public var life: Int
        /// Rows: setting, s1, s2, s3, s4.
        public var rows: [[Double]]
    }

    /// The units.
    public let units: [Unit]

    /// A fleet of `count` units with lives between `shortest` and `longest` steps.
    public init(count: Int, shortest: Int = 60, longest: Int = 120, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        units = (0..<count).map { index in
            let life = shortest + Int(random.uniform() * Double(longest - shortest + 1))
            let rows = (0..<life).map { step -> [Double] in
                let age = Double(step) / Double(life - 1)
                let wear = age * age
                let regime = random.uniform() < 0.5 ? 0.0 : 1.0
                return [
                    regime,
                    10 + 5 * regime + 4 * wear + 0.3 * random.gaussian(),
                    50 - 8 * regime - 6 * wear + 0.5 * random.gaussian(),
                    1 + 0.5 * regime + 2 * wear + 0.2 * random.gaussian(),
                    7,
                ]
            }
            return Unit(id: index + 1, life: life, rows: rows)
        }
    }

    /// The column header of `csv`.
    public static let header = "unit,time,setting,s1,s2,s3,s4,failure"

    /// The fleet as CSV: `unit,time,setting,s1,s2,s3,s4,failure`. With `failures`, each unit's last
    /// row is marked 1 in the failure column; `cutAt` keeps only the first steps of a unit
    /// (a unit cut before its failure is right-censored).
    public func csv(failures: Bool = true, cutAt: (Unit) -> Int? = { _ in nil }) -> String {
        var lines = [Self.header]
        for unit in units {
            let kept = min(cutAt(unit) ?? unit.life, unit.life)
            for step in 0..<kept {
                let row = unit.rows[step]
                let failed = failures && step == unit.life - 1
                let values = row.map { String($0) }.joined(separator: ",")
                lines.append("\(unit.id),\(step + 1),\(values),\(failed ? 1 : 0)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
