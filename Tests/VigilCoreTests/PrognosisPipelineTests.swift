import Testing
import VigilCore
import VigilTestSupport

/// A remaining-life model whose estimate is the signal `life` itself (in steps), ± 5 steps: the
/// test decides what the model says.
struct EchoEstimator: RemainingLifeEstimator {
    var columns = ["life"]
    var window = 4
    var baselineSteps = 0
    var identity = "echo"

    func estimate(recent: [[Double]], lastAge: Int, first: [[Double]]) -> RemainingLife {
        let value = recent.last![0]
        return RemainingLife(value: value, lower: max(0, value - 5), upper: value + 5)
    }
}

@Suite struct PrognosisPipelineTests {
    /// Ticks of 1 s, model steps of 10 s, a horizon of 100 s (10 steps): raised when the lower
    /// bound (life − 5) reaches 10 steps, critical when the estimate does.
    static func profile(
        limits: [SignalLimit] = [],
        estimator: (any RemainingLifeEstimator)? = EchoEstimator()
    )
        -> AssetProfile
    {
        AssetProfile(
            name: "{asset}",
            tick: .seconds(1),
            detector: .robustStatistics(.init(window: 40, warmup: 20, stuckAfter: 0)),
            alarm: AlarmPolicy(threshold: 0.99, minDuration: 1, clearBelow: 0.9, clearAfter: 2, cooldown: .seconds(60)),
            prognosis: PrognosisPlan(
                remainingLife: estimator.map { RemainingLifeModel(estimator: $0, step: .seconds(10)) },
                limits: limits,
                horizon: .seconds(100),
                trendWindow: 100,
                alarm: PrognosisPlan.alarmPolicy(minDuration: 1, clearAfter: 2)
            )
        )
    }

    func run(
        _ values: [(signal: String, values: [Double])],
        pipeline: inout Pipeline,
        asset: String = "pump-1"
    ) async throws -> [PipelineOutput] {
        var outputs: [PipelineOutput] = []
        for second in values[0].values.indices {
            for (signal, series) in values {
                outputs += try await pipeline.process(
                    Reading(
                        asset: asset,
                        signal: signal,
                        value: series[second],
                        time: Timestamp(milliseconds: Int64(second) * 1000)
                    )
                )
            }
        }
        return outputs + (await pipeline.flush())
    }

    @Test func aRemainingLifeWithinTheHorizonRaisesUpdatesAndClearsFaultPredictedUnderOneAlarmID() async throws {
        var pipeline = Pipeline(profiles: [Self.profile()])
        // Life falls by one step every 10 s from 30 steps to 0, then a repair puts it back to 40.
        let life = (0..<400).map { second -> Double in second < 300 ? Double(30 - second / 10) : 40 }
        let outputs = try await run([("life", life)], pipeline: &pipeline)
        let all = outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
        // The repair's jump also raises an anomaly: its own alarm, beside the prediction's.
        #expect(all.contains { $0.kind == .anomaly && !$0.alarmID.contains("-fp-") })
        let events = all.filter { $0.kind == .faultPredicted }
        #expect(events.map(\.transition) == [.raised, .updated, .cleared])
        #expect(events.map(\.severity) == [.warning, .critical, .critical])
        #expect(events.allSatisfy { $0.kind == .faultPredicted && $0.detector == "prognosis" })
        #expect(Set(events.map(\.alarmID)).count == 1)
        #expect(events[0].alarmID.hasPrefix("pump-1-fp-"))
        // Raised at the first step whose lower bound (life − 5) is within 10 steps: life 15, the
        // step that ends at 160 s; critical at life 10.
        #expect(events[0].time == Timestamp(milliseconds: 160_000))
        #expect(events[1].time == Timestamp(milliseconds: 210_000))
        let raised = try #require(events[0].predictions.first)
        #expect(raised.source == .rul && raised.steps == 15 && raised.seconds == 150)
        #expect(raised.lower == 100 && raised.upper == 200 && raised.horizon == 100)
        #expect(abs(raised.probability - 0.05) < 1e-6)
        // One step row and one report per 10 s step (the reports also at the alarm's changes).
        let steps = outputs.compactMap {
            if case .prognosisStep(_, let time, _, let values) = $0 { (time, values) } else { nil }
        }
        #expect(steps.count == 39)
        #expect(steps[0].0 == Timestamp(milliseconds: 0) && steps[0].1 == [30])
        let reports = outputs.compactMap { if case .prognosis(let report) = $0 { report } else { nil } }
        #expect(reports.count >= 39)
        #expect(reports.contains { $0.alarmID == events[0].alarmID })
        #expect(reports.last?.alarmID == nil)
    }

