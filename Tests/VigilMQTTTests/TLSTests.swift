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
            #expect(capture.messages.contains { $0.contains("certificate verify failed") }, "\(capture.messages)")
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
            #expect(capture.messages.contains { $0.contains("certificate verify failed") }, "\(capture.messages)")
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
            #expect(capture.messages.contains { $0.contains("certificate verify failed") }, "\(capture.messages)")
        }
    }

    @Test func refusesAFakeCAThatCopiesTheRealCAsName() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let real = try TestCertificates(in: directory, name: "real", caCommonName: "Plant CA")
        let fake = try TestCertificates(in: directory, name: "fake", caCommonName: "Plant CA")
        try await withTLSBroker(fake) { port in
            let capture = LogCapture()
            let client = client(port: port, caFile: real.caFile, capture: capture)
            try await withRunning([client]) { try await waitForAttempts(client, 2) }
            #expect(client.statistics.connects == 0)
            #expect(capture.messages.contains { $0.contains("certificate verify failed") }, "\(capture.messages)")
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
            for (certificate, label) in [(revoked, "revoked"), (nil, "none")] as [((String, String)?, String)] {
                let capture = LogCapture()
                let refused = client(
                    port: port,
                    caFile: certificates.caFile,
                    clientCertificate: certificate.map { (certFile: $0.0, keyFile: $0.1) },
                    capture: capture
                )
                try await withRunning([refused]) { try await waitForAttempts(refused, 2) }
                #expect(refused.statistics.connects == 0, "\(label)")
                #expect(!capture.messages.isEmpty, "\(label): nothing logged")
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
                refused.contains { $0.contains("OpenSSL Error") && $0.contains("protocol") },
                "\(version): \(refused)"
            )
        }
        // Control: the same server offering TLS 1.2 completes the handshake (it just never speaks MQTT).
        let accepted = try await handshakeLog(offering: "-tls1_2")
        #expect(!accepted.contains { $0.contains("OpenSSL Error") }, "\(accepted)")
    }

    @Test func refusesAMissingCAFileBeforeConnecting() async throws {
        let client = client(port: 1, caFile: "/nonexistent/ca.pem")
        await #expect(throws: MQTTError.self) { try await client.run() }
    }
}

/// Waits until `client` has attempted `count` reconnects, or 20 s: a starved test machine may take
/// longer than the second the backoff needs.
func waitForAttempts(_ client: MQTTClient, _ count: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while client.statistics.reconnects < count && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(100))
    }
}
