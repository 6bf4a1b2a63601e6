public import Logging
public import ServiceLifecycle
internal import VigilConfig
public import VigilCore
public import VigilMQTT
public import VigilStore

/// Where the pipeline's outputs go on the broker.
public struct AlertTopics: Sendable, Hashable {
    /// Alert topic template with `{asset}`.
    public var alert: String
    /// Retained state topic template with `{asset}`.
    public var state: String
    /// QoS of alerts and states.
    public var qos: Int32
    /// Dead-letter topic prefix; the reason code is appended.
    public var deadLetter: String
    /// Largest part of a payload copied into a dead letter.
    public var deadLetterMaxBytes: Int
    /// Operators' command topic; acknowledgements go to its `/ack`.
    public var command: String
    /// Topic of notices about the daemon itself.
    public var notice: String
    /// Topic of maintenance labels; acknowledgements go to its `/ack`.
    public var label: String
    /// Retained prognosis topic template with `{asset}`.
    public var prognosis: String

    /// Creates the topics.
    public init(
        alert: String,
        state: String,
        qos: Int32,
        deadLetter: String,
        deadLetterMaxBytes: Int,
        command: String = "vigil/command",
        notice: String = "vigil/notice",
        label: String = "vigil/label",
        prognosis: String = "vigil/state/{asset}/prognosis"
    ) {
        self.alert = alert
        self.state = state
        self.qos = qos
        self.deadLetter = deadLetter
        self.deadLetterMaxBytes = deadLetterMaxBytes
        self.command = command
        self.notice = notice
        self.label = label
        self.prognosis = prognosis
    }
}

/// Takes messages from the inbound queue through intake and pipeline, and commits what they
/// cause (events, alerts and states for the outbox, counters) to the database.
///
/// It ends when the inbound queue ends, i.e. after the ingest connection has closed and every
/// message received before has been processed: that is the drain of a graceful shutdown. When the
/// database cannot be written, it retries the same batch with backoff and meanwhile takes no new
/// message, so the queue fills and the broker keeps the readings. The ingest connection must hold
/// its messages until released (`ConnectOptions.holdsInboundUntilReleased`): the service releases
/// them after each commit, so at most the queue's capacity of acknowledged messages is uncommitted.
public struct PipelineService: Service {
    let messages: MQTTMessages
    let intake: Intake
    let profiles: [AssetProfile]
    let store: EventStore
    let topics: AlertTopics
    let deadLetters: AsyncStream<DeadLetter>.Continuation
    let outboxWakeups: Wakeups
    let metrics: DaemonMetrics
    let clock: WallClock
    let version: String
    let logger: Logger
    let rejectionLog = RateLimitedLog()
    let prognosis: PrognosisLink
    let assetPolicy: AssetPolicy
    let deadLetterBudget: DeadLetterBudget
    let commandGate: CommandGate

    /// The daemon's rules for its assets, per entry (indexed like the profiles).
    public struct AssetPolicy: Sendable {
        /// Most QoS 0 messages per asset and second of arrival (0: no limit), per entry.
        public var maxMessageRate: [Int]
        /// Most new assets per minute, per entry.
        public var newAssetsPerMinute: [Int]
        /// How long an asset may be quiet before it is forgotten; nil: never.
        public var expiry: Duration?

        /// Creates a policy.
        public init(maxMessageRate: [Int], newAssetsPerMinute: [Int], expiry: Duration?) {
            self.maxMessageRate = maxMessageRate
            self.newAssetsPerMinute = newAssetsPerMinute
            self.expiry = expiry
        }
    }

    /// What the service's loop owns: the pipeline and the daemon's view of its assets.
    struct State {
        var pipeline: Pipeline
        var assets: AssetLifecycle
        /// QoS 0 message budgets by asset; full ones are dropped now and then (a full budget is the
        /// same as a fresh one), so junk names cost nothing lasting.
        var messageBudgets: [String: TokenBucket] = [:]
        /// When a notice of each key was last queued (monotonic ms).
        var noticesSent: [String: Int64] = [:]
        /// When quiet assets were last looked for (monotonic ms).
        var lastSweep: Int64 = .min
        /// The checks on operators' commands, with their budgets and the nonces seen.
        var commands: CommandGate
        /// Retrainings asked for by failure labels of the batch not yet committed: sent once the
        /// label and the run's last steps are in the database the retraining reads.
        var retrainings: [(entry: Int, assets: [String])] = []
    }

