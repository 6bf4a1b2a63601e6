import Foundation
import Testing
import VigilCore
import VigilDaemon

/// The checks on operators' commands, without a broker: signatures, their time, nonce and topic,
/// and the rates.
@Suite struct CommandGateTests {
    static let keyPair = CommandKeys.generate()
    static let now: Int64 = 1_795_948_320_000

    func gate(requireSignature: Bool = true, perMinute: Int = 30, perAsset: Int = 2) -> CommandGate {
        CommandGate(
            keys: ["operator-1": CommandKeys.raw(Self.keyPair.publicKey)!],
            requireSignature: requireSignature,
            maxAge: .seconds(60),
            topic: "vigil/command",
            maxPerMinute: perMinute,
            maxPerAssetPerMinute: perAsset
        )
    }

    func signed(
        time: Int64 = now,
        nonce: String = "n-1",
        topic: String = "vigil/command",
        key: String = keyPair.privateKey,
        name: String = "operator-1"
    ) throws -> [UInt8] {
        try SignedCommand.seal(
            OperatorCommand.acceptNewNormal(asset: "pump-1", id: "1", time: time, nonce: nonce, topic: topic),
            keyName: name,
            privateKey: CommandKeys.raw(key)!
        )
    }

    @Test func aCommandSignedByAListedKeyOpensOnceAndNamesItsOrigin() throws {
        var gate = gate()
        let opened = gate.open(try signed(), arrival: Self.now + 500)
        #expect(opened.refusal == nil)
        #expect(opened.origin == "key operator-1")
        #expect(opened.command?.action == .acceptNewNormal(asset: "pump-1", force: false))
        // The same bytes again: a replay.
        let refusal1 = gate.open(try signed(), arrival: Self.now + 900).refusal
        #expect(refusal1 == .replayed)
    }

    @Test func everyWayACommandCanBeForgedIsRefusedWithItsReason() throws {
        var gate = gate()
        let other = CommandKeys.generate()
        let refusal2 = gate.open(OperatorCommand.acceptNewNormal(asset: "pump-1", id: "1"), arrival: Self.now).refusal
        #expect(refusal2 == .unsigned)
        let refusal3 = gate.open(try signed(name: "intruder"), arrival: Self.now).refusal
        #expect(refusal3 == .unknownKey)
        let refusal4 = gate.open(try signed(key: other.privateKey), arrival: Self.now).refusal
        #expect(refusal4 == .badSignature)
        let refusal5 = gate.open(try signed(nonce: "a", topic: "other/command"), arrival: Self.now).refusal
        #expect(refusal5 == .wrongTopic)
        let refusal6 = gate.open(try signed(time: Self.now - 61_000, nonce: "b"), arrival: Self.now).refusal
        #expect(refusal6 == .stale)
        let refusal7 = gate.open(try signed(time: Self.now + 61_000, nonce: "c"), arrival: Self.now).refusal
        #expect(refusal7 == .stale)
        let refusal8 = gate.open(try signed(nonce: ""), arrival: Self.now).refusal
        #expect(refusal8 == .replayed)
        // A payload changed after signing.
        var tampered = try JSONSerialization.jsonObject(with: Data(try signed(nonce: "d"))) as! [String: String]
        tampered["payload"] = Data(
            OperatorCommand.acceptNewNormal(
                asset: "pump-2",
                id: "1",
                time: Self.now,
                nonce: "d",
                topic: "vigil/command"
            )
        ).base64EncodedString()
        let bytes = Array(try JSONSerialization.data(withJSONObject: tampered))
        let refusal9 = gate.open(bytes, arrival: Self.now).refusal
        #expect(refusal9 == .badSignature)
        let refusal10 = gate.open(Array("not json".utf8), arrival: Self.now).refusal
        #expect(refusal10 == .unsigned)
    }

