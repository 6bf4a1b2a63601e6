import Testing
import VigilCore
import VigilTestSupport

@Suite struct PipelineTests {
    static let profile = AssetProfile(
        name: "{asset}",
        tick: .seconds(1),
        maxHold: 3,
        detector: .robustStatistics(.init(window: 60, warmup: 30)),
        alarm: AlarmPolicy(threshold: 0.99, minDuration: 1, clearBelow: 0.9, clearAfter: 2, cooldown: .seconds(60))
    )

    func run(_ values: [Double], asset: String = "p1", pipeline: inout Pipeline) async throws -> [PipelineOutput] {
        var outputs: [PipelineOutput] = []
        for (index, value) in values.enumerated() {
            outputs += try await pipeline.process(
                Reading(asset: asset, signal: "x", value: value, time: Timestamp(milliseconds: Int64(index) * 1000))
            )
        }
        return outputs + (await pipeline.flush())
    }

    static func tickReports(profile: AssetProfile) async throws -> (found: [PipelineOutput], ticks: Int) {
        var pipeline = Pipeline(profiles: [profile], reportsScores: true)
        var found: [PipelineOutput] = []
        var ticks = 0
        for index in 0..<60 {
            let outputs = try await pipeline.process(
                Reading(
                    asset: "p1",
                    signal: "x",
                    value: Double(index % 7),
                    time: Timestamp(seconds: Double(index) * 10)
                )
            )
            for output in outputs {
                if case .tickFound = output { found.append(output) }
                if case .scored = output { ticks += 1 }
            }
        }
        return (found, ticks)
    }

    @Test func anAssetWithoutATickIsAlignedOnTheSpacingOfItsReadingsAndSaysSoOnce() async throws {
        var profile = Self.profile
        profile.tick = nil
        let (found, ticks) = try await Self.tickReports(profile: profile)
        #expect(found == [.tickFound(asset: "p1", tick: .seconds(10), dataSpacing: .seconds(10), configured: false)])
        // Every reading closed its own tick: nothing was held over empty 1 s intervals.
        #expect(ticks == 59)
    }

    @Test func aConfiguredTickThatDoesNotMatchTheReadingsIsReportedOnceWithBothFigures() async throws {
        let (found, _) = try await Self.tickReports(profile: Self.profile)
        #expect(found == [.tickFound(asset: "p1", tick: .seconds(1), dataSpacing: .seconds(10), configured: true)])
    }

    @Test func aRestartedPipelineRefusesReadingsTheLastRunAlreadyAcceptedAndTakesTheRest() async throws {
        var pipeline = Pipeline(profiles: [Self.profile])
        pipeline.restore(signalTimes: ["p1": ["x": 5000, "y": 5000]])
        func reason(_ signal: String, _ ms: Int64, stamped: Bool = true) async -> RejectionReason? {
            do {
                _ = try await pipeline.process(
                    Reading(asset: "p1", signal: signal, value: 1, time: Timestamp(milliseconds: ms), stamped: stamped)
                )
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(await reason("x", 5000) == .duplicate)
        #expect(await reason("y", 4000) == .late)
        // Readings stamped on arrival cannot be recognised, and are taken.
        #expect(await reason("x", 5000, stamped: false) == nil)
        #expect(await reason("x", 5001) == nil)
        #expect(await reason("y", 5001) == nil)
        #expect(await reason("z", 5001) == nil)
        #expect(await reason("y", 5001) == .duplicate)
    }

    @Test func aSpikeGivesExactlyOneRaisedAndOneCleared() async throws {
        var pipeline = Pipeline(profiles: [Self.profile])
        var random = SeededRandom(seed: 7)
        var values = (0..<200).map { _ in 5 + 0.2 * random.gaussian() }
        values[120] += 5
        let outputs = try await run(values, pipeline: &pipeline)
        let events = outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }
        #expect(events.map(\.transition) == [.raised, .cleared])
        #expect(events.first?.time.milliseconds == 120_000)
        let states = outputs.compactMap { if case .assetState(_, let state) = $0 { state } else { nil } }
        #expect(states == [.learning, .normal, .alarm, .normal])
    }

    @Test func aRejectedReadingLeavesThePipelineUnchanged() async throws {
        var pipeline = Pipeline(profiles: [Self.profile])
        _ = try await pipeline.process(Reading(asset: "p1", signal: "x", value: 1, time: Timestamp(milliseconds: 5000)))
        await #expect(throws: Rejection.self) {
            try await pipeline.process(Reading(asset: "p1", signal: "x", value: 1, time: Timestamp(milliseconds: 10)))
        }
    }

