import Testing
import VigilTestSupport

@testable import VigilCore

/// The channels of the records calibration, one by one: records and their warm-up, learning held
/// back under an alarm, "the same time one period ago", the shape memory, and the score mapping.
@Suite struct CalibrationChannelTests {
    @Test func aRecordChannelIsQuietUntilItHasLearnedItsWarmUp() {
        var channel = RecordChannel(averaging: 1, history: 100, quiet: 10)
        for _ in 0..<9 { #expect(channel.ratio(1, learn: true) == 0) }
        #expect(!channel.isScoring)
        _ = channel.ratio(1, learn: true)
        #expect(channel.isScoring)
        #expect(channel.ratio(1, learn: true) == 1)
        #expect(channel.ratio(2, learn: true) == 2)
        // 2 is the record now.
        #expect(channel.ratio(1, learn: true) == 0.5)
        // Ticks under an alarm are not learned: the quiet count does not advance either.
        var frozen = RecordChannel(averaging: 1, history: 100, quiet: 5)
        for _ in 0..<20 { _ = frozen.ratio(1, learn: false) }
        #expect(!frozen.isScoring)
    }

    @Test func aRecordExpiresAfterTheHistory() {
        var channel = RecordChannel(averaging: 1, history: 10, quiet: 0)
        _ = channel.ratio(5, learn: true)
        for _ in 0..<10 { #expect(channel.ratio(1, learn: true) == 0.2) }
        // The 5 has left the last ten learned ticks.
        #expect(channel.ratio(1, learn: true) == 1)
    }

    @Test func whatAnAlarmSawIsLearnedOnceItHasCleared() {
        var channel = RecordChannel(averaging: 1, history: 100, quiet: 0)
        for _ in 0..<20 { _ = channel.ratio(1, learn: true) }
        // Under the alarm the excursion keeps scoring against the record of normal operation...
        for _ in 0..<5 { #expect(channel.ratio(3, learn: false) == 3) }
        // ...and once it has cleared, the channel knows it was there.
        #expect(channel.ratio(1, learn: true) == 1)
        #expect(channel.ratio(1, learn: true) == 1.0 / 3)
        #expect(channel.ratio(3, learn: true) == 1)
    }

    @Test func theMovingAverageSmoothsTheMagnitude() {
        var channel = RecordChannel(averaging: 4, history: 100, quiet: 0)
        for _ in 0..<20 { _ = channel.ratio(1, learn: true) }
        // One spike of 5 in an average of four: (5 + 3) / 4 = 2 against a record of 1.
        #expect(channel.ratio(5, learn: true) == 2)
    }

    @Test func theSeasonalChannelStartsAfterAPeriodAndScoresAMissingDailyPeak() {
        let period = 24
        let settings = CalibrationSettings(averaging: 1, history: 1000, quiet: 0)
        var channel = SeasonalChannel(period: period, settings: settings)
        var random = SeededRandom(seed: 3)
        func day(_ hour: Int, peak: Bool) -> Double {
            (peak && (8..<12).contains(hour) ? 10 : 0) + 0.1 * random.gaussian()
        }
        for hour in 0..<period { #expect(channel.ratio(day(hour, peak: true), learn: true) == 0) }
        var normal = 0.0
        for index in 0..<20 {
            for hour in 0..<period {
                let ratio = channel.ratio(day(hour, peak: true), learn: true)
                if index >= 10 { normal = max(normal, ratio) }
            }
        }
        var missing = 0.0
        for hour in 0..<period { missing = max(missing, channel.ratio(day(hour, peak: false), learn: false)) }
        #expect(normal < 2)
        #expect(missing > 10)
    }

    @Test func thePatternChannelKnowsShapesItHasSeenAndScoresANewOne() {
        let settings = CalibrationSettings(
            history: 2000,
            quiet: 0,
            patternWindow: 16,
            patternSegments: 4,
            patternMemory: 500,
            patternEvery: 1
        )
        var channel = PatternChannel(settings: settings)
        var random = SeededRandom(seed: 7)
        // A noisy sawtooth of period 16: every window of 16 ticks has been seen many times.
        func saw(_ t: Int) -> Double { Double(t % 16) + 0.1 * random.gaussian() }
        for t in 0..<400 { _ = channel.ratio(saw(t), learn: true) }
        var normal = 0.0
        for t in 400..<800 { normal = max(normal, channel.ratio(saw(t), learn: true)) }
        // A flat stretch is a shape the memory does not hold.
        var novel = 0.0
        for _ in 0..<16 { novel = max(novel, channel.ratio(8, learn: false)) }
        #expect(normal < 1.5)
        #expect(novel > 5)
    }

    @Test func aWindowJoinsTheMemoryOnlyAWindowAfterItEnded() {
        let settings = CalibrationSettings(
            history: 2000,
            quiet: 0,
            patternWindow: 8,
            patternSegments: 8,
            patternMemory: 1000,
            patternEvery: 1
        )
        var channel = PatternChannel(settings: settings)
        var random = SeededRandom(seed: 9)
        for _ in 0..<200 { _ = channel.ratio(0.1 * random.gaussian(), learn: true) }
        // A step to a new level: every window that holds it is new, even the flat windows at the
        // new level, until the first of those (ended 7 ticks after the step) has ended a window
        // ago; from then on it matches exactly.
        let ratios = (0..<24).map { _ in channel.ratio(1, learn: true) }
        #expect(ratios[0..<15].allSatisfy { $0 > 0 })
        #expect(ratios[15...].allSatisfy { $0 == 0 })
    }

    @Test func theScoreIsOneHalfAtTheRecordAndReachesPointNineNineAtTheMargin() {
        let calibrator = ErrorCalibrator(settings: CalibrationSettings(recordMargin: 0.03), rows: [[0]], residuals: [])
        #expect(calibrator.score(ratio: 0) == 0)
        #expect(abs(calibrator.score(ratio: 1) - 0.5) < 1e-12)
        #expect(abs(calibrator.score(ratio: 1.03) - 0.99) < 1e-9)
        // Strictly increasing, and large ratios stay apart below 1.
        let ratios = [0.5, 0.9, 1, 1.01, 1.02, 1.03, 1.031, 1.1, 2, 10, 100]
        let scores = ratios.map { calibrator.score(ratio: $0) }
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 < $1 })
        #expect(scores.last! < 1)
    }

    @Test func seasonalChannelsAreADayAndAWeekWhereTheTickDividesThem() {
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(300)) == [288, 2016])
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(1800)) == [48, 336])
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(60)) == [1440, 10_080])
        // A week of 30-second ticks is longer than a channel keeps; a day of seconds too.
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(30)) == [2880])
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(1)) == [])
        // 7 minutes divide a week but not a day; 11 minutes divide neither.
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(420)) == [1440])
        #expect(LSTMDetector.seasonalPeriods(tick: .seconds(660)) == [])
    }
}