    /// Creates the service.
    public init(
        messages: MQTTMessages,
        intake: Intake,
        profiles: [AssetProfile],
        store: EventStore,
        topics: AlertTopics,
        deadLetters: AsyncStream<DeadLetter>.Continuation,
        outboxWakeups: Wakeups,
        metrics: DaemonMetrics,
        clock: WallClock,
        version: String,
        assetPolicy: AssetPolicy? = nil,
        deadLetterBudget: DeadLetterBudget = DeadLetterBudget(),
        commandGate: CommandGate? = nil,
        logger: Logger,
        prognosis: PrognosisLink = PrognosisLink()
    ) {
        self.prognosis = prognosis
        self.messages = messages
        self.intake = intake
        self.profiles = profiles
        self.store = store
        self.topics = topics
        self.deadLetters = deadLetters
        self.outboxWakeups = outboxWakeups
        self.metrics = metrics
        self.clock = clock
        self.version = version
        self.assetPolicy =
            assetPolicy
            ?? AssetPolicy(
                maxMessageRate: profiles.map { _ in 0 },
                newAssetsPerMinute: profiles.map(\.maxAssets),
                expiry: nil
            )
        self.deadLetterBudget = deadLetterBudget
        // Without a gate, commands must be signed and no key is known: none is carried out.
        self.commandGate =
            commandGate
            ?? CommandGate(
                keys: [:],
                requireSignature: true,
                maxAge: .seconds(60),
                topic: topics.command,
                maxPerMinute: 30,
                maxPerAssetPerMinute: 2
            )
        self.logger = logger
    }

    public func run() async throws {
        var pipeline = Pipeline(profiles: profiles)
        var assets = AssetLifecycle(
            expiry: assetPolicy.expiry,
            newAssetsPerMinute: assetPolicy.newAssetsPerMinute,
            capacity: profiles.reduce(0) { total, profile in
                let (sum, overflow) = total.addingReportingOverflow(profile.maxAssets)
                return overflow ? .max : sum
            }
        )
        // Alarms open when the daemon last stopped continue under their ids instead of being raised again.
        // So do the detectors: their models, calibration and recurrent state.
        do {
            assets.restore(dormant: try await store.assetArrivals(unknownAs: clock.now()))
            let open = try await store.openAlarms()
            pipeline.restore(openAlarms: open)
            let detectors = try await store.detectorStates()
            pipeline.restore(detectorSnapshots: detectors)
            pipeline.restore(signalTimes: try await store.signalTimes())
            try await restorePrognosis(&pipeline)
            if !open.isEmpty || !detectors.isEmpty {
                logger.info(
                    "Restored state",
                    metadata: ["alarms.open": "\(open.count)", "detectors": "\(detectors.count)"]
                )
            }
        } catch {
            logger.error("Cannot read open alarms; they may be raised again", metadata: ["store.error": "\(error)"])
        }
        var batch = StoreBatch()
        if let recovery = store.recovery {
            // One notice, through the outbox like an alert, that the old database was set aside.
            logger.critical("Database was corrupt; started a fresh one", metadata: ["store.recovery": "\(recovery)"])
            let notice = Notice(
                kind: "database_recovered",
                detail: "\(recovery)",
                time: clock.now(),
                files: recovery.movedTo,
                vigilVersion: version
            )
            batch.outbox.append((topic: topics.notice, payload: notice.jsonBytes(), qos: topics.qos, retain: false))
        }
        var state = State(pipeline: pipeline, assets: assets, commands: commandGate)
        // Assets an earlier run knew that have been quiet too long are forgotten now.
        sweepQuietAssets(&state, into: &batch)
        await commit(&batch)
        var readingsInBatch = 0
        var lastCommit = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
        var lastCensus = ContinuousClock.now
        for await message in messages {
            takeRetrainedModels(&state.pipeline)
            readingsInBatch += await process(message, state: &state, into: &batch)
            sweepQuietAssets(&state, into: &batch)
            if !batch.outbox.isEmpty || ContinuousClock.now - lastCensus > .seconds(1) {
                publishCensus(state.pipeline)
                lastCensus = ContinuousClock.now
            }
            // Alerts are committed at once; reading counters when the queue is empty, and under load
            // at least every second or 1000 readings, so one transaction carries many readings. The
            // messages taken keep their places in the inbound queue until they are committed, so the
            // queue's capacity bounds what a crash can lose: acknowledged, uncommitted messages. A
            // queue full of them has nothing pending, which commits.
            if !batch.outbox.isEmpty || messages.pending == 0 || readingsInBatch >= 1000
                || ContinuousClock.now - lastCommit > .seconds(1)
            {
                await commit(&batch)
                requestRetrainings(&state, committed: batch.isEmpty)
                messages.release()
                readingsInBatch = 0
                lastCommit = ContinuousClock.now
            }
            if ContinuousClock.now - lastCheckpoint > Self.checkpointInterval {
                await saveDetectors(state.pipeline)
                lastCheckpoint = ContinuousClock.now
            }
        }
        await commit(&batch)
        requestRetrainings(&state, committed: batch.isEmpty)
        messages.release()
        publishCensus(state.pipeline)
        await saveDetectors(state.pipeline)
        deadLetters.finish()
        logger.info(
            "Pipeline drained",
            metadata: [
                "pipeline.messages": "\(metrics.snapshot.messagesReceived)",
                "pipeline.readings": "\(metrics.snapshot.readingsAccepted)",
            ]
        )
        // The queue ends when the ingest connection has closed, which happens while the group shuts
        // down the services after this one; return when our own turn comes.
        try? await gracefulShutdown()
    }

