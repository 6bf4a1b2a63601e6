/// The `broker:` section: where and how to connect.
public struct BrokerSettings: Hashable, Sendable, Decodable, Encodable {
    /// The `broker.tls:` section.
    public struct TLSSettings: Hashable, Sendable, Decodable, Encodable {
        /// PEM file of the certificate authorities to trust.
        public var caFile: String
        /// PEM client certificate, for mutual TLS.
        public var certFile: String?
        /// PEM key of the client certificate.
        public var keyFile: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case caFile = "ca_file"
            case certFile = "cert_file"
            case keyFile = "key_file"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            caFile = try container.decode(String.self, forKey: .caFile)
            certFile = try container.decodeIfPresent(String.self, forKey: .certFile)
            keyFile = try container.decodeIfPresent(String.self, forKey: .keyFile)
            if (certFile == nil) != (keyFile == nil) {
                throw container.invalid(certFile == nil ? .keyFile : .certFile, "cert_file and key_file go together")
            }
        }
    }

    /// Broker host.
    public var host: String
    /// Broker port.
    public var port: Int
    /// MQTT client id of the subscribing connection (the publishing one adds `-pub`).
    public var clientID: String
    /// Keep-alive interval.
    public var keepalive: ConfigDuration
    /// Whether to start a clean session on every connect; false keeps readings queued by the broker
    /// while Vigil is away.
    public var cleanSession: Bool
    /// QoS of the sensor subscriptions.
    public var qos: Int
    /// User name.
    public var username: String?
    /// File holding the password (its first line); must not be readable by group or others.
    public var passwordFile: String?
    /// User name of the publishing connection, when it has its own (a broker that binds client ids
    /// to user names, `use_username_as_clientid`, needs one login per connection); nil: `username`.
    public var publishUsername: String?
    /// Password file of `publish_username`.
    public var publishPasswordFile: String?
    /// TLS settings.
    public var tls: TLSSettings?
    /// First reconnect delay.
    public var reconnectDelay: ConfigDuration
    /// Longest reconnect delay.
    public var reconnectDelayMax: ConfigDuration
    /// Capacity of the inbound queue between the network thread and the pipeline.
    public var inboundQueue: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, keepalive, qos, username, tls
        case clientID = "client_id"
        case cleanSession = "clean_session"
        case passwordFile = "password_file"
        case publishUsername = "publish_username"
        case publishPasswordFile = "publish_password_file"
        case reconnectDelay = "reconnect_delay"
        case reconnectDelayMax = "reconnect_delay_max"
        case inboundQueue = "inbound_queue"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(
            CodingKeys.self,
            hint: ["password": "a secret does not belong in the YAML file; put it in a file named by password_file"]
        )
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decode(String.self, forKey: .host, default: "127.0.0.1")
        port = try container.decode(Int.self, forKey: .port, default: 1883)
        guard (1...65_535).contains(port) else { throw container.invalid(.port, "port must be 1 to 65535") }
        clientID = try container.decode(String.self, forKey: .clientID, default: "vigil")
        guard (1...64).contains(clientID.utf8.count) else {
            throw container.invalid(.clientID, "client_id must be 1 to 64 bytes")
        }
        keepalive = try container.decode(ConfigDuration.self, forKey: .keepalive, default: ConfigDuration("30s")!)
        guard keepalive.duration >= .seconds(5) else {
            throw container.invalid(.keepalive, "keepalive must be at least 5s")
        }
        cleanSession = try container.decode(Bool.self, forKey: .cleanSession, default: false)
        qos = try container.decode(Int.self, forKey: .qos, default: 1)
        guard (0...2).contains(qos) else { throw container.invalid(.qos, "qos must be 0, 1 or 2") }
        username = try container.decodeIfPresent(String.self, forKey: .username)
        passwordFile = try container.decodeIfPresent(String.self, forKey: .passwordFile)
        if passwordFile != nil && username == nil {
            throw container.invalid(.passwordFile, "password_file needs a username")
        }
        publishUsername = try container.decodeIfPresent(String.self, forKey: .publishUsername)
        publishPasswordFile = try container.decodeIfPresent(String.self, forKey: .publishPasswordFile)
        if publishPasswordFile != nil && publishUsername == nil {
            throw container.invalid(.publishPasswordFile, "publish_password_file needs a publish_username")
        }
        if publishUsername != nil && username == nil {
            throw container.invalid(.publishUsername, "publish_username needs a username for the ingest connection")
        }
        tls = try container.decodeIfPresent(TLSSettings.self, forKey: .tls)
        reconnectDelay = try container.decode(
            ConfigDuration.self,
            forKey: .reconnectDelay,
            default: ConfigDuration("1s")!
        )
        reconnectDelayMax = try container.decode(
            ConfigDuration.self,
            forKey: .reconnectDelayMax,
            default: ConfigDuration("30s")!
        )
        guard reconnectDelay.duration > .zero, reconnectDelayMax.duration >= reconnectDelay.duration else {
            throw container.invalid(
                .reconnectDelayMax,
                "reconnect_delay must be positive and at most reconnect_delay_max"
            )
        }
        inboundQueue = try container.decode(Int.self, forKey: .inboundQueue, default: 1024)
        guard (1...1_000_000).contains(inboundQueue) else {
            throw container.invalid(.inboundQueue, "inbound_queue must be 1 to 1000000")
        }
    }
}
