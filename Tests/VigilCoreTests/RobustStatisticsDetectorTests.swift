import Testing
import VigilCore
import VigilTestSupport

@Suite struct RobustStatisticsDetectorTests {
    func tick(_ values: [Double], signals: [String] = ["x"], at index: Int) -> Tick {
        Tick(asset: "a", time: Timestamp(milliseconds: Int64(index) * 1000), signals: signals, values: values)
    }

    @Test func learnsBeforeScoring() {
        var detector = RobustStatisticsDetector(settings: .init(window: 50, warmup: 20))
        var random = SeededRandom(seed: 1)
        for index in 0..<19 {
            #expect(detector.scoreNow(tick([random.gaussian()], at: index)).score == 0)
            #expect(detector.phase == .learning)
        }
        _ = detector.scoreNow(tick([0], at: 19))
        #expect(detector.phase == .active)
    }

    @Test func scoresASpikeHighAndNoiseLow() {
        var detector = RobustStatisticsDetector(settings: .init(window: 100, warmup: 50))
        var random = SeededRandom(seed: 2)
        var noiseScores: [Double] = []
        for index in 0..<300 {
            let detection = detector.scoreNow(tick([10 + random.gaussian()], at: index))
            if index >= 50 { noiseScores.append(detection.score) }
        }
        let spike = detector.scoreNow(tick([10 + 12], at: 300))
        #expect(spike.score > 0.999)
        #expect(spike.contributions.first?.expected ?? 0 > 9 && spike.contributions.first?.expected ?? 0 < 11)
        let falseAlarms = noiseScores.filter { $0 >= 0.99 }.count
        #expect(falseAlarms <= 2, "noise ticks over 0.99: \(falseAlarms) of \(noiseScores.count)")
    }

    @Test func namesTheSignalThatDeviates() {
        var detector = RobustStatisticsDetector(settings: .init(window: 60, warmup: 30))
        var random = SeededRandom(seed: 3)
        for index in 0..<100 {
            _ = detector.scoreNow(tick([random.gaussian(), 50 + random.gaussian()], signals: ["a", "b"], at: index))
        }
        let detection = detector.scoreNow(tick([random.gaussian(), 50 + 15], signals: ["a", "b"], at: 100))
        #expect(detection.contributions.map(\.signal) == ["b", "a"])
    }

    @Test func minimumDeviationSilencesNoiseOnANearFlatSignal() {
        var gated = RobustStatisticsDetector(settings: .init(window: 60, warmup: 30, minDeviation: ["x": 0.5]))
        var ungated = RobustStatisticsDetector(settings: .init(window: 60, warmup: 30))
        var random = SeededRandom(seed: 4)
        for index in 0..<100 {
            let value = 20 + 0.001 * random.gaussian()
            _ = gated.scoreNow(tick([value], at: index))
            _ = ungated.scoreNow(tick([value], at: index))
        }
        #expect(gated.scoreNow(tick([20.2], at: 100)).score == 0)
        #expect(ungated.scoreNow(tick([20.2], at: 100)).score > 0.99)
    }

    @Test func callsARepeatedValueAStuckSensor() {
        var detector = RobustStatisticsDetector(settings: .init(window: 60, warmup: 30, stuckAfter: 10))
        var random = SeededRandom(seed: 5)
        for index in 0..<60 { _ = detector.scoreNow(tick([random.gaussian()], at: index)) }
        var last = Detection(score: 0, kind: .anomaly, contributions: [])
        for index in 60..<72 { last = detector.scoreNow(tick([0.1], at: index)) }
        #expect(last.score == 1)
        #expect(last.kind == .sensorFault)
    }
}
