import Foundation
import Testing
import VigilMQTT
import VigilTestSupport

/// TLS against a real mosquitto: the broker is verified, host name included.
@Suite(.serialized) struct TLSTests {
    /// A broker whose only listener is TLS with `certificates`, on a fresh port.
    func withTLSBroker<T>(
        _ certificates: TestCertificates,
        tlsVersion: String? = nil,
        requireClientCertificate: Bool = false,
        crlFile: String? = nil,
        _ body: (Int32) async throws -> T
    ) async throws -> T {
        let port = try FreePort.find()
        // The plain listener that MosquittoBroker always opens is used only to see that it is up.
        return try await MosquittoBroker.withBroker(
            extraConfiguration: certificates.listenerConfiguration(
                port: port,
                tlsVersion: tlsVersion,
                requireClientCertificate: requireClientCertificate,
                crlFile: crlFile
            )
        ) { _ in try await body(port) }
    }

    func client(
        port: Int32,
        caFile: String,
        host: String = "localhost",
        clientCertificate: (certFile: String, keyFile: String)? = nil,
        capture: LogCapture = LogCapture()
    ) -> MQTTClient {
        MQTTClient(
            options: ConnectOptions(
                host: host,
                port: port,
                clientID: "tls-\(UUID().uuidString.prefix(8))",
                tls: .init(caFile: caFile, certFile: clientCertificate?.certFile, keyFile: clientCertificate?.keyFile),
                reconnectDelay: .milliseconds(100),
                reconnectDelayMax: .milliseconds(300)
            ),
            logger: capture.logger(label: "tls")
        )
    }

