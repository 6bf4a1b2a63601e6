import Testing
import VigilCore
import VigilReplay
import VigilTestSupport

/// The replay driver: rows through the pipeline, a score per row, deterministic.
@Suite struct ReplayerTests {
    static let profile = AssetProfile(
        name: "{asset}",
        tick: .seconds(60),
        detector: .robustStatistics(.init(window: 60, warmup: 30)),
        alarm: AlarmPolicy(threshold: 0.99, minDuration: 1, clearBelow: 0.9, clearAfter: 2, cooldown: .seconds(600))
    )

    static func table(rows: Int, spikeAt spike: Int) -> ReplayTable {
        var random = SeededRandom(seed: 4)
        var text = "timestamp,value\n"
        for row in 0..<rows {
            let value = 10 + random.gaussian() + (row == spike ? 25 : 0)
            text += "\(1_700_000_000 + 60 * row),\(value)\n"
        }
        return try! ReplayTable.parse(text, format: .nab, file: "synthetic.csv")
    }

    func replay(_ table: ReplayTable) async -> ReplayResult {
        var replayer = Replayer(profile: Self.profile, asset: "synthetic")
        await replayer.feed(table, rows: 0..<table.count)
        return await replayer.finish(table)
    }

    @Test func scoresEveryRowAndRaisesOneAlarmForASpike() async {
        let table = Self.table(rows: 300, spikeAt: 200)
        let result = await replay(table)
        #expect(result.scores.count == 300 && result.alarms.count == 300)
        #expect(result.scores[200] > 0.99)
        #expect(result.alarms[200] && !result.alarms[199])
        #expect(result.events.map(\.transition) == [.raised, .cleared])
        #expect(result.refusedRows == 0)
        let csv = ReplayOutput.csv(table, result, labelColumn: "alarm")
        #expect(csv.hasPrefix("timestamp,value,anomaly_score,alarm\n1700000000,"))
        #expect(csv.split(separator: "\n").count == 301)
    }

    @Test func theSameInputGivesTheSameOutputTwice() async {
        let table = Self.table(rows: 300, spikeAt: 150)
        let first = await replay(table)
        let second = await replay(table)
        #expect(first == second)
    }

    @Test func countsRowsThatGoBackInTime() async {
        var table = Self.table(rows: 100, spikeAt: 1000)
        table.times[50] = table.times[10]
        let result = await replay(table)
        #expect(result.refusedRows == 1)
        #expect(result.firstRefusal?.reason == .late)
    }
}
