/// Everything after decoding: aligns each asset's readings on its tick, scores the ticks, runs
/// the alarm state machines, and reports events and asset-state changes.
///
/// The pipeline knows nothing of MQTT or storage and reads no clock, so the daemon and a replay of
/// a file get the same result from the same readings. It is a value owned by one task.
///
/// ```swift
/// var pipeline = Pipeline(profiles: [AssetProfile(name: "pump-1")])
/// let outputs = try await pipeline.process(Reading(asset: "pump-1", signal: "p", value: 3, time: t))
/// ```
public struct Pipeline: Sendable {
    private struct AssetRuntime: Sendable {
        var profile: Int
        var aligner: AssetAligner
        /// Nil until the asset's tick is known (from the readings, when none is configured).
        var detector: (any Detector)?
        /// Whether the readings' spacing has been reported (`PipelineOutput.tickFound`).
        var spacingReported = false
        var alarm: AlarmStateMachine
        var state: AssetState?
    }

    /// The profiles, indexed by `Reading.profile`.
    public let profiles: [AssetProfile]
    private var assets: [String: AssetRuntime] = [:]
    private var assetsPerProfile: [Int]
    /// Whether every scored tick is reported as a `.scored` output.
    public let reportsScores: Bool
    /// Alarms left open by an earlier run, applied when their asset is first seen.
    private var restoredAlarms: [String: AlarmStateMachine.OpenAlarm] = [:]
    /// Detector snapshots of an earlier run, applied when their asset is first seen.
    private var restoredDetectors: [String: [UInt8]] = [:]
    /// The last own time stamp of each signal accepted by an earlier run, by asset.
    private var restoredSignalTimes: [String: [String: Int64]] = [:]
    /// Each asset's predictions (`Pipeline+Prognosis.swift`).
    var prognoses = PrognosisState()

    /// Creates a pipeline.
    public init(profiles: [AssetProfile], reportsScores: Bool = false) {
        precondition(!profiles.isEmpty, "a pipeline needs at least one asset profile")
        self.profiles = profiles
        self.reportsScores = reportsScores
        self.assetsPerProfile = Array(repeating: 0, count: profiles.count)
    }

    /// Continues alarms that were open when the daemon last stopped: an asset with one starts in
    /// `alarm`, and the alarm is updated and cleared under its old id instead of raised again.
    public mutating func restore(openAlarms: [String: AlarmStateMachine.OpenAlarm]) {
        restoredAlarms.merge(openAlarms) { _, new in new }
    }

    /// Continues the detectors of an earlier run: an asset whose snapshot fits picks up its model,
    /// calibration and recurrent state instead of warming up again.
    public mutating func restore(detectorSnapshots: [String: [UInt8]]) {
        restoredDetectors.merge(detectorSnapshots) { _, new in new }
    }

    /// Continues deduplication from an earlier run: a reading whose own time stamp is not after its
    /// signal's last committed one is refused (`duplicate` or `late`), so a reading the broker
    /// delivers again after a crash does not count twice.
    public mutating func restore(signalTimes: [String: [String: Int64]]) {
        restoredSignalTimes.merge(signalTimes) { _, new in new }
    }

    /// Every asset's detector snapshot (assets whose detector keeps nothing are left out).
    public func detectorSnapshots() -> [String: [UInt8]] {
        var snapshots: [String: [UInt8]] = [:]
        for (name, runtime) in assets {
            if let snapshot = runtime.detector?.snapshot() ?? restoredDetectors[name] { snapshots[name] = snapshot }
        }
        return snapshots
    }

    /// Names of the assets seen so far.
    public var assetNames: [String] { assets.keys.sorted() }

    /// Ticks whose detection was not a finite number (treated as score 0).
    public private(set) var engineErrors = 0

    /// The assets counted by state, by detector and by where their learned model is.
    public struct Census: Sendable, Hashable {
        /// Assets by the state their state topic says.
        public var states: [AssetState: Int] = [:]
        /// Assets by the detector scoring them now (its `name`).
        public var detectors: [String: Int] = [:]
        /// Assets with a learned model by the model's lifecycle state (`Detector.modelLifecycle`).
        public var models: [LSTMDetector.ModelState: Int] = [:]

