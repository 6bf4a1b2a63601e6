public import Foundation

/// A throw-away certificate authority and server certificate made with the `openssl` command, for
/// TLS tests against a real broker.
public struct TestCertificates: Sendable {
    /// PEM of the CA that signed the server certificate.
    public let caFile: String
    /// Server certificate.
    public let serverCertFile: String
    /// Server key.
    public let serverKeyFile: String

    /// Errors running openssl.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// Makes a CA named `name` and a server certificate for `hostname` under `directory`.
    public init(in directory: URL, name: String = "ca", hostname: String = "localhost") throws {
        func path(_ file: String) -> String { directory.appendingPathComponent("\(name)-\(file)").path }
        caFile = path("ca.pem")
        serverCertFile = path("server.pem")
        serverKeyFile = path("server.key")
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Vigil Test CA \(name)",
                "-keyout", path("ca.key"), "-out", caFile,
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(hostname)", "-keyout", serverKeyFile,
                "-out", path("server.csr"),
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
                "-days", "2", "-out", serverCertFile, "-extfile", path("ext.cnf"),
            ],
        ]
        try "subjectAltName=DNS:\(hostname)\n".write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        for arguments in steps {
            let result = try runCommand("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw Failure(description: "openssl \(arguments[0]): \(result.error)") }
        }
        for file in [caFile, serverCertFile, serverKeyFile] {
            // mosquitto reads them after dropping root privileges.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
    }

    /// mosquitto configuration lines for a TLS listener with this certificate.
    public func listenerConfiguration(port: Int32, tlsVersion: String? = nil) -> String {
        var lines = [
            "listener \(port) 127.0.0.1", "cafile \(caFile)", "certfile \(serverCertFile)", "keyfile \(serverKeyFile)",
        ]
        if let tlsVersion { lines.append("tls_version \(tlsVersion)") }
        return lines.joined(separator: "\n")
    }
}
