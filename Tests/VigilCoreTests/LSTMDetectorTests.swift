import Foundation
import Testing
import VigilTestSupport

@testable import VigilCore

/// The neural detector through the pipeline: its lifecycle, alarms on lasting faults, the
/// operator's "accept new normal", determinism, and which signal it blames.
// Serialized: the trainings are CPU-bound, and the suite should not starve the timing-sensitive
// network tests that run beside it.
@Suite(.serialized) struct LSTMDetectorTests {
    /// A small, fast configuration: 120 ticks of warm-up, training for 4 epochs.
    static func settings(
        method: LSTMDetector.CalibrationMethod = .shift,
        signals: Int = 1
    ) -> LSTMDetector.Settings {
        LSTMDetector.Settings(
            warmup: 120,
            activationDelay: 5,
            history: 400,
            forecast: ForecastSettings(
                hidden: 4,
                window: 16,
                epochs: 4,
                independentSignals: signals > 1,
                autoregressive: 2
            ),
            method: method,
            fallback: .init(window: 60, warmup: 30)
        )
    }

    static func profile(_ settings: LSTMDetector.Settings) -> AssetProfile {
        AssetProfile(
            name: "{asset}",
            tick: .seconds(1),
            detector: .lstm(settings),
            alarm: AlarmPolicy(
                threshold: 0.99,
                minDuration: 5,
                clearBelow: 0.96,
                clearAfter: 5,
                cooldown: .seconds(60)
            )
        )
    }

    /// Ticks of `signals` noisy signals; from `shiftAt` on, signal `shifted` is `shift` higher.
    static func series(
        ticks: Int,
        signals: Int = 1,
        shiftAt: Int = .max,
        shifted: Int = 0,
        shift: Double = 0,
        seed: UInt64 = 5
    )
        -> [[Double]]
    {
        var random = SeededRandom(seed: seed)
        return (0..<ticks).map { t in
            (0..<signals).map { s in
                10 * Double(s + 1) + random.gaussian() + (t >= shiftAt && s == shifted ? shift : 0)
            }
        }
    }

    static func run(_ rows: [[Double]], pipeline: inout Pipeline, from start: Int = 0) async throws -> [PipelineOutput]
    {
        var outputs: [PipelineOutput] = []
        for (offset, row) in rows.enumerated() {
            for (s, value) in row.enumerated() {
                outputs += try await pipeline.process(
                    Reading(
                        asset: "pump",
                        signal: "s\(s)",
                        value: value,
                        time: Timestamp(milliseconds: Int64(start + offset) * 1000)
                    )
                )
            }
        }
        return outputs
    }

