import Foundation
import Testing
import VigilCore
import VigilMQTT
import VigilTestSupport

/// `vigil simulate` as a user runs it, against a real mosquitto.
@Suite(.serialized) struct SimulateCommandTests {
    @Test func refusesAnUnknownScenarioABadIntervalAndANegativeWear() throws {
        for (arguments, option) in [
            (["--scenario", "gearbox"], "--scenario"),
            (["--interval", "0"], "--interval"),
            (["--scenario", "bearing-wear", "--wear-ramp", "-5"], "--wear-ramp"),
        ] {
            let result = try runCommand(Repository.vigilBinary, ["simulate", "--port", "1"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.error.contains(option), "\(arguments): \(result.error)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func bearingWearPublishesTwoMotorsEveryTenSecondsOfPlantTimeAndAnnouncesTheWear() async throws {
        try await MosquittoBroker.withBroker { broker in
            let watcher = Collector(port: broker.port, filters: ["plant/#"])
            let (result, messages) = try await watcher.run {
                let result = try runCommand(
                    Repository.vigilBinary,
                    [
                        "simulate", "--port", "\(broker.port)", "--scenario", "bearing-wear", "--speed", "1000",
                        "--duration", "1", "--wear-start", "300", "--wear-ramp", "400",
                    ]
                )
                return (result, await watcher.wait(timeout: .seconds(10)) { $0.count >= 600 })
            }
            let now = Date().timeIntervalSince1970 * 1000
            #expect(result.status == 0, "\(result.error)")
            #expect(
                result.output.split(separator: "\n") == [
                    "simulate: 6 signals on plant/<asset>/<signal>, a reading every 10 s of plant time, speed 1000.0x",
                    "simulate: wear begins: wear on motor-1/vibration from t+300s: ×2.0 over 400s",
                    "simulate: wear complete: motor-1/vibration at ×2.0",
                    "simulate: done",
                ]
            )
            // 1,000 s of plant time: 100 readings of each signal, 10 s apart, the last about now.
            let topics = Dictionary(grouping: messages, by: \.topic)
            #expect(
                topics.keys.sorted() == [
                    "plant/motor-1/current", "plant/motor-1/temperature", "plant/motor-1/vibration",
                    "plant/motor-2/current", "plant/motor-2/temperature", "plant/motor-2/vibration",
                ]
            )
            struct Payload: Decodable {
                var v: Double
                var ts: Int64
            }
            for (topic, readings) in topics {
                let documents = try readings.map { try JSONDecoder().decode(Payload.self, from: Data($0.payload)) }
                let times = documents.map(\.ts)
                #expect(times.count == 100, "\(topic)")
                #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 10_000 }, "\(topic)")
                let last = try #require(times.last)
                #expect(Double(last) <= now && Double(last) > now - 60_000, "\(topic)")
                // The worn vibration ends at twice its normal size.
                if topic == "plant/motor-1/vibration" {
                    let values = documents.map(\.v)
                    #expect(values.prefix(30).allSatisfy { $0 > 2 && $0 < 3 })
                    #expect(values.suffix(20).allSatisfy { $0 > 4 && $0 < 6 })
                }
            }
        }
    }
}