        /// An empty census.
        public init() {}
    }

    /// How many assets are in each state, use each detector, and have their model in each state.
    public func census() -> Census {
        var census = Census()
        for runtime in assets.values {
            if let state = runtime.state { census.states[state, default: 0] += 1 }
            guard let detector = runtime.detector else { continue }
            census.detectors[detector.name, default: 0] += 1
            if let model = detector.modelLifecycle { census.models[model, default: 0] += 1 }
        }
        return census
    }

    /// The open alarm of an asset, if any.
    public func openAlarm(of asset: String) -> AlarmStateMachine.OpenAlarm? {
        assets[asset]?.alarm.openAlarm
    }

    /// Whether the asset has an open alarm, also one restored from an earlier run and not yet seen.
    public func hasOpenAlarm(_ asset: String) -> Bool {
        assets[asset].map { $0.alarm.openAlarm != nil } ?? (restoredAlarms[asset] != nil)
    }

    /// The asset's tick: the configured one, or the spacing of its readings once known.
    public func tick(of asset: String) -> Duration? { assets[asset]?.aligner.tick }

    /// Whether the pipeline holds the asset (has seen a reading of it).
    public func holds(_ asset: String) -> Bool { assets[asset] != nil }

    /// How many assets the entry `profile` holds.
    public func assetCount(profile: Int) -> Int {
        profiles.indices.contains(profile) ? assetsPerProfile[profile] : 0
    }

    /// Forgets an asset: its aligner, detector, alarm and predictions, and what an earlier run left
    /// for it, so that a later reading starts it afresh. An asset with an open alarm (of either
    /// kind) is kept.
    /// - Returns: whether the asset was forgotten.
    @discardableResult
    public mutating func forget(_ asset: String) -> Bool {
        guard !hasOpenAlarm(asset), openPredictionAlarm(of: asset) == nil else { return false }
        if let runtime = assets.removeValue(forKey: asset) { assetsPerProfile[runtime.profile] -= 1 }
        restoredDetectors[asset] = nil
        restoredSignalTimes[asset] = nil
        forgetPrognosis(of: asset)
        return true
    }

    /// Processes one reading.
    /// - Returns: the events and state changes caused by the ticks this reading closed.
    /// - Throws: a `Rejection` when the reading is late or would exceed a cap; the pipeline is
    ///   unchanged then.
    public mutating func process(_ reading: Reading) async throws(Rejection) -> [PipelineOutput] {
        precondition(profiles.indices.contains(reading.profile), "reading names an unknown profile")
        var outputs: [PipelineOutput] = []
        if assets[reading.asset] == nil {
            let profile = profiles[reading.profile]
            guard assetsPerProfile[reading.profile] < profile.maxAssets else {
                throw Rejection(.tooManySeries, "entry '\(profile.name)' already has \(profile.maxAssets) assets")
            }
            assetsPerProfile[reading.profile] += 1
            var aligner = AssetAligner(
                asset: reading.asset,
                tick: profile.tick,
                maxHold: profile.maxHold,
                maxSignals: profile.maxSignals,
                maxRate: profile.maxRate
            )
            for (signal, time) in restoredSignalTimes.removeValue(forKey: reading.asset) ?? [:] {
                aligner.seed(signal: signal, lastTime: time)
            }
            startPrognosis(of: reading.asset, profile: reading.profile)
            assets[reading.asset] = AssetRuntime(
                profile: reading.profile,
                aligner: aligner,
                detector: profile.tick.map { profile.detector.makeDetector(tick: $0) },
                alarm: AlarmStateMachine(asset: reading.asset, policy: profile.alarm),
                state: nil
            )
        }
        // Mutate a copy so that a rejected reading leaves no trace.
        var runtime = assets[reading.asset]!
        let ticks = try runtime.aligner.add(reading)
        if runtime.detector == nil, let tick = runtime.aligner.tick {
            runtime.detector = profiles[runtime.profile].detector.makeDetector(tick: tick)
        }
        if runtime.detector != nil, let snapshot = restoredDetectors.removeValue(forKey: reading.asset) {
            _ = runtime.detector!.restore(snapshot: snapshot)
        }
        if runtime.state == nil {
            if let restored = restoredAlarms.removeValue(forKey: reading.asset) {
                runtime.alarm.restore(restored)
                runtime.state = .alarm
            } else {
                runtime.state = runtime.detector?.isLearning ?? true ? .learning : .normal
            }
            outputs.append(.assetState(asset: reading.asset, state: runtime.state!))
        }
        if !runtime.spacingReported, let spacing = runtime.aligner.dataSpacing, let tick = runtime.aligner.tick {
            runtime.spacingReported = true
            outputs.append(
                .tickFound(
                    asset: reading.asset,
                    tick: tick,
                    dataSpacing: spacing,
                    configured: runtime.aligner.tickConfigured
                )
            )
        }
        for tick in ticks {
            await score(tick, runtime: &runtime, into: &outputs)
        }
        assets[reading.asset] = runtime
        return outputs
    }

