import Testing
import VigilModel
import VigilPrognosis
import VigilTestSupport

@Suite struct InputPlanTests {
    @Test func sixTightOperatingPointsAreSixRegimesAndJitterAroundOneIsOne() {
        var random = SeededRandom(seed: 4)
        let points: [[Double]] = [
            [0, 0, 100], [10, 0.25, 100], [20, 0.7, 100], [25, 0.62, 60], [35, 0.84, 100], [42, 0.84, 100],
        ]
        let six = (0..<3000).map { index -> [Double] in
            let point = points[index % 6]
            return [point[0] + 0.003 * random.gaussian(), point[1] + 0.0003 * random.gaussian(), point[2]]
        }
        let found = RegimeClustering.fit(six)
        #expect(found.centroids.count == 6)
        // Every row is assigned to the regime of its own operating point.
        for index in 0..<60 { #expect(found.regime(of: six[index]) == found.regime(of: six[index % 6])) }
        let jitter = (0..<3000).map { _ in [0.002 * random.gaussian(), 0.0003 * random.gaussian(), 100] }
        #expect(RegimeClustering.fit(jitter).centroids.count == 1)
    }

    @Test func signalsThatVaryLessThanTheirResolutionAreDroppedAndEachRegimeIsNormalisedApart() throws {
        let text = SyntheticFleet(count: 6, seed: 2).csv()
        var histories = try RunFileReader(format: .csv, settingColumns: ["setting"]).parse(text, file: "fleet.csv")
        // A signal that flips between two neighbouring readings, as C-MAPSS's s6 does.
        histories.columns.append("s5")
        for unit in histories.units.indices {
            for step in histories.units[unit].values.indices {
                histories.units[unit].values[step].append(step % 50 == 0 ? 21.61 : 21.60)
            }
        }
        let plan = try InputPlan.fit(histories)
        #expect(plan.signals == ["s1", "s2", "s3"])
        #expect(plan.regimes.centroids.count == 2)
        let rows = histories.units.flatMap(\.values).map { row in [row[0], row[1], row[2], row[3]] }
        let normalised = plan.normalise(rows)
        for regime in [0.0, 1.0] {
            let picked = rows.indices.filter { rows[$0][0] == regime }
            let s1 = picked.map { Double(normalised[$0 * 3]) }
            let mean = s1.reduce(0, +) / Double(s1.count)
            let deviation = (s1.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(s1.count)).squareRoot()
            #expect(abs(mean) < 1e-3 && abs(deviation - 1) < 1e-3, "regime \(regime): mean \(mean), sd \(deviation)")
        }
    }

    @Test func aFileWhereNothingVariesIsRefused() throws {
        let text = "unit,time,a,failure\n1,1,5,0\n1,2,5,1\n2,1,5,0\n2,2,5,1\n"
        let histories = try RunFileReader(format: .csv).parse(text, file: "flat.csv")
        #expect(throws: RULDataError.nothingVaries("flat.csv")) { try InputPlan.fit(histories) }
    }
}
