internal import CVigilTLS

/// The OpenSSL context of one client's TLS connections, made by Vigil (`CVigilTLS`) and handed to
/// libmosquitto, so that a refused broker certificate is logged with OpenSSL's reason.
///
/// The context allows TLS 1.2 or newer, always verifies the broker's certificate against the
/// configured CAs, host name included, and records the first verification error of a handshake.
/// libmosquitto takes its own reference (`MOSQ_OPT_SSL_CTX`); the client drops this one with
/// `free()` after `mosquitto_destroy`.
///
/// `@unchecked Sendable`: the pointer is only passed to OpenSSL calls that are thread-safe on a
/// context in use (the record's fields are atomics), and it is freed once, after the network thread
/// has finished.
struct TLSClientContext: @unchecked Sendable {
    /// Why the broker's certificate was refused: OpenSSL's verification error.
    struct VerificationFailure: Hashable, Sendable, CustomStringConvertible {
        /// `X509_V_ERR_*`.
        var code: Int32
        /// Where in the broker's chain: 0 is the broker's own certificate.
        var depth: Int32
        /// OpenSSL's text for `code`, e.g. "certificate has expired".
        var reason: String

        var description: String { "\(reason) (X509 error \(code) at depth \(depth))" }
    }

    let pointer: OpaquePointer

    /// Makes the context for `tls`, checking the broker's certificate for `host`.
    /// - Throws: `MQTTError` of kind `.tls` when a file cannot be read or the key does not fit.
    init(_ tls: ConnectOptions.TLS, host: String) throws(MQTTError) {
        var failedStep = VIGIL_TLS_SETUP_OK
        var reason = [CChar](repeating: 0, count: 1024)
        let context = reason.withUnsafeMutableBufferPointer { buffer in
            vigil_tls_client_context_new(
                tls.caFile,
                tls.certFile,
                tls.keyFile,
                host,
                &failedStep,
                buffer.baseAddress,
                buffer.count
            )
        }
        guard let context else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw MQTTError(
                kind: .tls,
                code: Int32(failedStep.rawValue),
                operation: Self.describe(failedStep, tls),
                detail: text.isEmpty ? nil : text
            )
        }
        pointer = context
    }

    /// The opaque pointer libmosquitto's `MOSQ_OPT_SSL_CTX` takes.
    var rawPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(pointer) }

    /// The first verification error since the last call, if any; clears it. Called on the
    /// connection's thread before and after each attempt.
    func takeVerificationFailure() -> VerificationFailure? {
        var depth: Int32 = 0
        let code = vigil_tls_take_verify_error(pointer, &depth)
        guard code != 0 else { return nil }
        return VerificationFailure(
            code: code,
            depth: depth,
            reason: String(cString: vigil_tls_verify_error_string(code))
        )
    }

    /// Drops Vigil's reference; OpenSSL frees the context once libmosquitto has dropped its own.
    func free() {
        vigil_tls_client_context_free(pointer)
    }

    private static func describe(_ step: vigil_tls_setup_step, _ tls: ConnectOptions.TLS) -> String {
        switch step {
        case VIGIL_TLS_SETUP_CA_FILE: "loading the TLS CA file \(tls.caFile)"
        case VIGIL_TLS_SETUP_CERT_FILE: "loading the TLS client certificate \(tls.certFile ?? "(missing)")"
        case VIGIL_TLS_SETUP_KEY_FILE: "loading the TLS client key \(tls.keyFile ?? "(missing)")"
        case VIGIL_TLS_SETUP_KEY_MISMATCH: "matching the TLS client key \(tls.keyFile ?? "") to its certificate"
        case VIGIL_TLS_SETUP_HOST: "setting the host name the broker certificate must name"
        default: "creating the TLS context"
        }
    }
}
