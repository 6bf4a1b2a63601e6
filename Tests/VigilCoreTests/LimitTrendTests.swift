import Testing
import VigilCore
import VigilTestSupport

@Suite struct LimitTrendTests {
    let start = Timestamp(milliseconds: 1_795_941_120_000)

    /// A signal rising linearly through noise; the crossing time is known exactly.
    @Test(arguments: [(0.02, 0.5, Prediction.Bound.max), (-0.05, 1.0, .min), (0.005, 0.1, .max)])
    func aLinearDriftIsPredictedWithinTenPercentOfTheTrueCrossingTime(
        _ slope: Double,
        _ noise: Double,
        _ bound: Prediction.Bound
    ) {
        var random = SeededRandom(seed: 21)
        let level = 50.0
        let limit = bound == .max ? 80.0 : 20.0
        let crossing = (limit - level) / slope  // seconds from the start
        var trend = LimitTrend(signal: "t", limit: limit, bound: bound, window: 300)
        var checked = 0
        for second in 0..<Int(crossing) {
            trend.add(level + slope * Double(second) + noise * random.gaussian(), at: start + .seconds(second))
            let remaining = crossing - Double(second)
            // Once the window is full, every estimate until the crossing: within 10% of the time
            // left while that is at least one window, and within a tenth of a window after that.
            guard second >= 300 else { continue }
            guard let prediction = trend.prediction(horizon: 3600) else {
                Issue.record("no prediction at \(second) s, \(remaining) s before the crossing")
                return
            }
            #expect(
                abs(prediction.seconds - remaining) <= 0.1 * max(remaining, 300),
                "at \(second) s: predicted \(prediction.seconds) s, true \(remaining) s"
            )
            checked += 1
        }
        #expect(checked > 100)
    }

    /// 400 drifts, each of its own slope and noise, judged once their window is full: the 90%
    /// interval holds the true crossing time about nine times in ten.
    @Test func theIntervalHoldsTheTrueCrossingTimeAboutNineTimesInTen() {
        var random = SeededRandom(seed: 8)
        var covered = 0
        let count = 400
        for _ in 0..<count {
            let slope = 0.01 + 0.04 * random.uniform()
            let noise = 0.2 + random.uniform()
            var trend = LimitTrend(signal: "t", limit: 100, bound: .max, window: 200)
            for second in 0..<200 {
                trend.add(50 + slope * Double(second) + noise * random.gaussian(), at: start + .seconds(second))
            }
            let remaining = 50 / slope - 199
            guard let prediction = trend.prediction(horizon: 3600) else { continue }
            if prediction.lower <= remaining && remaining <= (prediction.upper ?? .infinity) { covered += 1 }
        }
        #expect(covered >= 340 && covered <= 395, "\(covered) of \(count)")
    }

    /// White noise, a wander (AR(1), as a forecast's errors are, with correlation times of 4, 19
    /// and 39 ticks) and spikes: whatever the horizon, no crossing is ever predicted over 30,000 ticks.
    @Test(arguments: [0.0, 0.6, 0.9, 0.95])
    func aFlatNoisySignalNeverPredictsACrossing(_ persistence: Double) {
        var random = SeededRandom(seed: 5)
        var trend = LimitTrend(signal: "t", limit: 60, bound: .max, window: 300)
        var low = LimitTrend(signal: "t", limit: 40, bound: .min, window: 300)
        var wander = 0.0
        var predictions = 0
        for second in 0..<30_000 {
            wander = persistence * wander + (1 - persistence * persistence).squareRoot() * random.gaussian()
            let spike = second % 997 == 0 ? 15.0 : 0
            let value = 50 + 2 * wander + spike
            trend.add(value, at: start + .seconds(second))
            low.add(value, at: start + .seconds(second))
            if second % 5 == 0 {
                if trend.prediction(horizon: 1e9) != nil { predictions += 1 }
                if low.prediction(horizon: 1e9) != nil { predictions += 1 }
            }
        }
        #expect(predictions == 0, "\(predictions) crossings predicted for a flat signal")
    }

    @Test func aTrendAlreadyBeyondItsLimitIsDueNow() {
        var trend = LimitTrend(signal: "t", limit: 10, bound: .max, window: 20)
        for second in 0..<20 { trend.add(12 + 0.01 * Double(second % 3), at: start + .seconds(second)) }
        let prediction = trend.prediction(horizon: 60)
        #expect(prediction?.seconds == 0 && prediction?.probability == 1)
    }

    @Test func aFallingSignalNeverReachesAnUpperLimit() {
        var trend = LimitTrend(signal: "t", limit: 100, bound: .max, window: 50)
        for second in 0..<50 { trend.add(90 - 0.1 * Double(second), at: start + .seconds(second)) }
        #expect(trend.prediction(horizon: 1e9) == nil)
    }

    @Test func theProbabilityIsOneInTwentyAtTheLowerBoundAndOneHalfAtTheEstimate() {
        let estimate = 100.0
        let lower = 80.0
        let upper = 130.0
        #expect(
            abs(Prediction.probability(within: lower, estimate: estimate, lower: lower, upper: upper) - 0.05) < 1e-6
        )
        #expect(
            abs(Prediction.probability(within: estimate, estimate: estimate, lower: lower, upper: upper) - 0.5) < 1e-9
        )
        #expect(
            abs(Prediction.probability(within: upper, estimate: estimate, lower: lower, upper: upper) - 0.95) < 1e-6
        )
        #expect(Prediction.probability(within: 1000, estimate: estimate, lower: lower, upper: nil) == 0.5)
        #expect(Prediction.probability(within: 10, estimate: estimate, lower: lower, upper: upper) < 1e-6)
    }
}
