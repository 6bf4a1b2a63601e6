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

    @Test(arguments: [LSTMDetector.CalibrationMethod.shift, .records])
    func aLastingLevelShiftRaisesOneAlarmThatStaysOpen(_ method: LSTMDetector.CalibrationMethod) async throws {
        var pipeline = Pipeline(profiles: [Self.profile(Self.settings(method: method))])
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