    static func events(_ outputs: [PipelineOutput]) -> [Event] {
        outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    static func states(_ outputs: [PipelineOutput]) -> [AssetState] {
        outputs.compactMap { if case .assetState(_, let state) = $0 { state } else { nil } }
    }

    @Test func goesFromLearningThroughTrainingToActiveAtFixedTicks() async {
        var detector = LSTMDetector(settings: Self.settings())
        let rows = Self.series(ticks: 200)
        var seen: [LSTMDetector.ModelState] = []
        var names: [String] = []
        for (t, row) in rows.enumerated() {
            _ = await detector.score(
                Tick(asset: "a", time: Timestamp(milliseconds: Int64(t) * 1000), signals: ["s0"], values: row),
                alarmOpen: false
            )
            seen.append(detector.modelState)
            names.append(detector.name)
        }
        // The warm-up's 120th tick starts training; the model takes over 5 ticks later.
        #expect(seen[118] == .learning)
        #expect(seen[119] == .training)
        #expect(seen[123] == .training)
        #expect(seen[124] == .active)
        #expect(seen.last == .active)
        #expect(names[100] == "robust-mad" && names[150] == "lstm")
    }

    @Test func theStateTopicSaysLearningUntilTheModelScores() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings())])
        let outputs = try await Self.run(Self.series(ticks: 200), pipeline: &pipeline)
        #expect(Self.states(outputs) == [.learning, .normal])
    }

    @Test func aLastingLevelShiftRaisesOneAlarmThatStaysOpenWithTheShiftCalibration() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings(method: .shift))])
        let rows = Self.series(ticks: 600, shiftAt: 300, shift: 8)
        let outputs = try await Self.run(rows, pipeline: &pipeline)
        let events = Self.events(outputs)
        #expect(events.map(\.transition).filter { $0 == .raised }.count == 1)
        #expect(!events.contains { $0.transition == .cleared })
        let raised = try #require(events.first { $0.transition == .raised })
        #expect(raised.time.milliseconds >= 300_000 && raised.time.milliseconds < 320_000)
        #expect(raised.detector == "lstm")
        // 300 ticks later the shifted level has not been learned as normal: still in alarm.
        #expect(pipeline.openAlarm(of: "pump") != nil)
    }

    @Test func aLastingLevelShiftIsOneAlarmAtItsOnsetAndThenTheNewNormalWithTheRecordsCalibration() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings(method: .records))])
        let rows = Self.series(ticks: 900, shiftAt: 450, shift: 8)
        let events = Self.events(try await Self.run(rows, pipeline: &pipeline))
        #expect(events.map(\.transition).filter { $0 == .raised }.count == 1, "\(events.map(\.transition))")
        let raised = try #require(events.first { $0.transition == .raised })
        #expect(raised.time.milliseconds >= 450_000 && raised.time.milliseconds < 460_000)
        // Every channel keeps learning, so the new level becomes the asset's normal.
        #expect(events.last?.transition == .cleared)
        #expect(pipeline.openAlarm(of: "pump") == nil)
    }

    @Test func anAssetScoresFromItsFirstTicksBeforeAnyModel() async throws {
        var settings = Self.settings(method: .records)
        settings.calibration.quiet = 50
        var pipeline = Pipeline(profiles: [Self.profile(settings)])
        var rows = Self.series(ticks: 100)
        for t in 80..<90 { rows[t][0] += 30 }
        let outputs = try await Self.run(rows, pipeline: &pipeline)
        // Learning for the channels' 50 ticks, then normal: no model has been trained yet.
        #expect(Self.states(outputs).prefix(2) == [.learning, .normal])
        let raised = try #require(Self.events(outputs).first { $0.transition == .raised })
        #expect(raised.time.milliseconds >= 80_000 && raised.time.milliseconds < 85_000)
        #expect(raised.detector == "streaming")
    }

    @Test func withTheShippedDefaultsAnAssetSaysNormalAfterItsFirst151Ticks() async throws {
        let profile = AssetProfile(name: "{asset}", tick: nil, detector: .lstm(LSTMDetector.Settings()))
        var pipeline = Pipeline(profiles: [profile])
        var random = SeededRandom(seed: 31)
        var normalAt: Int?
        for index in 0..<300 where normalAt == nil {
            let outputs = try await pipeline.process(
                Reading(asset: "a", signal: "x", value: random.gaussian(), time: Timestamp(seconds: Double(index) * 10))
            )
            if outputs.contains(.assetState(asset: "a", state: .normal)) { normalAt = index }
        }
        // The 151st tick is scored when the 152nd reading (index 151) closes it: the forecast
        // channel's first error comes with the second tick, and it learns 150 of them.
        #expect(normalAt == 151)
    }

    /// Ticks of a signal that the last value forecasts worse than a learned model: a noisy sine.
    static func wave(ticks: Int) -> [[Double]] {
        var random = SeededRandom(seed: 21)
        return (0..<ticks).map { t in [10 + 3 * sin(Double(t) * 2 * Double.pi / 25) + 0.3 * random.gaussian()] }
    }

    /// Ticks of a random walk, which nothing forecasts better than its last value.
    static func walk(ticks: Int) -> [[Double]] {
        var random = SeededRandom(seed: 23)
        var level = 10.0
        return (0..<ticks).map { _ in
            level += random.gaussian()
            return [level]
        }
    }

    @Test func theModelTakesOverOnlyWhenItForecastsHeldOutTicksBetterThanTheLastValue() async {
        var settings = Self.settings(method: .records)
        settings.forecast.epochs = 20
        settings.forecast.hidden = 8
        func states(_ rows: [[Double]]) async -> [LSTMDetector.ModelState] {
            var detector = LSTMDetector(settings: settings)
            var seen: [LSTMDetector.ModelState] = []
            for (t, row) in rows.enumerated() {
                _ = await detector.score(
                    Tick(asset: "a", time: Timestamp(milliseconds: Int64(t) * 1000), signals: ["s0"], values: row),
                    alarmOpen: false
                )
                seen.append(detector.modelState)
            }
            return seen
        }
        // Training starts at the warm-up's 120th tick and its verdict comes 5 ticks later.
        let wave = await states(Self.wave(ticks: 400))
        #expect(wave[119] == .training)
        #expect(wave[124] == .active)
        let walk = await states(Self.walk(ticks: 400))
        #expect(walk[119] == .training)
        // Refused at the 125th tick: back to learning, and tried again once as many ticks again
        // have come, on twice the ticks.
        #expect(walk[124] == .learning)
        #expect(walk[243] == .learning && walk[244] == .training)
    }

    @Test func acceptingTheNewNormalClearsTheAlarmAndTheModelAdapts() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings())])
        let rows = Self.series(ticks: 900, shiftAt: 300, shift: 8)
        var outputs = try await Self.run(Array(rows[0..<450]), pipeline: &pipeline)
        #expect(pipeline.openAlarm(of: "pump") != nil)
        let acceptance = pipeline.acceptNewNormal(asset: "pump", at: Timestamp(milliseconds: 450_000))
        let accepted = try #require(acceptance)
        #expect(Self.events(accepted).map(\.transition) == [.cleared])
        #expect(Self.events(accepted).first?.detector == "operator")
        #expect(Self.states(accepted) == [.learning])
        #expect(pipeline.openAlarm(of: "pump") == nil)
        outputs = try await Self.run(Array(rows[450...]), pipeline: &pipeline, from: 450)
        // The new level is normal now: no alarm, and a new model scores it.
        #expect(Self.events(outputs).isEmpty)
        #expect(Self.states(outputs) == [.normal])
        let unknown = pipeline.acceptNewNormal(asset: "unknown", at: Timestamp(milliseconds: 0))
        #expect(unknown == nil)
    }

    @Test func theSameTicksGiveTheSameOutputsTwice() async throws {
        let rows = Self.series(ticks: 500, signals: 3, shiftAt: 350, shifted: 1, shift: 6)
        var first = Pipeline(profiles: [Self.profile(Self.settings(signals: 3))], reportsScores: true)
        var second = Pipeline(profiles: [Self.profile(Self.settings(signals: 3))], reportsScores: true)
        let a = try await Self.run(rows, pipeline: &first)
        let b = try await Self.run(rows, pipeline: &second)
        #expect(a == b)
        #expect(a.contains { if case .scored(_, _, let score, _) = $0 { score > 0 } else { false } })
    }

    @Test func theScoreReportsTheOnsetAndIsZeroWhileTheAlarmIsOpen() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings(method: .records))], reportsScores: true)
        let rows = Self.series(ticks: 600, shiftAt: 300, shift: 8)
        let outputs = try await Self.run(rows, pipeline: &pipeline)
        let scored: [(tick: Int, score: Double, alarm: Bool)] = outputs.compactMap {
            if case .scored(_, let time, let score, let alarm) = $0 {
                (Int(time.milliseconds / 1000), score, alarm)
            } else {
                nil
            }
        }
        let onset = try #require(scored.first { $0.tick >= 300 && $0.score >= 0.99 })
        #expect(onset.tick < 310)
        // The onset raised an alarm, and the score says nothing more while it is open.
        let underAlarm = scored.filter { $0.tick > onset.tick && $0.alarm }
        #expect(!underAlarm.isEmpty && underAlarm.allSatisfy { $0.score == 0 })
    }

    @Test func aSignalThatRestsOnOneValueDuringTheWarmUpIsNotCalledStuckLater() async {
        var detector = LSTMDetector(settings: Self.settings(method: .records))
        // An idle counter: 0, and a burst every 40 ticks, so it rests 39 ticks at a time.
        func value(_ t: Int) -> Double { t % 40 == 39 ? 20 : 0 }
        var faults: [Int] = []
        for t in 0..<600 {
            let detection = await detector.score(
                Tick(asset: "a", time: Timestamp(milliseconds: Int64(t) * 1000), signals: ["s0"], values: [value(t)]),
                alarmOpen: false
            )
            if detection.kind == .sensorFault { faults.append(t) }
        }
        #expect(faults.allSatisfy { $0 < 120 }, "called stuck after the warm-up at \(faults)")
        // A sensor that really sticks is still called stuck: at twice the longest normal rest (39
        // equal values are 38 repeats).
        var stuckAt: Int?
        for t in 600..<800 where stuckAt == nil {
            let detection = await detector.score(
                Tick(asset: "a", time: Timestamp(milliseconds: Int64(t) * 1000), signals: ["s0"], values: [0]),
                alarmOpen: false
            )
            if detection.kind == .sensorFault { stuckAt = t }
        }
        #expect(stuckAt.map { $0 - 600 == 76 } == true, "called stuck at \(String(describing: stuckAt))")
    }

    @Test func aMultivariateFaultNamesTheShiftedSignalFirst() async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings(signals: 4))])
        let rows = Self.series(ticks: 500, signals: 4, shiftAt: 350, shifted: 2, shift: 6)
        let events = Self.events(try await Self.run(rows, pipeline: &pipeline))
        let raised = try #require(events.first { $0.transition == .raised })
        #expect(raised.contributions.first?.signal == "s2")
        #expect(raised.contributions.count == 4)
        let top = try #require(raised.contributions.first)
        #expect(top.value > top.expected + 3)
    }
}

