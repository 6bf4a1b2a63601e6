/// The `metrics:` section: the Prometheus endpoint that `vigil status` and a scraper read.
public struct MetricsSettings: Hashable, Sendable, Decodable, Encodable {
    /// Loopback address the endpoint listens on (`127.0.0.1` or `::1`).
    public var address: String
    /// TCP port of the endpoint; 0 turns it off.
    public var port: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case address, port
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decode(String.self, forKey: .address, default: Self.defaultAddress)
        // The endpoint has no authentication, so it stays on this machine; a scraper elsewhere
        // goes through a proxy the operator chooses (see docs/operations.md).
        guard address == "127.0.0.1" || address == "::1" || address == "localhost" else {
            throw container.invalid(.address, "the metrics endpoint listens on loopback only: 127.0.0.1 or ::1")
        }
        port = try container.decode(Int.self, forKey: .port, default: Self.defaultPort)
        guard (0...65_535).contains(port) else {
            throw container.invalid(.port, "port must be 0 (off) to 65535")
        }
    }

    init() {
        address = Self.defaultAddress
        port = Self.defaultPort
    }

    /// The address used when the section does not name one.
    public static let defaultAddress = "127.0.0.1"
    /// The port used when the section does not name one.
    public static let defaultPort = 9470
}
