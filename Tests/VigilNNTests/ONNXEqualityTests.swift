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

    /// The fixture's layers and initial states, built with the fixture script's formula.
    struct Setup {
        var layers: [RecurrentLayer<Float>] = []
        var h0: [[Float]] = []
        var c0: [[Float]] = []
        var inputs: [Float] = []
    }

    func setup(_ fixture: Fixture) -> Setup {
        let H = fixture.hidden
        var setup = Setup(inputs: values(fixture.steps * fixture.batch * fixture.input, 0.05))
        for layer in 0..<fixture.layers {
            let inputSize = layer == 0 ? fixture.input : H
            let gates = fixture.kind == "lstm" ? 4 : 3
            let wih = values(gates * H * inputSize, salt(layer, 0.1))
            let whh = values(gates * H * H, salt(layer, 0.2))
            let bih = values(gates * H, salt(layer, 0.3))
            let bhh = values(gates * H, salt(layer, 0.4))
            setup.h0.append(values(fixture.batch * H, salt(layer, 0.5)))
            if fixture.kind == "lstm" {
                setup.c0.append(values(fixture.batch * H, salt(layer, 0.6)))
                setup.layers.append(
                    .lstm(
                        LSTMLayer(
                            inputSize: inputSize,
                            hiddenSize: H,
                            weightIH: wih,
                            weightHH: whh,
                            biasIH: bih,
                            biasHH: bhh
                        )
                    )
                )
            } else {
                setup.layers.append(
                    .gru(
                        GRULayer(
                            inputSize: inputSize,
                            hiddenSize: H,
                            weightIH: wih,
                            weightHH: whh,
                            biasIH: bih,
                            biasHH: bhh
                        )
                    )
                )
            }
        }
        return setup
    }

    func worst(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    func expectFinalStates(_ name: String, _ fixture: Fixture, h: [[Float]], c: [[Float]]) {
        for layer in 0..<fixture.layers {
            #expect(worst(h[layer], fixture.final_h[layer]) <= 1e-5, "final h of layer \(layer) in \(name)")
            if let cells = fixture.final_c {
                #expect(worst(c[layer], cells[layer]) <= 1e-5, "final c of layer \(layer) in \(name)")
            }
        }
    }

    @Test(arguments: fixtureNames)
    func trainingPathEqualsONNXRuntime(_ name: String) throws {
        let fixture = try Self.load(name)
        let setup = setup(fixture)
        let (T, B, H) = (fixture.steps, fixture.batch, fixture.hidden)
        var sequence = setup.inputs
        var finalH: [[Float]] = []
        var finalC: [[Float]] = []
        for (index, layer) in setup.layers.enumerated() {
            switch layer {
            case .lstm(let lstm):
                let (outputs, cache) = lstm.forward(
                    sequence,
                    steps: T,
                    batch: B,
                    h0: setup.h0[index],
                    c0: setup.c0[index]
                )
                sequence = outputs
                finalC.append(cache.finalCell)
            case .gru(let gru):
                sequence = gru.forward(sequence, steps: T, batch: B, h0: setup.h0[index]).outputs
            }
            finalH.append(Array(sequence[((T - 1) * B * H)...]))
        }
        #expect(worst(sequence, fixture.output) <= 1e-5, "outputs of \(name)")
        expectFinalStates(name, fixture, h: finalH, c: finalC)
    }

    /// The packed inference kernels, stepped one time step at a time over all B streams.
    @Test(arguments: fixtureNames)
    func inferencePathEqualsONNXRuntime(_ name: String) throws {
        let fixture = try Self.load(name)
        let setup = setup(fixture)
        let (T, B, H, I) = (fixture.steps, fixture.batch, fixture.hidden, fixture.input)
        let head = DenseLayer<Float>(inputSize: H, outputSize: 1, weight: Array(repeating: 0, count: H), bias: [0])
        let engine = InferenceNetwork(RecurrentNetwork(recurrent: setup.layers, head: head))
        var state = engine.makeState(streams: B)
        for layer in 0..<fixture.layers {
            state.setHiddenState(layer: layer, setup.h0[layer])
            if fixture.kind == "lstm" { state.setCellState(layer: layer, setup.c0[layer]) }
        }
        var outputs = [Float](repeating: 0, count: B)
        var sequence: [Float] = []
        for t in 0..<T {
            setup.inputs[(t * B * I)..<((t + 1) * B * I)].withUnsafeBufferPointer { x in
                outputs.withUnsafeMutableBufferPointer { engine.step(x, state: &state, outputs: $0) }
            }
            sequence += state.hiddenState(layer: fixture.layers - 1)
        }
        #expect(worst(sequence, fixture.output) <= 1e-5, "outputs of \(name)")
        expectFinalStates(
            name,
            fixture,
            h: (0..<fixture.layers).map { state.hiddenState(layer: $0) },
            c: (0..<fixture.layers).map { state.cellState(layer: $0) }
        )
    }
}