/// Training runs on its own thread at the lowest priority, leaving the caller's thread alone.
@Suite struct BackgroundTrainingTests {
    @Test func trainingRunsAtNiceNineteenOnItsOwnThread() async {
        let before = BackgroundTraining.currentNiceness()
        let inside = await BackgroundTraining.run { BackgroundTraining.currentNiceness() }
        #expect(inside == 19)
        #expect(BackgroundTraining.currentNiceness() == before)
    }
}

/// Restart safety at the pipeline level: a run interrupted, persisted and resumed scores the
/// ticks after the interruption exactly as an uninterrupted run does.
@Suite(.serialized) struct DetectorPersistenceTests {
    static func scores(_ outputs: [PipelineOutput]) -> [Int64: Double] {
        var scores: [Int64: Double] = [:]
        for output in outputs {
            if case .scored(_, let time, let score, _) = output { scores[time.milliseconds] = score }
        }
        return scores
    }

    @Test(arguments: [
        (LSTMDetector.CalibrationMethod.records, 300), (.shift, 300), (.records, 122), (.shift, 60),
    ])
    func aResumedRunScoresLikeAnUninterruptedOne(_ method: LSTMDetector.CalibrationMethod, _ split: Int) async throws {
        let profile = LSTMDetectorTests.profile(LSTMDetectorTests.settings(method: method, signals: 2))
        let rows = LSTMDetectorTests.series(ticks: 500, signals: 2, shiftAt: 400, shifted: 1, shift: 6)

        var whole = Pipeline(profiles: [profile], reportsScores: true)
        let expected = Self.scores(try await LSTMDetectorTests.run(rows, pipeline: &whole))

        var first = Pipeline(profiles: [profile], reportsScores: true)
        _ = try await LSTMDetectorTests.run(Array(rows[..<split]), pipeline: &first)
        _ = await first.flush()
        let snapshots = first.detectorSnapshots()
        #expect(snapshots.keys.sorted() == ["pump"])
        var resumed = Pipeline(profiles: [profile], reportsScores: true)
        resumed.restore(detectorSnapshots: snapshots)
        let outputs = try await LSTMDetectorTests.run(Array(rows[split...]), pipeline: &resumed, from: split)
        let scores = Self.scores(outputs)
        // Every tick after the interruption but the last (which only the end of input closes).
        var compared = 0
        for t in split..<(rows.count - 1) {
            let key = Int64(t) * 1000
            #expect(scores[key] == expected[key], "tick \(t)")
            compared += 1
        }
        #expect(compared == rows.count - 1 - split)
        // It did not warm up again: when the model was already active it says normal at once.
        if split >= 130 {
            #expect(LSTMDetectorTests.states(outputs).first == .normal)
        }
    }

    @Test func aSnapshotOfAnotherCalibrationIsRefused() async throws {
        var records = LSTMDetector(settings: LSTMDetectorTests.settings(method: .records))
        for t in 0..<200 {
            _ = await records.score(
                Tick(
                    asset: "a",
                    time: Timestamp(milliseconds: Int64(t) * 1000),
                    signals: ["s0"],
                    values: [Double(t % 7)]
                ),
                alarmOpen: false
            )
        }
        let snapshot = try #require(records.snapshot())
        var shift = LSTMDetector(settings: LSTMDetectorTests.settings(method: .shift))
        let otherCalibration = shift.restore(snapshot: snapshot)
        #expect(!otherCalibration)
        #expect(shift.modelState == .learning)
        let garbage = shift.restore(snapshot: Array("not json".utf8))
        #expect(!garbage)
        var same = LSTMDetector(settings: LSTMDetectorTests.settings(method: .records))
        let fits = same.restore(snapshot: snapshot)
        #expect(fits)
        #expect(same.modelState == records.modelState && same.isLearning == records.isLearning)
    }
}