    /// Processes one message; returns the number of readings accepted.
    private func process(_ message: MQTTMessage, state: inout State, into batch: inout StoreBatch) async -> Int {
        let arrival = clock.now()
        if message.retain {
            // Only the broker's stored copy arrives flagged retained (live messages never do): an
            // old value of unknown age must not be scored as now, nor an old command run again.
            metrics.update { $0.messagesReceived += 1 }
            reject(
                Rejection(.retained, "retained message delivered on subscribe; only live readings count"),
                message,
                arrival: arrival
            )
            return 0
        }
        if message.topic == topics.command {
            handleCommand(message, state: &state, into: &batch, at: arrival)
            return 0
        }
        if message.topic == topics.label {
            handleLabel(message, state: &state, into: &batch, at: arrival)
            return 0
        }
        metrics.update { $0.messagesReceived += 1 }
        if message.qos == 0, let refusal = overMessageBudget(message.topic, state: &state) {
            reject(refusal, message, arrival: arrival)
            return 0
        }
        let readings: [Reading]
        switch intake.readings(topic: message.topic, payload: message.payload, arrival: arrival) {
        case .failure(let rejection):
            reject(rejection, message, arrival: arrival)
            return 0
        case .success(let decoded):
            readings = decoded
        }
        var accepted = 0
        var refusals: [Rejection] = []
        for reading in readings {
            if !state.pipeline.holds(reading.asset),
                let refusal = admit(reading, arrival: arrival, state: &state, into: &batch)
            {
                refusals.append(refusal)
                continue
            }
            let outputs: [PipelineOutput]
            do {
                outputs = try await state.pipeline.process(reading)
            } catch {
                refusals.append(error)
                continue
            }
            accepted += 1
            state.assets.touch(reading.asset, profile: reading.profile, at: arrival.milliseconds)
            let previous = batch.readings[reading.asset]
            batch.readings[reading.asset] = (
                count: (previous?.count ?? 0) + 1, lastTime: max(previous?.lastTime ?? 0, reading.time.milliseconds)
            )
            batch.arrivals[reading.asset] = arrival.milliseconds
            if reading.stamped {
                batch.signalTimes[reading.asset, default: [:]][reading.signal] = max(
                    batch.signalTimes[reading.asset]?[reading.signal] ?? .min,
                    reading.time.milliseconds
                )
            }
            record(outputs, into: &batch)
        }
        if !refusals.isEmpty { reject(refusals, of: readings.count, message, arrival: arrival) }
        metrics.update { $0.readingsAccepted += accepted }
        return accepted
    }