    @Test func connectsWhenTheBrokerCertificateIsSignedByTheConfiguredCA() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory)
        try await withTLSBroker(certificates) { port in
            let client = client(port: port, caFile: certificates.caFile)
            try await withRunning([client]) {
                try await client.waitUntilConnected()
                try await client.publish(topic: "tls/ok", payload: [1], qos: 1, retain: false)
            }
        }
    }

    @Test func refusesABrokerSignedByAnotherCA() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let real = try TestCertificates(in: directory, name: "real")
        let other = try TestCertificates(in: directory, name: "other")
        try await withTLSBroker(real) { port in
            let capture = LogCapture()
            let client = client(port: port, caFile: other.caFile, capture: capture)
            try await withRunning([client]) { try await waitForAttempts(client, 2) }
            #expect(client.statistics.connects == 0)
            #expect(client.statistics.reconnects >= 2)
            // mosquitto sends its CA with its certificate: a chain that ends in a CA nobody trusts.
            expectRefusal(capture, code: 19, reason: "self-signed certificate in certificate chain", depth: 1)
        }
    }

    @Test func refusesABrokerWhoseCertificateNamesAnotherHost() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory, hostname: "broker.elsewhere.example")
        try await withTLSBroker(certificates) { port in
            let capture = LogCapture()
            let client = client(port: port, caFile: certificates.caFile, host: "localhost", capture: capture)
            try await withRunning([client]) { try await waitForAttempts(client, 2) }
            #expect(client.statistics.connects == 0)
            expectRefusal(capture, code: 62, reason: "hostname mismatch", depth: 0)
            // An address is compared with the certificate's IP addresses (it has none), not its names.
            let byAddress = LogCapture()
            let addressed = self.client(port: port, caFile: certificates.caFile, host: "127.0.0.1", capture: byAddress)
            try await withRunning([addressed]) { try await waitForAttempts(addressed, 2) }
            #expect(addressed.statistics.connects == 0)
            expectRefusal(byAddress, code: 64, reason: "IP address mismatch", depth: 0)
        }
    }

    @Test func refusesAnExpiredBrokerCertificate() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory, serverDays: 0)
        try await Task.sleep(for: .milliseconds(1100))
        try await withTLSBroker(certificates) { port in
            let capture = LogCapture()
            let client = client(port: port, caFile: certificates.caFile, capture: capture)
            try await withRunning([client]) { try await waitForAttempts(client, 2) }
            #expect(client.statistics.connects == 0)
            expectRefusal(capture, code: 10, reason: "certificate has expired", depth: 0)
        }
    }

    @Test func refusesAFakeCAThatCopiesTheRealCAsName() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let real = try TestCertificates(in: directory, name: "real", caCommonName: "Plant CA")
        // Without an authority key identifier, only the signature tells the fake CA from the real one
        // (with it, OpenSSL sees another CA: see refusesABrokerSignedByAnotherCA).
        let fake = try TestCertificates(
            in: directory,
            name: "fake",
            caCommonName: "Plant CA",
            authorityKeyIdentifier: false
        )
        try await withTLSBroker(fake) { port in
            let capture = LogCapture()
            let client = client(port: port, caFile: real.caFile, capture: capture)
            try await withRunning([client]) { try await waitForAttempts(client, 2) }
            #expect(client.statistics.connects == 0)
            // The name leads OpenSSL to the real CA, whose key did not sign the broker's certificate.
            expectRefusal(capture, code: 7, reason: "certificate signature failure", depth: 0)
        }
    }

    @Test func mutualTLSAcceptsAValidClientCertificateAndRefusesARevokedOneOrNone() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory)
        let valid = try certificates.clientCertificate("vigil")
        let revoked = try certificates.clientCertificate("stolen")
        let crl = try certificates.revocationList(revoking: [revoked.certFile])
        try await withTLSBroker(certificates, requireClientCertificate: true, crlFile: crl) { port in
            let good = client(port: port, caFile: certificates.caFile, clientCertificate: valid)
            try await withRunning([good]) {
                try await good.waitUntilConnected()
                try await good.publish(topic: "mtls/ok", payload: [1], qos: 1, retain: false)
            }
            // The broker's TLS alert, as OpenSSL reports it through libmosquitto's log.
            let cases: [((String, String)?, String, String)] = [
                (revoked, "revoked", "alert certificate revoked"), (nil, "none", "alert certificate required"),
            ]
            for (certificate, label, alert) in cases {
                let capture = LogCapture()
                let refused = client(
                    port: port,
                    caFile: certificates.caFile,
                    clientCertificate: certificate.map { (certFile: $0.0, keyFile: $0.1) },
                    capture: capture
                )
                try await withRunning([refused]) { try await waitForAttempts(refused, 2) }
                #expect(refused.statistics.connects == 0, "\(label)")
                #expect(
                    capture.messages.contains { $0.contains("OpenSSL Error") && $0.contains(alert) },
                    "\(label): \(capture.messages)"
                )
                // The broker refused us; its own certificate was fine.
                #expect(
                    !capture.messages.contains { $0.contains("MQTT broker certificate refused") },
                    "\(label): \(capture.messages)"
                )
            }
        }
    }

    /// Connects to an `openssl s_server` that offers only `version` and returns what was logged.
    func handshakeLog(offering version: String) async throws -> [String] {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory)
        let port = try FreePort.find()
        let server = try ChildProcess(
            executable: "/usr/bin/openssl",
            arguments: [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificates.serverCertFile,
                "-key", certificates.serverKeyFile, version, "-cipher", "DEFAULT:@SECLEVEL=0", "-quiet",
            ],
            outputPath: directory.appendingPathComponent("s_server.log").path
        )
        defer {
            server.signal(SIGKILL)
            server.wait()
        }
        while !FreePort.isAccepting(port: port) { try await Task.sleep(for: .milliseconds(20)) }
        let capture = LogCapture()
        let client = MQTTClient(
            options: ConnectOptions(
                host: "localhost",
                port: port,
                clientID: "tls-min",
                tls: .init(caFile: certificates.caFile),
                reconnectDelay: .seconds(5),
                reconnectDelayMax: .seconds(5)
            ),
            logger: capture.logger(label: "tls")
        )
        try await withRunning([client]) { try await Task.sleep(for: .seconds(1)) }
        #expect(client.statistics.connects == 0)
        return capture.messages
    }

    @Test func refusesAServerThatOffersOnlyTLS10Or11AndLogsWhy() async throws {
        for version in ["-tls1", "-tls1_1"] {
            let refused = try await handshakeLog(offering: version)
            #expect(
                refused.contains { $0.contains("OpenSSL Error") && $0.contains("alert protocol version") },
                "\(version): \(refused)"
            )
        }
        // Control: the same server offering TLS 1.2 completes the handshake (it just never speaks MQTT).
        let accepted = try await handshakeLog(offering: "-tls1_2")
        #expect(!accepted.contains { $0.contains("OpenSSL Error") }, "\(accepted)")
    }

    @Test func refusesAMissingCAFileBeforeConnecting() async throws {
        let client = client(port: 1, caFile: "/nonexistent/ca.pem")
        let error = await #expect(throws: MQTTError.self) { try await client.run() }
        #expect(error?.kind == .tls)
        #expect(error?.description.contains("TLS CA file /nonexistent/ca.pem") == true, "\(String(describing: error))")
        #expect(error?.description.contains("No such file or directory") == true, "\(String(describing: error))")
    }

    @Test func refusesAClientKeyThatIsNotTheCertificatesOrIsMissingBeforeConnecting() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(in: directory)
        let vigil = try certificates.clientCertificate("vigil")
        let other = try certificates.clientCertificate("other")
        let mismatched = client(
            port: 1,
            caFile: certificates.caFile,
            clientCertificate: (vigil.certFile, other.keyFile)
        )
        let error = await #expect(throws: MQTTError.self) { try await mismatched.run() }
        #expect(error?.kind == .tls)
        #expect(error?.description.contains("key values mismatch") == true, "\(String(describing: error))")
        let keyless = MQTTClient(
            options: ConnectOptions(
                host: "localhost",
                clientID: "tls-keyless",
                tls: .init(caFile: certificates.caFile, certFile: vigil.certFile)
            ),
            logger: .test("tls")
        )
        let missing = await #expect(throws: MQTTError.self) { try await keyless.run() }
        #expect(missing?.description.contains("TLS client key (missing)") == true, "\(String(describing: missing))")
    }
}