    /// The operator's "accept new normal" for an asset: closes its open alarm (a `cleared` event
    /// by the detector `operator`) and makes its detector learn the behaviour from now on as
    /// normal, so the asset says `learning` until its new model is ready.
    /// - Returns: the outputs, or nil when the pipeline has not seen the asset.
    public mutating func acceptNewNormal(asset: String, at time: Timestamp) -> [PipelineOutput]? {
        guard var runtime = assets[asset] else { return nil }
        var outputs: [PipelineOutput] = []
        if let event = runtime.alarm.accept(time: time) { outputs.append(.event(event)) }
        runtime.detector?.acceptNewNormal()
        if runtime.state != .learning {
            runtime.state = .learning
            outputs.append(.assetState(asset: asset, state: .learning))
        }
        assets[asset] = runtime
        return outputs
    }

    /// Closes every asset's open tick (at the end of a finite input) and returns what that causes.
    public mutating func flush() async -> [PipelineOutput] {
        var outputs: [PipelineOutput] = []
        for name in assets.keys.sorted() {
            var runtime = assets[name]!
            for tick in runtime.aligner.flush() {
                if runtime.detector == nil, let grid = runtime.aligner.tick {
                    runtime.detector = profiles[runtime.profile].detector.makeDetector(tick: grid)
                }
                await score(tick, runtime: &runtime, into: &outputs)
            }
            assets[name] = runtime
        }
        return outputs
    }

    private mutating func score(_ tick: Tick, runtime: inout AssetRuntime, into outputs: inout [PipelineOutput]) async {
        // A tick exists only once the grid is known, and with it the detector.
        var detection = await runtime.detector!.score(tick, alarmOpen: runtime.alarm.openAlarm != nil)
        // A model that yields no number must not open or hold an alarm: count it and read it as calm.
        if !detection.score.isFinite || !detection.level.isFinite {
            engineErrors += 1
            detection = Detection(score: 0, kind: detection.kind, contributions: [])
        }
        var newState: AssetState
        let detector = runtime.detector!
        if detector.phase == .learning {
            newState = runtime.alarm.openAlarm == nil ? .learning : .alarm
        } else {
            if let event = runtime.alarm.update(time: tick.time, detection: detection, detector: detector.name) {
                outputs.append(.event(event))
            }
            newState = runtime.alarm.openAlarm != nil ? .alarm : (detector.isLearning ? .learning : .normal)
        }
        if newState != runtime.state {
            runtime.state = newState
            outputs.append(.assetState(asset: tick.asset, state: newState))
        }
        observePrognosis(tick, detection: detection, into: &outputs)
        if reportsScores {
            outputs.append(
                .scored(
                    asset: tick.asset,
                    time: tick.time,
                    score: detection.score,
                    alarm: runtime.alarm.openAlarm != nil
                )
            )
        }
    }
}