    /// Turns pipeline outputs into events, alerts and retained states for the next commit.
    func record(_ outputs: [PipelineOutput], into batch: inout StoreBatch) {
        for output in outputs {
            switch output {
            case .event(let event):
                batch.events.append(event)
                batch.outbox.append(
                    (
                        topic: TopicPattern.expand(topics.alert, with: ["asset": event.asset]),
                        payload: AlertDocument(event: event, vigilVersion: version).jsonBytes(), qos: topics.qos,
                        retain: false
                    )
                )
                logger.notice(
                    "Alarm \(event.transition.rawValue)",
                    metadata: [
                        "asset": "\(event.asset)", "alarm.id": "\(event.alarmID)",
                        "alarm.kind": "\(event.kind.rawValue)", "alarm.score": "\(event.score)",
                        "alarm.signal": "\(event.contributions.first?.signal ?? "-")",
                    ]
                )
            case .assetState(let asset, let state):
                batch.states[asset] = state.rawValue
                batch.outbox.append(
                    (
                        topic: TopicPattern.expand(topics.state, with: ["asset": asset]),
                        payload: Array(state.rawValue.utf8), qos: topics.qos, retain: true
                    )
                )
            case .tickFound(let asset, let tick, let spacing, let configured):
                if !configured {
                    logger.info(
                        "Tick taken from the readings",
                        metadata: ["asset": "\(asset)", "tick": "\(ConfigDuration(tick))"]
                    )
                } else if !TickEstimator.matches(tick: tick, spacing: spacing) {
                    // Once per asset: the pipeline reports the spacing once.
                    logger.warning(
                        "The configured tick does not match how often the readings come",
                        metadata: [
                            "asset": "\(asset)", "tick": "\(ConfigDuration(tick))",
                            "readings.spacing": "\(ConfigDuration(spacing))",
                        ]
                    )
                }
            case .scored:
                break
            case .prognosis, .prognosisStep:
                recordPrognosis(output, into: &batch)
            }
        }
    }

    /// Copies the assets' states, detectors, models and engine errors into the metrics.
    private func publishCensus(_ pipeline: Pipeline) {
        let census = pipeline.census()
        metrics.update {
            $0.assetStates = census.states
            $0.detectors = census.detectors
            $0.models = census.models
            $0.engineErrors = pipeline.engineErrors
        }
    }

    /// How often the detectors' learned state is saved while running (and always on shutdown).
    static let checkpointInterval = Duration.seconds(60)

    /// Saves every detector's snapshot; a failure is logged and retried at the next checkpoint.
    private func saveDetectors(_ pipeline: Pipeline) async {
        do {
            try await store.saveDetectorStates(pipeline.detectorSnapshots(), at: clock.now())
        } catch {
            logger.error("Cannot save detector state", metadata: ["store.error": "\(error)"])
        }
    }

    /// Commits a batch, retrying until the database accepts it (or the task is cancelled).
    private func commit(_ batch: inout StoreBatch) async {
        guard !batch.isEmpty else { return }
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await store.record(batch, at: clock.now())
                break
            } catch {
                metrics.update {
                    $0.storeErrors += 1
                    $0.storeErrorsByCode[error.code.map { "\($0)" } ?? "other", default: 0] += 1
                }
                if error.code.map({ $0 & 0xFF }) == 13, let deleted = try? await store.makeRoom(), deleted > 0 {
                    // SQLITE_FULL at the configured size cap: the oldest history goes, never the outbox.
                    metrics.update { $0.eventsPruned += deleted }
                    logger.warning(
                        "Database at its size cap: deleted the oldest events",
                        metadata: ["store.deleted": "\(deleted)"]
                    )
                    continue
                }
                logger.error(
                    "Database write failed; holding intake until it succeeds",
                    metadata: ["store.error": "\(error)", "store.retry_in": "\(delay)"]
                )
                if Task.isCancelled {
                    logger.critical(
                        "Cancelled with an unwritten batch",
                        metadata: ["store.events": "\(batch.events.count)"]
                    )
                    return
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
        let events = batch.events.count
        let hasOutbox = !batch.outbox.isEmpty
        metrics.update {
            $0.eventsRecorded += events
            $0.pipelineProgress += 1
        }
        batch = StoreBatch()
        if hasOutbox { outboxWakeups.signal() }
    }
}