/// Expects that every attempt logged in `capture` was refused for OpenSSL's verification error
/// `code` (`X509_V_ERR_*`) with its text `reason`, at `depth` in the broker's chain, and nothing
/// else: each certificate fault is told apart from the others.
func expectRefusal(
    _ capture: LogCapture,
    code: Int,
    reason: String,
    depth: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let refusals = capture.messages.filter { $0.contains("MQTT broker certificate refused") }
    #expect(refusals.count >= 2, "\(capture.messages)", sourceLocation: sourceLocation)
    for line in refusals {
        let fields = ["mqtt.tls.error=\(code)", "mqtt.tls.reason=\(reason)", "mqtt.tls.depth=\(depth)"]
        #expect(fields.allSatisfy { line.contains($0) }, "\(line)", sourceLocation: sourceLocation)
    }
    let ended = capture.messages.filter { $0.contains("MQTT connection ended; reconnecting") }
    let outcome = "mqtt.reason=broker certificate refused: \(reason) (X509 error \(code) at depth \(depth))"
    #expect(!ended.isEmpty, "\(capture.messages)", sourceLocation: sourceLocation)
    #expect(ended.allSatisfy { $0.contains(outcome) }, "\(ended)", sourceLocation: sourceLocation)
}

/// Waits until `client` has attempted `count` reconnects, or 20 s: a starved test machine may take
/// longer than the second the backoff needs.
func waitForAttempts(_ client: MQTTClient, _ count: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while client.statistics.reconnects < count && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(100))
    }
}