    @Test func capsTheAssetsOneEntryMayCreate() async throws {
        var profile = Self.profile
        profile.maxAssets = 2
        var pipeline = Pipeline(profiles: [profile])
        _ = try await pipeline.process(Reading(asset: "a", signal: "x", value: 1, time: Timestamp(milliseconds: 0)))
        _ = try await pipeline.process(Reading(asset: "b", signal: "x", value: 1, time: Timestamp(milliseconds: 0)))
        await #expect(throws: Rejection.self) {
            try await pipeline.process(Reading(asset: "c", signal: "x", value: 1, time: Timestamp(milliseconds: 0)))
        }
        #expect(pipeline.assetNames == ["a", "b"])
    }

    @Test func sameReadingsGiveIdenticalOutputs() async throws {
        var random = SeededRandom(seed: 9)
        var values = (0..<150).map { _ in random.gaussian() }
        values[100] = 30
        var first = Pipeline(profiles: [Self.profile])
        var second = Pipeline(profiles: [Self.profile])
        let firstOutputs = try await run(values, pipeline: &first)
        let secondOutputs = try await run(values, pipeline: &second)
        #expect(firstOutputs == secondOutputs)
    }

    @Test func theCensusCountsLearnedModelsByTheirLifecycleState() async throws {
        let learned = AssetProfile(
            name: "{asset}",
            detector: .lstm(
                LSTMDetector.Settings(
                    warmup: 40,
                    activationDelay: 10,
                    history: 100,
                    forecast: ForecastSettings(hidden: 4, window: 8, epochs: 2, autoregressive: 1),
                    fallback: .init(window: 30, warmup: 15)
                )
            )
        )
        var pipeline = Pipeline(profiles: [learned, Self.profile])
        var random = SeededRandom(seed: 3)
        var seen: [LSTMDetector.ModelState] = []
        for index in 0..<80 {
            let time = Timestamp(milliseconds: Int64(index) * 1000)
            let value = 5 + 0.2 * random.gaussian()
            _ = try await pipeline.process(Reading(asset: "n1", signal: "x", value: value, time: time, profile: 0))
            _ = try await pipeline.process(Reading(asset: "r1", signal: "x", value: value, time: time, profile: 1))
            let census = pipeline.census()
            // One asset has a learned model; the robust one is not counted.
            #expect(census.models.values.reduce(0, +) == 1)
            #expect(census.detectors.values.reduce(0, +) == 2)
            let state = try #require(census.models.first { $0.value == 1 }?.key)
            if seen.last != state { seen.append(state) }
        }
        #expect(seen == [.learning, .training, .active])
    }

    /// A signal over and under the threshold on alternate ticks for ten minutes of event time,
    /// after ten quiet minutes, through the whole pipeline: aligner, robust detector (a window long
    /// enough that the flapping stays anomalous) and alarm state machine, with the quickest alarm
    /// policy (one tick raises, one tick clears). Returns the events and how many flapping ticks
    /// scored over the threshold and under `clear_below`.
    func flap(cooldown: Duration) async throws -> (events: [Event], over: Int, under: Int) {
        let profile = AssetProfile(
            name: "{asset}",
            tick: .seconds(1),
            detector: .robustStatistics(.init(window: 1800, warmup: 600, stuckAfter: 0)),
            alarm: AlarmPolicy(threshold: 0.99, minDuration: 1, clearBelow: 0.9, clearAfter: 1, cooldown: cooldown)
        )
        var pipeline = Pipeline(profiles: [profile], reportsScores: true)
        var random = SeededRandom(seed: 11)
        var outputs: [PipelineOutput] = []
        for index in 0..<1200 {
            let flapping = index >= 600 && index % 2 == 0
            let value = 20 + 0.1 * random.gaussian() + (flapping ? 3 : 0)
            outputs += try await pipeline.process(
                Reading(asset: "f1", signal: "x", value: value, time: Timestamp(milliseconds: Int64(index) * 1000))
            )
        }
        outputs += await pipeline.flush()
        var over = 0
        var under = 0
        for case .scored(_, let time, let score, _) in outputs where time.milliseconds >= 600_000 {
            if score >= 0.99 { over += 1 }
            if score < 0.9 { under += 1 }
        }
        return (outputs.compactMap { if case .event(let event) = $0 { event } else { nil } }, over, under)
    }

    @Test func aSignalFlappingEveryTickForTenMinutesRaisesAtMostOneAlarmPerCooldown() async throws {
        let cooldown = Duration.seconds(60)
        let flapping = try await flap(cooldown: cooldown)
        // The signal really flaps: about half of the 600 ticks over the threshold, half under clear_below.
        #expect(flapping.over >= 250, "\(flapping.over)")
        #expect(flapping.under >= 250, "\(flapping.under)")
        // At most one raise per cooldown in ten minutes (plus the first), and each alarm gives at most
        // three alerts (raised, updated once to critical, cleared).
        let raised = flapping.events.filter { $0.transition == .raised }
        let bound = 600 / Int(cooldown.components.seconds) + 1
        #expect(raised.count >= 2, "\(flapping.events.map(\.transition))")
        #expect(raised.count <= bound, "\(raised.count) raised")
        #expect(flapping.events.count <= 3 * bound, "\(flapping.events.count) alerts")
        for (earlier, later) in zip(raised, raised.dropFirst()) {
            #expect(later.time.milliseconds - earlier.time.milliseconds >= 60_000)
        }
        // Control: the same feed without a cooldown raises an alarm at nearly every other tick.
        let unbounded = try await flap(cooldown: .zero)
        #expect(unbounded.events.filter { $0.transition == .raised }.count > 10 * bound)
    }
}
