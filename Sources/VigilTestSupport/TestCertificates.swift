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

    /// The folder and file prefix.
    let directory: URL
    let name: String

    /// Makes a CA named `name` and a server certificate for `hostname` under `directory`.
    /// - Parameters:
    ///   - caCommonName: the CA's name (by default from `name`); two CAs with one name and
    ///     different keys make a fake CA.
    ///   - serverDays: validity of the server certificate; 0 makes one that expires at once.
    ///   - authorityKeyIdentifier: whether the server certificate names its CA's key (openssl's
    ///     default). Without it only the CA's name links the two, as in a fake CA's certificate that
    ///     leaves the identifier out so that a client finds the real CA by name.
    public init(
        in directory: URL,
        name: String = "ca",
        hostname: String = "localhost",
        caCommonName: String? = nil,
        serverDays: Int = 2,
        authorityKeyIdentifier: Bool = true
    ) throws {
        self.directory = directory
        self.name = name
        func path(_ file: String) -> String { directory.appendingPathComponent("\(name)-\(file)").path }
        caFile = path("ca.pem")
        serverCertFile = path("server.pem")
        serverKeyFile = path("server.key")
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=\(caCommonName ?? "Vigil Test CA \(name)")",
                "-keyout", path("ca.key"), "-out", caFile,
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(hostname)", "-keyout", serverKeyFile,
                "-out", path("server.csr"),
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
                "-days", "\(serverDays)", "-out", serverCertFile, "-extfile", path("ext.cnf"),
            ],
        ]
        let extensions =
            "subjectAltName=DNS:\(hostname)\n" + (authorityKeyIdentifier ? "" : "authorityKeyIdentifier=none\n")
        try extensions.write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        for arguments in steps {
            let result = try runCommand("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw Failure(description: "openssl \(arguments[0]): \(result.error)") }
        }
        for file in [caFile, serverCertFile, serverKeyFile] {
            // mosquitto reads them after dropping root privileges.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
    }

    func path(_ file: String) -> String { directory.appendingPathComponent("\(name)-\(file)").path }

    /// A client certificate and key signed by this CA, for mutual TLS.
    public func clientCertificate(_ client: String) throws -> (certFile: String, keyFile: String) {
        let cert = path("client-\(client).pem")
        let key = path("client-\(client).key")
        for arguments in [
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(client)", "-keyout", key, "-out",
                path("client-\(client).csr"),
            ],
            [
                "x509", "-req", "-in", path("client-\(client).csr"), "-CA", caFile, "-CAkey", path("ca.key"),
                "-CAcreateserial", "-days", "2", "-out", cert,
            ],
        ] {
            let result = try runCommand("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw Failure(description: "openssl \(arguments[0]): \(result.error)") }
        }
        return (cert, key)
    }

    /// A certificate revocation list of this CA that revokes `certificates`; returns its path.
    public func revocationList(revoking certificates: [String]) throws -> String {
        let crl = path("crl.pem")
        try "".write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: path("crlnumber"), atomically: true, encoding: .utf8)
        try """
        [ca]
        default_ca = test
        [test]
        database = \(path("index.txt"))
        crlnumber = \(path("crlnumber"))
        default_md = sha256
        default_crl_days = 2
        """.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        let common = ["-config", path("ca.cnf"), "-keyfile", path("ca.key"), "-cert", caFile]
        for arguments in certificates.map({ ["ca", "-revoke", $0] + common }) + [
            ["ca", "-gencrl", "-out", crl] + common
        ] {
            let result = try runCommand("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw Failure(description: "openssl \(arguments[1]): \(result.error)") }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: crl)
        return crl
    }

    /// mosquitto configuration lines for a TLS listener with this certificate; with
    /// `requireClientCertificate`, clients must present one signed by this CA (and not in `crlFile`).
    public func listenerConfiguration(
        port: Int32,
        tlsVersion: String? = nil,
        requireClientCertificate: Bool = false,
        crlFile: String? = nil
    ) -> String {
        var lines = [
            "listener \(port) 127.0.0.1", "cafile \(caFile)", "certfile \(serverCertFile)", "keyfile \(serverKeyFile)",
        ]
        if let tlsVersion { lines.append("tls_version \(tlsVersion)") }
        if requireClientCertificate { lines.append("require_certificate true") }
        if let crlFile { lines.append("crlfile \(crlFile)") }
        return lines.joined(separator: "\n")
    }
}
