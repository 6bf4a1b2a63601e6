import ArgumentParser
import Foundation
import VigilDaemon

/// `vigil key`: the Ed25519 keys that sign operators' commands.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Make the keys that sign operators' commands.",
        subcommands: [Generate.self]
    )

    /// `vigil key generate NAME --out FILE`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Make an Ed25519 key pair for signing commands.",
            discussion: """
                Writes the private key (base64 of its 32 bytes) to FILE, readable by its owner only, and prints \\
                the lines to add under commands.keys in the daemon's configuration. Keep the private key with the \\
                operator (vigil accept --key FILE); the daemon needs only the public key.
                """
        )

        @Argument(help: "The key's name, as the daemon's configuration and log will call it.")
        var name: String

        @Option(name: .long, help: "Where to write the private key (refused if the file exists).")
        var out: String

        func validate() throws {
            guard !name.isEmpty, name.utf8.count <= 64,
                name.unicodeScalars.allSatisfy({
                    $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0))
                })
            else { throw ValidationError("the name must match ^[A-Za-z0-9_.-]{1,64}$") }
        }

        func run() throws {
            let (privateKey, publicKey) = CommandKeys.generate()
            let fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                printError("vigil key generate: \(out): \(String(cString: strerror(errno)))")
                throw ExitCode.failure
            }
            defer { close(fd) }
            _ = fchmod(fd, 0o600)
            let bytes = Array((privateKey + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                printError("vigil key generate: \(out): \(String(cString: strerror(errno)))")
                throw ExitCode.failure
            }
            print(
                """
                # Private key written to \(out) (mode 0600). Add to the daemon's configuration:
                commands:
                  keys:
                    - name: \(name)
                      public_key: "\(publicKey)"
                """
            )
        }
    }
}
