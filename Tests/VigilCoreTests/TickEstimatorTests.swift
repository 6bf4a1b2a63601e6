import Testing
import VigilCore

/// An asset's tick from its readings: the median gap of each signal's readings, rounded to about 2%.
@Suite struct TickEstimatorTests {
    static let cases: [(gaps: [Int64], tick: Int64)] = [
        ([10_040, 9_980, 10_010, 10_000, 9_960], 10_000), ([300_000, 300_000, 300_000], 300_000),
        ([86_400_000, 86_400_000], 86_400_000), ([250, 251, 249], 250), ([1003, 997, 1001], 1000),
        ([59_900, 60_100, 60_000], 60_000), ([1_800_000], 1_800_000), ([3, 4, 2], 10), ([0, -5], 1000),
    ]

    @Test func theTickIsTheMedianGapRoundedToAboutTwoPercent() {
        for (gaps, tick) in Self.cases {
            #expect(TickEstimator.tick(fromGaps: gaps) == .milliseconds(tick), "\(gaps)")
        }
    }

    @Test func gapsAreMeasuredPerSignalNotBetweenInterleavedSignals() {
        var estimator = TickEstimator()
        // Two signals every 10 s, the second 5 s after the first: readings 5 s apart, each signal
        // every 10 s.
        for index in 0..<10 {
            estimator.add(signal: "a", milliseconds: Int64(index) * 10_000)
            estimator.add(signal: "b", milliseconds: Int64(index) * 10_000 + 5000)
        }
        #expect(estimator.spacing == .seconds(10))
    }

    @Test func thereIsNoEstimateBeforeEightGaps() {
        var estimator = TickEstimator()
        for index in 0..<8 { estimator.add(signal: "a", milliseconds: Int64(index) * 1000) }
        #expect(estimator.spacing == nil)
        estimator.add(signal: "a", milliseconds: 8000)
        #expect(estimator.spacing == .seconds(1))
    }

    @Test func timeStampsAtTheEndsOfTheRangeDoNotTrap() {
        var estimator = TickEstimator()
        estimator.add(signal: "a", milliseconds: .min)
        for index in 0..<8 { estimator.add(signal: "a", milliseconds: .max - 8 + Int64(index)) }
        #expect(estimator.spacing != nil)
    }

    @Test func aConfiguredTickMatchesReadingsWithinTwentyPercent() {
        #expect(TickEstimator.matches(tick: .seconds(10), spacing: .seconds(11)))
        #expect(!TickEstimator.matches(tick: .seconds(1), spacing: .seconds(10)))
        #expect(!TickEstimator.matches(tick: .seconds(60), spacing: .seconds(10)))
    }
}