    @Test func withoutRequiredSignaturesAPlainCommandOpensAndABadOneIsMalformedOrUnknown() {
        var gate = gate(requireSignature: false)
        let plain = gate.open(OperatorCommand.acceptNewNormal(asset: "pump-1", id: "1", force: true), arrival: Self.now)
        #expect(plain.refusal == nil)
        #expect(plain.origin == "unsigned")
        #expect(plain.command?.action == .acceptNewNormal(asset: "pump-1", force: true))
        let refusal11 = gate.open(Array(#"{"command":"reboot"}"#.utf8), arrival: Self.now).refusal
        #expect(refusal11 == .unknownCommand)
        let refusal12 = gate.open(Array(#"{"command":"accept_new_normal"}"#.utf8), arrival: Self.now).refusal
        #expect(refusal12 == .malformed)
        let refusal13 = gate.open(Array("[1]".utf8), arrival: Self.now).refusal
        #expect(refusal13 == .malformed)
    }

    @Test func theOverallAndPerAssetRatesHold() {
        var gate = gate(perMinute: 3, perAsset: 1)
        var overall: [Bool] = []
        for _ in 0..<5 { overall.append(gate.admit(at: 0)) }
        #expect(overall == [true, true, true, false, false])
        let refilled = gate.admit(at: 20_000)
        #expect(refilled, "a minute's budget refills continuously")
        var perAsset: [Bool] = []
        for asset in ["a", "a", "b"] { perAsset.append(gate.admit(asset: asset, at: 0)) }
        #expect(perAsset == [true, false, true])
    }

    /// Unseals a label payload on the label topic as the daemon does.
    func unsealLabel(_ payload: [UInt8], gate: inout CommandGate, arrival: Int64 = now) -> CommandGate.Unsealed {
        gate.unseal(payload, arrival: arrival, topic: "vigil/label") {
            let stated = MaintenanceLabel.sending(of: $0)
            return CommandGate.Binding(topic: stated.topic, sent: stated.sent, nonce: stated.nonce)
        }
    }

    @Test func aLabelIsSignedLikeACommandAndNeitherPassesForTheOther() throws {
        var gate = gate()
        let label = MaintenanceLabel(asset: "pump-1", event: .repair, time: Timestamp(milliseconds: Self.now), id: "7")
        func sealed(_ bytes: [UInt8], key: String = Self.keyPair.privateKey) throws -> [UInt8] {
            try SignedCommand.seal(bytes, keyName: "operator-1", privateKey: CommandKeys.raw(key)!)
        }
        let good = try sealed(label.payload(sent: Self.now, nonce: "l-1", topic: "vigil/label"))
        let opened = unsealLabel(good, gate: &gate, arrival: Self.now + 2_000)
        #expect(opened.refusal == nil)
        #expect(opened.origin == "key operator-1")
        #expect(try MaintenanceLabel.parse(#require(opened.bytes), arrival: Timestamp(milliseconds: 0)).get() == label)
        #expect(unsealLabel(good, gate: &gate).refusal == .replayed)
        // A label signed for the command topic, and a signed command sent as a label.
        let elsewhere = try sealed(label.payload(sent: Self.now, nonce: "l-2", topic: "vigil/command"))
        #expect(unsealLabel(elsewhere, gate: &gate).refusal == .wrongTopic)
        #expect(unsealLabel(try signed(nonce: "c-1"), gate: &gate).refusal == .wrongTopic)
        #expect(gate.open(good, arrival: Self.now).refusal == .wrongTopic)
        // Kept back, without a time or a nonce, unsigned, or by another key.
        let late = try sealed(label.payload(sent: Self.now - 61_000, nonce: "l-3", topic: "vigil/label"))
        #expect(unsealLabel(late, gate: &gate).refusal == .stale)
        #expect(unsealLabel(try sealed(label.payload(topic: "vigil/label")), gate: &gate).refusal == .stale)
        let noNonce = try sealed(label.payload(sent: Self.now, topic: "vigil/label"))
        #expect(unsealLabel(noNonce, gate: &gate).refusal == .replayed)
        #expect(unsealLabel(label.payload(), gate: &gate).refusal == .unsigned)
        let forged = try sealed(
            label.payload(sent: Self.now, nonce: "l-4", topic: "vigil/label"),
            key: CommandKeys.generate().privateKey
        )
        #expect(unsealLabel(forged, gate: &gate).refusal == .badSignature)
        // Without required signatures a plain label opens as it is.
        var open = self.gate(requireSignature: false)
        let plain = unsealLabel(label.payload(), gate: &open)
        #expect(plain.refusal == nil && plain.bytes == label.payload() && plain.origin == "unsigned")
    }
}
