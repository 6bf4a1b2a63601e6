internal import Logging
internal import VigilCore
internal import VigilStore

// Which assets the daemon takes and keeps: the QoS 0 budget per asset, the admission of new names,
// making room at an entry's cap, and forgetting assets that have gone quiet (`AssetLifecycle`).
extension PipelineService {
    /// How often quiet assets are looked for.
    static let sweepInterval: Int64 = 60_000
    /// How often a notice of one kind and entry may repeat (ms).
    static let noticeInterval: Int64 = 600_000

    /// A refusal when the QoS 0 message's asset is over its `max_message_rate` (in monotonic time,
    /// before anything is decoded); nil when it may go on.
    func overMessageBudget(_ topic: String, state: inout State) -> Rejection? {
        guard let (asset, profile) = intake.asset(of: topic),
            profile < assetPolicy.maxMessageRate.count, assetPolicy.maxMessageRate[profile] > 0
        else { return nil }
        let rate = assetPolicy.maxMessageRate[profile]
        let now = Monotonic.milliseconds()
        var budget = state.messageBudgets[asset] ?? TokenBucket(capacity: rate, period: .seconds(1))
        let taken = budget.take(at: now)
        state.messageBudgets[asset] = budget
        if state.messageBudgets.count > 10_000 {
            // Junk names must not grow this without bound: full budgets are the same as none.
            state.messageBudgets = state.messageBudgets.filter { _, bucket in
                var bucket = bucket
                return !bucket.isFull(at: now)
            }
        }
        return taken ? nil : Rejection(.rateLimited, "asset '\(asset)' is over \(rate) QoS 0 messages per second")
    }

    /// Decides whether a reading of an asset the pipeline does not hold may start it: a name never
    /// seen takes one of its entry's new-asset admissions, and an entry at its cap makes room by
    /// forgetting its quietest asset if that one is quiet enough. Returns the refusal, or nil.
    func admit(_ reading: Reading, arrival: Timestamp, state: inout State, into batch: inout StoreBatch) -> Rejection? {
        let profile = reading.profile
        if !state.assets.knows(reading.asset) {
            guard state.assets.admitNew(profile: profile, at: Monotonic.milliseconds()) else {
                let perMinute = assetPolicy.newAssetsPerMinute[profile]
                let entry = profiles[profile].name
                notice(
                    "asset_admission_limited",
                    key: "admission-\(profile)",
                    detail: "entry '\(entry)' refused new assets beyond \(perMinute) a minute (the first: "
                        + "'\(reading.asset)'): a device inventing names, or a plant larger than "
                        + "new_assets_per_minute allows",
                    state: &state,
                    into: &batch
                )
                return Rejection(.tooManyNewAssets, "entry '\(entry)' admits at most \(perMinute) new assets a minute")
            }
        }
        if !state.assets.knows(reading.asset), state.assets.count >= state.assets.capacity {
            guard
                let quiet = state.assets.evictionCandidate(
                    profile: nil,
                    at: arrival.milliseconds,
                    hasOpenAlarm: state.pipeline.hasOpenAlarm
                )
            else {
                return Rejection(
                    .tooManySeries,
                    "Vigil knows \(state.assets.count) assets, all entries' max_assets, none quiet for an hour"
                )
            }
            forget(
                quiet,
                because: "making room for '\(reading.asset)' (all entries' max_assets)",
                state: &state,
                into: &batch
            )
        }
        if state.pipeline.assetCount(profile: profile) >= profiles[profile].maxAssets,
            let quiet = state.assets.evictionCandidate(
                profile: profile,
                at: arrival.milliseconds,
                hasOpenAlarm: state.pipeline.hasOpenAlarm
            )
        {
            forget(quiet, because: "making room for '\(reading.asset)'", state: &state, into: &batch)
        }
        return nil
    }

    /// Forgets the assets quiet for longer than `limits.asset_expiry`, at most once a minute; on
    /// the first call (at start) also the dormant ones beyond the lifecycle's capacity.
    func sweepQuietAssets(_ state: inout State, into batch: inout StoreBatch) {
        let now = Monotonic.milliseconds()
        guard state.lastSweep == .min || now - state.lastSweep >= Self.sweepInterval else { return }
        let first = state.lastSweep == .min
        state.lastSweep = now
        let pipeline = state.pipeline
        if first {
            for asset in state.assets.beyondCapacity(hasOpenAlarm: pipeline.hasOpenAlarm) {
                forget(asset, because: "more assets known than all entries' max_assets", state: &state, into: &batch)
            }
        }
        for asset in state.assets.expired(at: clock.now().milliseconds, hasOpenAlarm: pipeline.hasOpenAlarm) {
            forget(asset, because: "no reading for longer than limits.asset_expiry", state: &state, into: &batch)
        }
    }

    /// Forgets an asset in the pipeline, the lifecycle and (with the batch) the database, and clears
    /// its retained state topic (and its prognosis topic, if its entry predicts).
    func forget(_ asset: String, because reason: String, state: inout State, into batch: inout StoreBatch) {
        let predicts = state.pipeline.profileIndex(of: asset) != nil
        guard state.pipeline.forget(asset) else { return }
        state.assets.remove(asset)
        batch.forgotten.append(asset)
        batch.readings[asset] = nil
        batch.arrivals[asset] = nil
        batch.signalTimes[asset] = nil
        batch.states[asset] = nil
        // An empty retained message deletes the broker's retained state.
        batch.outbox.append(
            (
                topic: TopicPattern.expand(topics.state, with: ["asset": asset]), payload: [], qos: topics.qos,
                retain: true
            )
        )
        if predicts {
            batch.outbox.append(
                (
                    topic: TopicPattern.expand(topics.prognosis, with: ["asset": asset]), payload: [],
                    qos: topics.qos, retain: true
                )
            )
        }
        metrics.update { $0.assetsForgotten += 1 }
        logger.info("Asset forgotten", metadata: ["asset": "\(asset)", "asset.reason": "\(reason)"])
    }

    /// Queues a notice (`schemas/notice.schema.json`) unless one with the same key went out in the
    /// last `noticeInterval`.
    func notice(_ kind: String, key: String, detail: String, state: inout State, into batch: inout StoreBatch) {
        let now = Monotonic.milliseconds()
        if let sent = state.noticesSent[key], now - sent < Self.noticeInterval { return }
        state.noticesSent[key] = now
        logger.warning("Notice", metadata: ["notice.kind": "\(kind)", "notice.detail": "\(LogText.escaped(detail))"])
        let notice = Notice(kind: kind, detail: detail, time: clock.now(), files: [], vigilVersion: version)
        batch.outbox.append((topic: topics.notice, payload: notice.jsonBytes(), qos: topics.qos, retain: false))
    }
}
