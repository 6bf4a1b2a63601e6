import Foundation
import Testing
import VigilNN

/// The engine against ONNX Runtime's LSTM and GRU operators on the same weights: the fixtures were
/// written by `scripts/fixtures/make_rnn_fixtures.py` (onnxruntime 1.32), which builds its weights
/// with the same formula as `value(_:_:)` here.
@Suite struct ONNXEqualityTests {
    struct Fixture: Decodable {
        var kind: String
        var layers: Int
        var hidden: Int
        var input: Int
        var batch: Int
        var steps: Int
        var output: [Float]
        var final_h: [[Float]]
        var final_c: [[Float]]?
    }

    static let fixtureNames: [String] = {
        let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        return (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { $0.hasSuffix(".json") }
            .sorted() ?? []
    }()

    static func load(_ name: String) throws -> Fixture {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// `0.5 · sin(0.731 k + salt)` rounded to Float, as in the fixture script.
    func values(_ count: Int, _ salt: Double) -> [Float] {
        (0..<count).map { Float(0.5 * sin(0.731 * Double($0) + salt)) }
    }

    func salt(_ layer: Int, _ offset: Double) -> Double { 10.0 * Double(layer + 1) + offset }

    @Test func thereIsAFixtureForEveryConfiguration() {
        #expect(Self.fixtureNames.count == 32)
    }

    @Test(arguments: fixtureNames)
    func engineEqualsONNXRuntime(_ name: String) throws {
        let fixture = try Self.load(name)
        let (T, B, H) = (fixture.steps, fixture.batch, fixture.hidden)
        var sequence = values(T * B * fixture.input, 0.05)
        var finalH: [[Float]] = []
        var finalC: [[Float]] = []
        for layer in 0..<fixture.layers {
            let inputSize = layer == 0 ? fixture.input : H
            let gates = fixture.kind == "lstm" ? 4 : 3
            let wih = values(gates * H * inputSize, salt(layer, 0.1))
            let whh = values(gates * H * H, salt(layer, 0.2))
            let bih = values(gates * H, salt(layer, 0.3))
            let bhh = values(gates * H, salt(layer, 0.4))
            let h0 = values(B * H, salt(layer, 0.5))
            if fixture.kind == "lstm" {
                let lstm = LSTMLayer<Float>(
                    inputSize: inputSize,
                    hiddenSize: H,
                    weightIH: wih,
                    weightHH: whh,
                    biasIH: bih,
                    biasHH: bhh
                )
                let (outputs, cache) = lstm.forward(
                    sequence,
                    steps: T,
                    batch: B,
                    h0: h0,
                    c0: values(B * H, salt(layer, 0.6))
                )
                sequence = outputs
                finalH.append(Array(outputs[((T - 1) * B * H)...]))
                finalC.append(cache.finalCell)
            } else {
                let gru = GRULayer<Float>(
                    inputSize: inputSize,
                    hiddenSize: H,
                    weightIH: wih,
                    weightHH: whh,
                    biasIH: bih,
                    biasHH: bhh
                )
                sequence = gru.forward(sequence, steps: T, batch: B, h0: h0).outputs
                finalH.append(Array(sequence[((T - 1) * B * H)...]))
            }
        }
        func worst(_ a: [Float], _ b: [Float]) -> Float {
            precondition(a.count == b.count)
            return zip(a, b).map { abs($0 - $1) }.max() ?? 0
        }
        #expect(worst(sequence, fixture.output) <= 1e-5, "outputs of \(name)")
        for layer in 0..<fixture.layers {
            #expect(worst(finalH[layer], fixture.final_h[layer]) <= 1e-5, "final h of layer \(layer) in \(name)")
            if let cells = fixture.final_c {
                #expect(worst(finalC[layer], cells[layer]) <= 1e-5, "final c of layer \(layer) in \(name)")
            }
        }
    }
}
