internal import Crypto
internal import Foundation

/// A command signed with Ed25519: the command's exact bytes (base64), the name of the key, and
/// the key's signature over those bytes (`schemas/command.schema.json`).
///
/// The signature covers the bytes as sent, so nothing has to be put in a canonical form, and the
/// command inside carries its time, a nonce and the command topic it is meant for, which the
/// daemon checks (`CommandGate`).
///
/// ```swift
/// let envelope = try SignedCommand.seal(command, keyName: "operator-1", privateKey: key)
/// ```
public struct SignedCommand: Sendable, Hashable, Codable {
    /// The command's bytes, base64.
    public var payload: String
    /// The name of the key that signed it, as listed in `commands.keys`.
    public var key: String
    /// The Ed25519 signature over the command's bytes, base64.
    public var signature: String

    /// Signs `command` with a private key (its 32 raw bytes) and returns the envelope's JSON bytes.
    public static func seal(_ command: [UInt8], keyName: String, privateKey: [UInt8]) throws(CommandKeyError) -> [UInt8]
    {
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        } catch {
            throw CommandKeyError("not an Ed25519 private key (32 bytes, base64)")
        }
        let signature: Data
        do {
            signature = try key.signature(for: Data(command))
        } catch {
            throw CommandKeyError("cannot sign: \(error)")
        }
        let envelope = SignedCommand(
            payload: Data(command).base64EncodedString(),
            key: keyName,
            signature: signature.base64EncodedString()
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Three strings always encode.
        return Array(try! encoder.encode(envelope))
    }

    /// Reads an envelope; nil when the payload is not one (it has no `signature`).
    public init?(envelope: [UInt8]) {
        guard let value = try? JSONDecoder().decode(Self.self, from: Data(envelope)) else { return nil }
        self = value
    }

    private init(payload: String, key: String, signature: String) {
        self.payload = payload
        self.key = key
        self.signature = signature
    }

    /// The command's bytes if the signature holds for `publicKey` (32 raw bytes); nil otherwise.
    public func verified(with publicKey: [UInt8]) -> [UInt8]? {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
            let bytes = Data(base64Encoded: payload), let signature = Data(base64Encoded: self.signature),
            key.isValidSignature(signature, for: bytes)
        else { return nil }
        return Array(bytes)
    }
}

/// Ed25519 keys for commands: a pair made by `vigil key generate`, as base64 of the raw 32 bytes.
public enum CommandKeys {
    /// A fresh key pair.
    public static func generate() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation.base64EncodedString(), key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// The public key (base64) of a private key (base64).
    public static func publicKey(of privateKey: String) throws(CommandKeyError) -> String {
        guard let raw = Data(base64Encoded: privateKey.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw CommandKeyError("not an Ed25519 private key (32 bytes, base64)") }
        return key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// The raw bytes of a key written as base64; nil unless they are 32.
    public static func raw(_ base64: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
        else { return nil }
        return Array(data)
    }
}

/// A command key that cannot be used.
public struct CommandKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
