import Testing
import VigilTestSupport

@testable import VigilCore

/// The channels of the records calibration, one by one: records and their warm-up, "the same time
/// one period ago" and its rhythm test, the shape memories, level shifts, and the score mapping.
@Suite struct CalibrationChannelTests {
    @Test func aRecordChannelIsQuietUntilItHasLearnedItsWarmUp() {
        var channel = RecordChannel(averaging: 1, history: 100, quiet: 10)
        for _ in 0..<9 { #expect(channel.ratio(1) == 0) }
        #expect(!channel.isScoring)
        _ = channel.ratio(1)
        #expect(channel.isScoring)
        #expect(channel.ratio(1) == 1)
        #expect(channel.ratio(2) == 2)
        // 2 is the record now.
        #expect(channel.ratio(1) == 0.5)
    }

    @Test func aRecordExpiresAfterTheHistory() {
        var channel = RecordChannel(averaging: 1, history: 10, quiet: 0)
        _ = channel.ratio(5)
        for _ in 0..<10 { #expect(channel.ratio(1) == 0.2) }
        // The 5 has left the last ten ticks.
        #expect(channel.ratio(1) == 1)
    }

    @Test func aLastingChangeBecomesTheRecord() {
        var channel = RecordChannel(averaging: 1, history: 100, quiet: 0)
        for _ in 0..<20 { _ = channel.ratio(1) }
        // A new level is a record once, then part of the records: the channel adapts.
        #expect(channel.ratio(3) == 3)
        #expect(channel.ratio(3) == 1)
    }

    @Test func theMovingAverageSmoothsTheMagnitude() {
        var channel = RecordChannel(averaging: 4, history: 100, quiet: 0)
        for _ in 0..<20 { _ = channel.ratio(1) }
        // One spike of 5 in an average of four: (5 + 3) / 4 = 2 against a record of 1.
        #expect(channel.ratio(5) == 2)
    }

    @Test func theSeasonalChannelStartsAfterAPeriodAndScoresAMissingDailyPeak() {
        let period = 24
        let settings = CalibrationSettings(averaging: 1, history: 1000, quiet: 0)
        var channel = SeasonalChannel(period: period, settings: settings)
        var random = SeededRandom(seed: 3)
        func day(_ hour: Int, peak: Bool) -> Double {
            (peak && (8..<12).contains(hour) ? 10 : 0) + 0.1 * random.gaussian()
        }
        for hour in 0..<period { #expect(channel.ratio(day(hour, peak: true)) == 0) }
        var normal = 0.0
        for index in 0..<20 {
            for hour in 0..<period {
                let ratio = channel.ratio(day(hour, peak: true))
                if index >= 10 { normal = max(normal, ratio) }
            }
        }
        #expect(channel.isScoring)
        var missing = 0.0
        for hour in 0..<period { missing = max(missing, channel.ratio(day(hour, peak: false))) }
        #expect(normal < 2)
        #expect(missing > 10)
    }

    @Test func aSignalWithoutTheRhythmIsNotJudgedByTheSameTimeAPeriodAgo() {
        let settings = CalibrationSettings(averaging: 1, history: 1000, quiet: 0)
        var channel = SeasonalChannel(period: 24, settings: settings)
        var random = SeededRandom(seed: 4)
        // White noise: today says nothing about tomorrow.
        for _ in 0..<(24 * 20) { #expect(channel.ratio(random.gaussian()) == 0) }
        #expect(!channel.isScoring)
        #expect(channel.ratio(50) == 0)
    }

    @Test func theCorrelationOfPairsIsExactAndStableFarFromZero() {
        var correlation = PairCorrelation(horizon: 1000)
        for index in 0..<100 {
            let x = Double(index % 7)
            correlation.add(1e9 + x, 1e9 + 2 * x + 3)
        }
        #expect(abs(correlation.value - 1) < 1e-9)
        var opposite = PairCorrelation(horizon: 1000)
        for index in 0..<100 { opposite.add(Double(index % 5), -Double(index % 5)) }
        #expect(abs(opposite.value + 1) < 1e-9)
    }

    @Test func thePatternChannelKnowsShapesItHasSeenAndScoresANewOne() {
        let settings = CalibrationSettings(history: 2000, quiet: 0, patternSegments: 16, patternMemory: 500)
        var channel = PatternChannel(window: 16, settings: settings)
        var random = SeededRandom(seed: 7)
        // A noisy sawtooth of period 16 far from 0: every window of 16 ticks has been seen many times.
        func saw(_ t: Int) -> Double { 1e6 + Double(t % 16) + 0.1 * random.gaussian() }
        for t in 0..<800 { _ = channel.ratio(saw(t)) }
        var normal = 0.0
        for t in 800..<1600 { normal = max(normal, channel.ratio(saw(t))) }
        // A flat stretch is a shape the memory does not hold.
        var novel = 0.0
        for _ in 0..<16 { novel = max(novel, channel.ratio(1e6 + 8)) }
        #expect(normal < 1.5)
        #expect(novel > 3)
    }

    @Test func aWindowJoinsTheMemoryOnlyAWindowAfterItEnded() {
        let settings = CalibrationSettings(history: 2000, quiet: 0, patternSegments: 8, patternMemory: 1000)
        var channel = PatternChannel(window: 8, settings: settings)
        var random = SeededRandom(seed: 9)
        for _ in 0..<200 { _ = channel.ratio(0.1 * random.gaussian()) }
        // A step to a new level: every window that holds it is new, even the flat windows at the
        // new level, until the first of those (ended 7 ticks after the step) has ended a window
        // ago; from then on it matches exactly.
        let ratios = (0..<24).map { _ in channel.ratio(1) }
        #expect(ratios[0..<15].allSatisfy { $0 > 0 })
        #expect(ratios[16...].allSatisfy { $0 == 0 })
    }

    @Test func aLevelShiftScoresAndASpikeDoesNot() {
        let settings = CalibrationSettings(history: 2000, quiet: 0, shiftWindow: 4)
        var random = SeededRandom(seed: 11)
        var spiked = ShiftChannel(settings: settings)
        var shifted = ShiftChannel(settings: settings)
        var normal = 0.0
        for _ in 0..<400 {
            let value = random.gaussian()
            normal = max(normal, spiked.ratio(value))
            _ = shifted.ratio(value)
        }
        // One reading of 100 moves no median; four at a new level move the recent one.
        var spike = spiked.ratio(100)
        for _ in 0..<3 { spike = max(spike, spiked.ratio(random.gaussian())) }
        var shift = 0.0
        for _ in 0..<4 { shift = max(shift, shifted.ratio(10 + random.gaussian())) }
        #expect(normal < 2)
        #expect(spike < 1.5)
        #expect(shift > 2)
    }

    @Test func everyChannelLearnsFromTheFirstTickAndTheAssetScoresAfterTheWarmUp() {
        var calibrator = ErrorCalibrator(settings: CalibrationSettings(quiet: 50), signals: 1)
        var random = SeededRandom(seed: 13)
        var previous: Double?
        for tick in 0..<200 {
            let value = 10 + random.gaussian()
            let result = calibrator.score(values: [value], errors: previous.map { [value - $0] })
            previous = value
            if tick < 50 { #expect(result.level == 0 && !calibrator.isScoring) }
        }
        #expect(calibrator.isScoring)
        // Far beyond the seen range: a record of the range channel and of the error.
        let jump = calibrator.score(values: [40], errors: [40 - previous!])
        #expect(jump.level > 0.99 && jump.asset > 0.99)
        // The onset was reported; the same level again is not news within the suppression.
        let again = calibrator.score(values: [40], errors: [0])
        #expect(again.asset < jump.asset)
    }

    @Test func theScoreIsOneHalfAtTheRecordAndReachesPointNineNineAtTheMargin() {
        let calibrator = ErrorCalibrator(settings: CalibrationSettings(recordMargin: 0.03), signals: 1)
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
