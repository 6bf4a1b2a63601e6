public import Logging
public import ServiceLifecycle
internal import UnixSignals
public import VigilConfig
internal import VigilCore
public import VigilMQTT
public import VigilStore

/// The assembled daemon: its connections, database and services in one `ServiceGroup`.
///
/// Services start in this order and shut down gracefully in the reverse one:
/// publisher connection, outbox, dead letters, pipeline, retraining, ingest connection, retention,
/// systemd.
/// So on SIGTERM systemd hears `STOPPING=1`, the ingest connection closes (the broker keeps further
/// readings for our persistent session), the pipeline drains every message already received, the
/// outbox is flushed as far as the broker allows, the status turns `offline`, and `run()` closes
/// the database.
public struct Daemon: Sendable {
    /// Version reported in alerts and `vigil --version`.
    public static let version = "0.1.0"

    /// The service group; `triggerGracefulShutdown()` on it stops the daemon as SIGTERM does.
    public let group: ServiceGroup
    /// The counters.
    public let metrics: DaemonMetrics
    /// The database.
    public let store: EventStore
    /// The connection that subscribes to sensor topics.
    public let subscriber: MQTTClient
    /// The connection that publishes alerts, states, status and dead letters.
    public let publisher: MQTTClient

    /// Builds the daemon from a configuration.
    /// - Parameters:
    ///   - configuration: the checked configuration.
    ///   - password: the broker password, read from `password_file` by the caller.
    ///   - publishPassword: the publishing connection's password (`publish_password_file`), when it
    ///     has a login of its own (`publish_username`).
    ///   - clock: the wall clock, read through an `ArrivalClock` (arrival times, retention) so that a
    ///     step of it never moves arrival times backwards.
    ///   - handleSignals: whether SIGTERM and SIGINT shut the group down, and SIGHUP, SIGUSR1, SIGUSR2
    ///     and SIGALRM are ignored (false in in-process tests).
    ///   - adjustIngest: changes the ingest connection's options (the fault tests' negative controls).
    ///   - adjustPublish: changes the publishing connection's options (the fault tests point it at a
    ///     broker that is down, so that alerts pile up while readings keep coming).
    ///   - prognosisModels: the remaining-life models the configuration names
    ///     (`PrognosisModels.load`).
    ///   - logger: the root logger.
    public init(
        configuration: VigilConfiguration,
        password: String?,
        publishPassword: String? = nil,
        clock: WallClock = .system,
        handleSignals: Bool = true,
        adjustIngest: (inout ConnectOptions) -> Void = { _ in },
        adjustPublish: (inout ConnectOptions) -> Void = { _ in },
        prognosisModels: PrognosisModels = PrognosisModels(),
        logger: Logger
    ) throws(DaemonStartError) {
        let broker = configuration.broker
        let alerts = configuration.alerts
        let intake = Intake(routes: configuration.routes, limits: configuration.decodingLimits)
        let offline = ConnectOptions.StatusMessage(topic: alerts.statusTopic, payload: Array("offline".utf8))
        let online = ConnectOptions.StatusMessage(topic: alerts.statusTopic, payload: Array("online".utf8))

        func options(clientID: String, subscriptions: [ConnectOptions.Subscription]) -> ConnectOptions {
            ConnectOptions(
                host: broker.host,
                port: Int32(broker.port),
                clientID: clientID,
                keepalive: broker.keepalive.duration,
                cleanSession: broker.cleanSession,
                username: broker.username,
                password: password,
                tls: broker.tls.map {
                    ConnectOptions.TLS(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile)
                },
                subscriptions: subscriptions,
                reconnectDelay: broker.reconnectDelay.duration,
                reconnectDelayMax: broker.reconnectDelayMax.duration,
                inboundCapacity: broker.inboundQueue
            )
        }
        var publisherOptions = options(clientID: "\(broker.clientID)-pub", subscriptions: [])
        if let publishUsername = broker.publishUsername {
            publisherOptions.username = publishUsername
            publisherOptions.password = publishPassword
        }
        publisherOptions.will = offline
        publisherOptions.onlineMessage = online
        adjustPublish(&publisherOptions)
        var subscriberOptions = options(
            clientID: broker.clientID,
            subscriptions: intake.subscriptionFilters.map { .init(filter: $0, qos: Int32(broker.qos)) }
                + [.init(filter: alerts.commandTopic, qos: 1), .init(filter: alerts.labelTopic, qos: 1)]
        )

        // The pipeline releases a message's place in the queue only once it is committed, so the
        // queue bounds what a crash can lose.
        subscriberOptions.holdsInboundUntilReleased = true
        adjustIngest(&subscriberOptions)
        metrics = DaemonMetrics()
        // The metrics port first: a port another process holds stops the daemon before it opens
        // anything else or goes online.
        let metricsSettings = configuration.metrics
        var metricsService: MetricsService?
        if metricsSettings.port != 0 {
            do {
                metricsService = try MetricsService(
                    address: metricsSettings.address,
                    port: metricsSettings.port,
                    logger: logger.with("service", "metrics"),
                    read: { "" }
                )
            } catch {
                throw .metrics(error)
            }
        }
        do {
            store = try EventStore(path: configuration.storage.path, maxSize: configuration.storage.maxSize)
        } catch {
            throw .store(error)
        }
        subscriber = MQTTClient(options: subscriberOptions, logger: logger.with("mqtt.connection", "ingest"))
        publisher = MQTTClient(options: publisherOptions, logger: logger.with("mqtt.connection", "publish"))
        let wakeups = Wakeups()
        let prognosis = PrognosisLink(
            retrainedEntries: Set(
                prognosisModels.entries.keys.filter { configuration.assets[$0].prognosis?.retrain == true }
            )
        )
        let arrival = ArrivalClock(wall: clock, logger: logger.with("service", "clock")).asWallClock
        let deadLetterBudget = DeadLetterBudget()
        let (letters, lettersContinuation) = AsyncStream.makeStream(
            of: DeadLetter.self,
            bufferingPolicy: .bufferingOldest(1000)
        )

        var services: [any Service] = [
            ConnectionService(client: publisher, goodbye: offline, logger: logger),
            OutboxService(
                store: store,
                client: publisher,
                wakeups: wakeups,
                metrics: metrics,
                flushTimeout: .seconds(10),
                logger: logger.with("service", "outbox")
            ),
            DeadLetterService(
                letters: letters,
                client: publisher,
                topicPrefix: alerts.deadLetterTopic,
                budget: deadLetterBudget,
                clock: arrival,
                metrics: metrics,
                logger: logger
            ),
            PipelineService(
                messages: subscriber.messages,
                intake: intake,
                profiles: prognosisModels.attach(to: configuration.profiles),
                store: store,
                topics: AlertTopics(
                    alert: alerts.topic,
                    state: alerts.stateTopic,
                    qos: Int32(alerts.qos),
                    deadLetter: alerts.deadLetterTopic,
                    deadLetterMaxBytes: alerts.deadLetterMaxBytes,
                    command: alerts.commandTopic,
                    notice: alerts.noticeTopic,
                    label: alerts.labelTopic,
                    prognosis: alerts.prognosisTopic
                ),
                deadLetters: lettersContinuation,
                outboxWakeups: wakeups,
                metrics: metrics,
                clock: arrival,
                version: Self.version,
                assetPolicy: PipelineService.AssetPolicy(
                    maxMessageRate: configuration.assets.map(\.maxMessageRate),
                    newAssetsPerMinute: configuration.assets.map(\.newAssetsPerMinute),
                    expiry: configuration.limits.assetExpiry.duration
                ),
                deadLetterBudget: deadLetterBudget,
                commandGate: CommandGate(
                    keys: Dictionary(
                        configuration.commands.keys.compactMap { key in
                            CommandKeys.raw(key.publicKey).map { (key.name, $0) }
                        },
                        uniquingKeysWith: { first, _ in first }
                    ),
                    requireSignature: configuration.commands.requireSignature,
                    maxAge: configuration.commands.maxAge.duration,
                    topic: alerts.commandTopic,
                    maxPerMinute: configuration.commands.maxPerMinute,
                    maxPerAssetPerMinute: configuration.commands.maxPerAssetPerMinute
                ),
                logger: logger.with("service", "pipeline"),
                prognosis: prognosis
            ),
            RetrainingService(
                link: prognosis,
                store: store,
                models: prognosisModels,
                clock: clock,
                logger: logger.with("service", "retraining")
            ),
            ConnectionService(client: subscriber, logger: logger),
            RetentionService(
                store: store,
                retention: configuration.storage.retention.duration,
                clock: arrival,
                logger: logger.with("service", "retention")
            ),
            SystemdService(
                notifier: SystemdNotifier.fromProcessEnvironment(),
                subscriber: subscriber,
                metrics: metrics,
                logger: logger
            ),
        ]
        services.append(
            SessionWatchService(
                connections: [("ingest", subscriber), ("publish", publisher)],
                store: store,
                wakeups: wakeups,
                noticeTopic: alerts.noticeTopic,
                qos: Int32(alerts.qos),
                clock: arrival,
                version: Self.version,
                logger: logger.with("service", "session-watch")
            )
        )
        if handleSignals { services.append(SignalService(logger: logger.with("service", "signals"))) }
        if var metricsService {
            let (store, subscriber, publisher, metrics) = (store, subscriber, publisher, metrics)
            metricsService.read = {
                let pending = try? await store.outboxCount()
                return MetricsExposition.render(
                    MetricsReading(
                        daemon: metrics.snapshot,
                        ingest: subscriber.statistics,
                        publish: publisher.statistics,
                        ingestConnected: subscriber.isConnected,
                        publishConnected: publisher.isConnected,
                        inboundCapacity: broker.inboundQueue,
                        outboxPending: pending
                    ),
                    version: Self.version
                )
            }
            services.append(metricsService)
        }
        group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
    }

    /// Starts a graceful shutdown, as SIGTERM does; `run()` returns once it is complete.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Runs until shut down, then closes the database.
    public func run() async throws {
        defer { try? store.close() }
        try await group.run()
    }
}

/// Why the daemon could not be assembled.
public enum DaemonStartError: Error, CustomStringConvertible {
    /// The database could not be opened.
    case store(StoreError)
    /// The metrics endpoint could not be bound (for example, its port is taken).
    case metrics(MetricsEndpointError)

    public var description: String {
        switch self {
        case .store(let error): "cannot open the database: \(error)"
        case .metrics(let error): "\(error)"
        }
    }
}

extension Logger {
    /// A copy of the logger with one more metadata entry.
    func with(_ key: String, _ value: String) -> Logger {
        var logger = self
        logger[metadataKey: key] = "\(value)"
        return logger
    }
}
