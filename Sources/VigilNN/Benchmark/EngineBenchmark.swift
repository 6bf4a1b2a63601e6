/// Timing of the engine on the configurations of the performance anchors: one LSTM layer with a
/// dense head back to the input size, one step per call with the state carried, and a training run.
public enum EngineBenchmark {
    /// One measured configuration.
    public struct Result: Sendable, Hashable {
        /// Hidden units.
        public var hidden: Int
        /// Inputs (= outputs).
        public var input: Int
        /// Streams stepped together.
        public var batch: Int
        /// Median microseconds per step (for all streams).
        public var microsecondsPerStep: Double
        /// Achieved GFLOP/s (multiply-adds count two).
        public var gflops: Double
    }

    /// Measures the streaming step: `repetitions` blocks of about `blockSeconds`, median per step.
    public static func streaming(
        hidden: Int,
        input: Int,
        batch: Int,
        repetitions: Int = 7,
        blockSeconds: Double = 0.08
    ) -> Result {
        let network = RecurrentNetwork<Float>(
            kind: .lstm,
            inputSize: input,
            hiddenSize: hidden,
            outputSize: input,
            seed: 1
        )
        let engine = InferenceNetwork(network)
        var state = engine.makeState(streams: batch)
        var random = NNRandom(seed: 2)
        let period = 512
        let inputs = (0..<(period * batch * input)).map { _ in Float(Double.random(in: -1...1, using: &random)) }
        var outputs = [Float](repeating: 0, count: batch * input)
        let clock = ContinuousClock()
        func run(_ steps: Int, from start: Int) {
            inputs.withUnsafeBufferPointer { x in
                outputs.withUnsafeMutableBufferPointer { y in
                    for t in 0..<steps {
                        let offset = ((start + t) % period) * batch * input
                        engine.step(
                            UnsafeBufferPointer(rebasing: x[offset..<offset + batch * input]),
                            state: &state,
                            outputs: y
                        )
                    }
                }
            }
        }
        // Calibrate the block length.
        var steps = 16
        while true {
            let elapsed = clock.measure { run(steps, from: 0) }
            if elapsed >= .milliseconds(20) || steps > 1 << 24 { break }
            steps *= 2
        }
        let perBlock = max(1, Int(Double(steps) * blockSeconds / 0.02))
        var samples: [Double] = []
        for repetition in 0..<repetitions {
            let elapsed = clock.measure { run(perBlock, from: repetition * perBlock) }
            samples.append(seconds(elapsed) * 1e6 / Double(perBlock))
        }
        samples.sort()
        let median = samples[samples.count / 2]
        let flops = Double(network.flopsPerStep * batch)
        return Result(
            hidden: hidden,
            input: input,
            batch: batch,
            microsecondsPerStep: median,
            gflops: flops / median / 1e3
        )
    }

    /// Training throughput in samples (time steps of one window) per second: LSTM, window 64,
    /// mini-batch 32, the given hidden size, input 1, MSE, one epoch over `windows` windows.
    public static func training(hidden: Int = 32, window: Int = 64, batch: Int = 32, windows: Int = 128) -> Double {
        var random = NNRandom(seed: 3)
        let length = windows * window + window + 1
        var phase = 0.0
        let series = (0..<length).map { _ -> Float in
            phase += 0.25
            return Float(
                Double.random(in: -0.1...0.1, using: &random) + (phase.truncatingRemainder(dividingBy: 6.28) - 3.14)
                    / 3.14
            )
        }
        var network = RecurrentNetwork<Float>(kind: .lstm, inputSize: 1, hiddenSize: hidden, outputSize: 1, seed: 4)
        let configuration = TrainingConfiguration(
            window: window,
            burnIn: 0,
            stride: window,
            batchSize: batch,
            epochs: 1,
            validationFraction: 0.01,
            patience: 1
        )
        let elapsed = ContinuousClock().measure {
            _ = Trainer.train(&network, series: series, signals: 1, configuration: configuration)
        }
        let trainingWindows = (length - window - 1) / window + 1
        return Double(trainingWindows * window) / seconds(elapsed)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }
}
