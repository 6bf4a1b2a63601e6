import ArgumentParser
import VigilNN

/// `vigil bench`: measurements for docs/benchmarks.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine (build with -c release).",
        subcommands: [Engine.self]
    )

    /// `vigil bench engine`.
    struct Engine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "engine",
            abstract: "Time the LSTM streaming step and training on the performance-anchor configurations.",
            discussion: """
                One LSTM layer with a dense head back to the input size, one step per call with the state \
                carried; HIDDENxINPUTxBATCH configurations as in ../shared/perf-anchors. Prints a table, \
                or JSON lines with --json. Run `scripts/bench/engine.sh` to measure the references in the \
                same session.
                """
        )

        @Option(help: "Comma-separated HIDDENxINPUTxBATCH configurations (default: all 16).")
        var configs: String = ""

        @Option(help: "Timed blocks per configuration (the median is kept).")
        var repetitions: Int = 7

        @Flag(help: "Print JSON lines instead of a table.")
        var json = false

        @Flag(help: "Skip the training measurement.")
        var noTraining = false

        func run() throws {
            var shapes: [(Int, Int, Int)] = []
            if configs.isEmpty {
                for batch in [1, 256] {
                    for input in [1, 8] { for hidden in [16, 32, 64, 128] { shapes.append((hidden, input, batch)) } }
                }
            } else {
                for item in configs.split(separator: ",") {
                    let parts = item.split(separator: "x").compactMap { Int($0) }
                    guard parts.count == 3 else { throw ValidationError("bad configuration '\(item)'") }
                    shapes.append((parts[0], parts[1], parts[2]))
                }
            }
            if !json { print("config         us/step    GFLOP/s") }
            for (hidden, input, batch) in shapes {
                let result = EngineBenchmark.streaming(
                    hidden: hidden,
                    input: input,
                    batch: batch,
                    repetitions: repetitions
                )
                let name = "\(hidden)x\(input)x\(batch)"
                if json {
                    print(
                        "{\"runtime\":\"vigil\",\"config\":\"\(name)\",\"us_per_step\":\(result.microsecondsPerStep),\"gflops\":\(result.gflops)}"
                    )
                } else {
                    print(
                        name.padding(13) + "  " + format(result.microsecondsPerStep).padding(9) + "  "
                            + format(result.gflops)
                    )
                }
            }
            if !noTraining {
                let samples = EngineBenchmark.training()
                if json {
                    print(
                        "{\"runtime\":\"vigil\",\"training_samples_per_second\":\(samples),\"window\":64,\"batch\":32,\"hidden\":32}"
                    )
                } else {
                    print("training (LSTM H=32, window 64, batch 32): \(Int(samples)) samples/s")
                }
            }
        }

        private func format(_ value: Double) -> String {
            let scaled = (value * 100).rounded() / 100
            return String(scaled)
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
