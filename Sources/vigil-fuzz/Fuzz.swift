// Fuzz targets for the parsers that read untrusted bytes: the payload decoder (every MQTT message),
// the configuration loader, the model file header, replay input files and the command line's time
// arguments. Built with libFuzzer by `scripts/fuzz.sh`:
//   swift build --product vigil-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//       -Xswiftc -DVIGIL_FUZZ
// In a normal build it is a small command that replays input files, for reproducing a finding.
import Crypto
import VigilConfig
import VigilCore
import VigilModel
import VigilReplay

/// Runs one input through the target that `VIGIL_FUZZ_TARGET` names (`payload`, `config`,
/// `model`, `replay` or `time`).
enum FuzzTarget {
    static let intake = Intake(
        routes: [
            SignalRoute(
                pattern: try! TopicPattern("p/{asset}/{signal}"),
                asset: "{asset}",
                signal: "{signal}",
                format: .plain,
                range: -1e6...1e6
            ),
            SignalRoute(
                pattern: try! TopicPattern("j/{asset}/{signal}"),
                asset: "{asset}",
                signal: "{signal}",
                format: .json(value: try! JSONPath("$.data[0].v"), time: try! JSONPath("$.ts")),
                range: nil
            ),
            SignalRoute(
                pattern: try! TopicPattern("s/{asset}"),
                asset: "{asset}",
                signal: nil,
                format: .senml,
                range: nil
            ),
        ],
        limits: DecodingLimits(maxPayloadBytes: 65_536)
    )

    static func run(_ bytes: [UInt8], target: String) {
        switch target {
        case "config":
            _ = try? ConfigLoader.parse(String(decoding: bytes, as: UTF8.self))
        case "model":
            // The input is a model file without its checksum, which is appended here: the header's
            // checks are reached whatever the mutation (a file with a wrong checksum stops at it).
            _ = try? ModelFile.decode(bytes + Array(SHA256.hash(data: bytes)))
        case "replay":
            // The first byte picks the layout.
            guard let selector = bytes.first else { return }
            let format: ReplayInputFormat = [
                .nab, .skab, .generic(timeColumn: "t", columns: [], separator: ","),
            ][Int(selector) % 3]
            _ = try? ReplayTable.parse(String(decoding: bytes.dropFirst(), as: UTF8.self), format: format, file: "f")
        case "time":
            let text = String(decoding: bytes, as: UTF8.self)
            _ = TimeArgument.parse(text, now: Timestamp(milliseconds: 1_795_948_320_000))
            _ = ConfigDuration(text)
        default:
            // The first byte picks the route (and so the format), the second the captured name.
            guard let selector = bytes.first else { return }
            let name = bytes.count > 1 && bytes[1] % 4 == 0 ? "bad..name+" : "pump-1"
            let topic = ["p/\(name)/x", "j/\(name)/x", "s/\(name)"][Int(selector) % 3]
            _ = intake.readings(
                topic: topic,
                payload: Array(bytes.dropFirst()),
                arrival: Timestamp(milliseconds: 1_795_948_320_000)
            )
        }
    }
}

#if VIGIL_FUZZ
import Glibc

/// libFuzzer's driver (LLVM 11 and later).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// One input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let target = getenv("VIGIL_FUZZ_TARGET").map { String(cString: $0) } ?? "payload"
    FuzzTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [], target: target)
    return 0
}

/// The program's entry point: SwiftPM names an executable's `main` after its module.
@_cdecl("vigil_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
#else
import Foundation

/// Replays files: `vigil-fuzz payload|config|model|replay|time FILE...`.
@main enum FuzzReplay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let target = arguments.first else {
            print("usage: vigil-fuzz payload|config|model|replay|time FILE...")
            return
        }
        for file in arguments.dropFirst() {
            FuzzTarget.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))), target: target)
            print("\(file): ok")
        }
    }
}
#endif
