public import Logging
public import ServiceLifecycle
internal import VigilCore
public import VigilMQTT
public import VigilStore

/// Watches both broker connections for a session takeover (`TakeoverDetector`): another client
/// connecting with Vigil's client id. It logs one at error level with the rate of lost connections
/// and sends a `session_takeover` notice through the outbox, at most once per connection every 10
/// minutes.
public struct SessionWatchService: Service {
    let connections: [(name: String, client: MQTTClient)]
    let store: EventStore
    let wakeups: Wakeups
    let noticeTopic: String
    let qos: Int32
    let clock: WallClock
    let version: String
    let logger: Logger

    /// Creates the service.
    public init(
        connections: [(name: String, client: MQTTClient)],
        store: EventStore,
        wakeups: Wakeups,
        noticeTopic: String,
        qos: Int32,
        clock: WallClock,
        version: String,
        logger: Logger
    ) {
        self.connections = connections
        self.store = store
        self.wakeups = wakeups
        self.noticeTopic = noticeTopic
        self.qos = qos
        self.clock = clock
        self.version = version
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var detectors = connections.map { _ in TakeoverDetector() }
        var lastNotice: [Int64?] = connections.map { _ in nil }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = Monotonic.milliseconds()
            for (index, (name, client)) in connections.enumerated() {
                guard let rate = detectors[index].observe(losses: client.statistics.connectionLosses, at: now)
                else { continue }
                if let sent = lastNotice[index], now - sent < 600_000 { continue }
                lastNotice[index] = now
                await report(name: name, client: client, rate: rate)
            }
        }
    }

    private func report(name: String, client: MQTTClient, rate: Double) async {
        let clientID = client.options.clientID
        let perMinute = (rate * 10).rounded() / 10
        logger.error(
            """
            MQTT session taken over: the broker keeps closing this connection right after it connects; \
            another client is probably using Vigil's client id
            """,
            metadata: [
                "mqtt.connection": "\(name)", "mqtt.client_id": "\(clientID)",
                "mqtt.losses_per_minute": "\(perMinute)",
            ]
        )
        let notice = Notice(
            kind: "session_takeover",
            detail: "the broker closed Vigil's \(name) connection (client id '\(clientID)') \(perMinute) times a "
                + "minute, each soon after it connected: another client is probably connecting with the same client "
                + "id. Bind client ids to users on the broker (mosquitto: use_username_as_clientid true), and give "
                + "each device its own login",
            time: clock.now(),
            files: [],
            vigilVersion: version
        )
        var batch = StoreBatch()
        batch.outbox.append((topic: noticeTopic, payload: notice.jsonBytes(), qos: qos, retain: false))
        do {
            try await store.record(batch, at: clock.now())
            wakeups.signal()
        } catch {
            logger.error("Cannot queue the session takeover notice", metadata: ["store.error": "\(error)"])
        }
    }
}
