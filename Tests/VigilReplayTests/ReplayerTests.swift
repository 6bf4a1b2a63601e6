import Foundation
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

    /// The univariate default's detector, smaller and quicker: learns 300 ticks, 4 epochs.
    static let lstmProfile = AssetProfile(
        name: "{asset}",
        tick: .seconds(60),
        detector: .lstm(
            LSTMDetector.Settings(
                warmup: 300,
                activationDelay: 10,
                retrainEvery: 400,
                history: 600,
                forecast: ForecastSettings(hidden: 8, window: 16, epochs: 4),
                calibration: CalibrationSettings(history: 1000, suppression: 100, quiet: 100),
                fallback: .init(window: 60, warmup: 30)
            )
        ),
        alarm: AlarmPolicy(threshold: 0.99, minDuration: 3, clearBelow: 0.9, clearAfter: 3, cooldown: .seconds(600))
    )

    /// A daily wave with noise, a spike at 700 and a lasting shift from 1,000.
    static func wave(rows: Int) -> ReplayTable {
        var random = SeededRandom(seed: 11)
        var text = "timestamp,value\n"
        for row in 0..<rows {
            let day = 10 * sin(Double(row) * 2 * .pi / 1440)
            let value = 50 + day + random.gaussian() + (row == 700 ? 30 : 0) + (row >= 1000 ? 15 : 0)
            text += "\(1_700_000_000 + 60 * row),\(value)\n"
        }
        return try! ReplayTable.parse(text, format: .nab, file: "wave.csv")
    }

    /// Split while the model scores, after its first retraining (at 710), and while the alarm of
    /// the shift is open (its second tick; `nil` below).
    @Test(arguments: [450, 800, nil])
    func aReplayInterruptedAndResumedFromItsStateScoresLikeOneUninterruptedRun(_ at: Int?) async throws {
        let table = Self.wave(rows: 1400)
        var whole = Replayer(profile: Self.lstmProfile, asset: "wave")
        await whole.feed(table, rows: 0..<table.count)
        let expected = await whole.finish(table)
        #expect(expected.events.contains { $0.transition == .raised })
        let shiftAlarm = try #require((1000..<1100).first { expected.alarms[$0] })
        let split = at ?? shiftAlarm + 1
        #expect(expected.alarms[split] == (at == nil))

        var firstTable = table
        firstTable.times = Array(table.times[..<split])
        firstTable.values = Array(table.values[..<split])
        var first = Replayer(profile: Self.lstmProfile, asset: "wave")
        await first.feed(firstTable, rows: 0..<split)
        let firstResult = await first.finish(firstTable)
        // The state goes through its file format, as between two runs of `vigil replay --state`.
        let saved = try JSONDecoder().decode(ReplayState.self, from: JSONEncoder().encode(first.state))

        var restTable = table
        restTable.times = Array(table.times[split...])
        restTable.values = Array(table.values[split...])
        var second = Replayer(profile: Self.lstmProfile, asset: "wave")
        second.resume(from: saved)
        await second.feed(restTable, rows: 0..<restTable.count)
        let secondResult = await second.finish(restTable)

        // Bit for bit: the tolerance is 0.
        #expect(firstResult.scores == Array(expected.scores[..<split]))
        #expect(secondResult.scores == Array(expected.scores[split...]))
        #expect(secondResult.alarms == Array(expected.alarms[split...]))
        #expect(firstResult.events + secondResult.events == expected.events)
    }
}
