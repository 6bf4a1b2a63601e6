/// Everything needed to open and keep an MQTT connection.
public struct ConnectOptions: Sendable, Hashable {
    /// TLS settings; the broker's certificate is always verified, including its host name.
    public struct TLS: Sendable, Hashable {
        /// PEM file of the certificate authorities to trust.
        public var caFile: String
        /// PEM client certificate for mutual TLS.
        public var certFile: String?
        /// PEM private key of the client certificate.
        public var keyFile: String?

        /// Creates TLS settings.
        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// A message published by the client itself: the last will, or the message sent on each connect.
    public struct StatusMessage: Sendable, Hashable {
        /// Topic.
        public var topic: String
        /// Payload bytes.
        public var payload: [UInt8]
        /// Quality of service, 0 to 2.
        public var qos: Int32
        /// Whether the broker retains it.
        public var retain: Bool

        /// Creates a status message.
        public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = true) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// A topic filter to subscribe to on every connect.
    public struct Subscription: Sendable, Hashable {
        /// The MQTT filter (`+` and `#` allowed).
        public var filter: String
        /// The maximum QoS requested.
        public var qos: Int32

        /// Creates a subscription.
        public init(filter: String, qos: Int32 = 1) {
            self.filter = filter
            self.qos = qos
        }
    }

    /// Broker host name or address.
    public var host: String
    /// Broker port.
    public var port: Int32
    /// MQTT client id; with a persistent session the broker keeps the session under this id.
    public var clientID: String
    /// Keep-alive interval.
    public var keepalive: Duration
    /// Whether the session is discarded on disconnect (false: the broker queues QoS 1 messages for us).
    public var cleanSession: Bool
    /// User name, if the broker requires authentication.
    public var username: String?
    /// Password, read from a file by the caller; never logged.
    public var password: String?
    /// TLS, when the broker requires it.
    public var tls: TLS?
    /// Published by the broker if the connection is lost without a DISCONNECT.
    public var will: StatusMessage?
    /// Published by the client on every successful connect (for example `online`).
    public var onlineMessage: StatusMessage?
    /// Filters subscribed to on every connect.
    public var subscriptions: [Subscription]
    /// First reconnect delay.
    public var reconnectDelay: Duration
    /// Longest reconnect delay.
    public var reconnectDelayMax: Duration
    /// Capacity of the inbound queue; when full, the network thread waits (nothing is dropped).
    public var inboundCapacity: Int
    /// Whether a message taken from `MQTTClient.messages` keeps its place in the inbound queue
    /// until `MQTTMessages.release()`. Then at most `inboundCapacity` messages are acknowledged to
    /// the broker and not yet released: the most a crash can lose, if the consumer releases only
    /// what it has made durable. False: a place is free as soon as its message is taken.
    public var holdsInboundUntilReleased = false
    /// Whether subscriptions are sent again on every connect (the default, and what Vigil needs: a
    /// broker that lost the session, e.g. after SIGKILL, would otherwise send nothing). False only
    /// reproduces the known-bad "subscribe on first connect" client for the fault tests' control.
    public var resubscribeOnReconnect = true

    /// Creates options with sensible defaults for a plant network.
    public init(
        host: String,
        port: Int32 = 1883,
        clientID: String,
        keepalive: Duration = .seconds(30),
        cleanSession: Bool = true,
        username: String? = nil,
        password: String? = nil,
        tls: TLS? = nil,
        will: StatusMessage? = nil,
        onlineMessage: StatusMessage? = nil,
        subscriptions: [Subscription] = [],
        reconnectDelay: Duration = .seconds(1),
        reconnectDelayMax: Duration = .seconds(30),
        inboundCapacity: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.keepalive = keepalive
        self.cleanSession = cleanSession
        self.username = username
        self.password = password
        self.tls = tls
        self.will = will
        self.onlineMessage = onlineMessage
        self.subscriptions = subscriptions
        self.reconnectDelay = reconnectDelay
        self.reconnectDelayMax = reconnectDelayMax
        self.inboundCapacity = inboundCapacity
    }
}

extension ConnectOptions: CustomStringConvertible {
    /// A description without the password.
    public var description: String {
        "mqtt\(tls == nil ? "" : "s")://\(username.map { "\($0)@" } ?? "")\(host):\(port) client_id=\(clientID)"
    }
}