    @Test func aSignalDriftingTowardsItsLimitRaisesFaultPredictedBeforeItGetsThere() async throws {
        var pipeline = Pipeline(
            profiles: [
                Self.profile(limits: [SignalLimit(signal: "temperature", value: 95, bound: .max)], estimator: nil)
            ]
        )
        var random = SeededRandom(seed: 3)
        // 70 °C rising 0.05 °C/s: 95 °C is reached at 500 s.
        let temperature = (0..<520).map { 70 + 0.05 * Double($0) + 0.2 * random.gaussian() }
        let outputs = try await run([("temperature", temperature)], pipeline: &pipeline)
        let events = outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
        let raised = try #require(events.first { $0.kind == .faultPredicted && $0.transition == .raised })
        let prediction = try #require(raised.predictions.first)
        #expect(prediction.source == .limit && prediction.signal == "temperature" && prediction.bound == .max)
        // The lower bound reaches the horizon (100 s) about 100 s before the crossing.
        let raisedAt = Double(raised.time.milliseconds) / 1000
        #expect(raisedAt < 500 - 90 && raisedAt > 500 - 130, "raised at \(raisedAt) s")
        let remaining = 500 - raisedAt
        #expect(abs(prediction.seconds - remaining) <= 0.1 * remaining, "\(prediction.seconds) s for \(remaining) s")
        #expect(raised.contributions.first?.signal == "temperature")
    }

    @Test func aModelThatNeedsSignalsTheAssetLacksSaysSoOnItsReport() async throws {
        var pipeline = Pipeline(profiles: [Self.profile()])
        let outputs = try await run([("other", [Double](repeating: 1, count: 30))], pipeline: &pipeline)
        let reports = outputs.compactMap { if case .prognosis(let report) = $0 { report } else { nil } }
        #expect(reports.first?.problem == "the remaining-life model needs signals life the asset lacks")
        #expect(!outputs.contains { if case .event = $0 { true } else { false } })
    }

    @Test func anOpenPredictionIsRestoredUnderItsIDAndARepairStartsTheHistoryAfresh() async throws {
        var pipeline = Pipeline(profiles: [Self.profile()])
        let open = AlarmStateMachine.OpenAlarm(
            id: "pump-1-fp-old",
            kind: .faultPredicted,
            severity: .warning,
            windowStart: Timestamp(milliseconds: 0),
            peakScore: 0.2
        )
        pipeline.restore(predictionAlarms: ["pump-1": open])
        let outputs = try await run([("life", [Double](repeating: 50, count: 60))], pipeline: &pipeline)
        let events = outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
        #expect(events.map(\.transition) == [.cleared])
        #expect(events.first?.alarmID == "pump-1-fp-old")
        #expect(pipeline.knows(asset: "pump-1") && !pipeline.knows(asset: "pump-2"))
    }

    @Test func aForgottenAssetLosesItsPredictionsButNotWhileOneIsOpen() async throws {
        var pipeline = Pipeline(profiles: [Self.profile()])
        // A life of 3 steps: the prediction is open, so the asset is kept.
        _ = try await run([("life", [Double](repeating: 3, count: 30))], pipeline: &pipeline)
        #expect(pipeline.openPredictionAlarm(of: "pump-1") != nil)
        let forgottenWhileOpen = pipeline.forget("pump-1")
        #expect(!forgottenWhileOpen)
        #expect(pipeline.prognosisAssets(ofProfile: 0) == ["pump-1"])
        // A long life: nothing open, and forgetting drops the predictions with the rest.
        var healthy = Pipeline(profiles: [Self.profile()])
        _ = try await run([("life", [Double](repeating: 50, count: 30))], pipeline: &healthy)
        #expect(healthy.openPredictionAlarm(of: "pump-1") == nil)
        let forgotten = healthy.forget("pump-1")
        #expect(forgotten)
        #expect(healthy.prognosisAssets(ofProfile: 0).isEmpty && healthy.profileIndex(of: "pump-1") == nil)
    }
}
