internal import CVigilMosquitto

/// A failure of a libmosquitto call or of the broker connection.
///
/// libmosquitto's error codes are an open set, so the raw code is kept with the call that failed
/// and libmosquitto's own text for it; a TLS setup failure keeps OpenSSL's text in `detail`.
public struct MQTTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in Vigil's terms.
    public enum Kind: Hashable, Sendable {
        /// A libmosquitto call returned an error code.
        case library
        /// The broker refused the connection (CONNACK return code in `code`).
        case refused
        /// No connection to the broker right now.
        case notConnected
        /// The client was shut down.
        case shutDown
        /// The TLS context could not be made: a CA, certificate or key file that cannot be read, or
        /// a key that does not fit its certificate (`code` is the failed step, `detail` OpenSSL's
        /// errors).
        case tls
    }

    /// The kind.
    public var kind: Kind
    /// libmosquitto's `MOSQ_ERR_*` code, or the CONNACK code for `.refused`.
    public var code: Int32
    /// The operation that failed, e.g. `mosquitto_publish`.
    public var operation: String
    /// More about the failure where the library says more, e.g. OpenSSL's error text.
    public var detail: String?

    /// Creates an error.
    public init(kind: Kind, code: Int32, operation: String, detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.operation = operation
        self.detail = detail
    }

    static func library(_ code: Int32, _ operation: String) -> MQTTError {
        MQTTError(kind: .library, code: code, operation: operation)
    }

    public var description: String {
        switch kind {
        case .library:
            "\(operation) failed: \(String(cString: mosquitto_strerror(code))) (\(code))"
        case .refused:
            "broker refused the connection: \(String(cString: mosquitto_connack_string(code))) (\(code))"
        case .notConnected:
            "\(operation): not connected to the broker"
        case .shutDown:
            "\(operation): the client has shut down"
        case .tls:
            "\(operation) failed\(detail.map { ": \($0)" } ?? "")"
        }
    }
}
