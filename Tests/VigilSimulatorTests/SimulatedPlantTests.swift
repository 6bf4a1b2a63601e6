import Testing
import VigilCore
import VigilSimulator

@Suite struct SimulatedPlantTests {
    @Test func isDeterministicForASeed() {
        let first = SimulatedPlant(seed: 3)
        let second = SimulatedPlant(seed: 3)
        let signal = first.signals[0]
        for t in [0, 10, 500] {
            #expect(
                first.value(of: signal, at: t, epochSeconds: 1000)
                    == second.value(of: signal, at: t, epochSeconds: 1000)
            )
        }
        #expect(first.faults == second.faults)
    }

    @Test func schedulesEveryFaultKindAfterTheWarmup() {
        let plant = SimulatedPlant(firstFault: 200, faultEvery: 100, horizon: 700)
        #expect(plant.faults.map(\.start) == [200, 300, 400, 500, 600])
        #expect(Set(plant.faults.map(\.kind)) == Set(SimulatedPlant.FaultKind.allCases))
    }

    @Test func faultsMoveTheValueAndAStuckSensorRepeats() throws {
        let plant = SimulatedPlant(firstFault: 100, faultEvery: 100, horizon: 500)
        for fault in plant.faults {
            let signal = fault.signal
            let inside = fault.start + fault.duration - 1
            let normal = SimulatedPlant(faultEvery: 0).value(of: signal, at: inside, epochSeconds: 0)
            let faulty = plant.value(of: signal, at: inside, epochSeconds: 0)
            switch fault.kind {
            case .stuck:
                #expect(
                    plant.value(of: signal, at: fault.start + 1, epochSeconds: 1)
                        == plant.value(of: signal, at: fault.start + 2, epochSeconds: 2)
                )
            default:
                #expect(abs(faulty - normal) > 10 * signal.noise, "\(fault)")
            }
        }
    }

    @Test func announcesEachFaultOnceBeforeTheReadingThatShowsItWhateverTheInterval() {
        let plant = SimulatedPlant(firstFault: 185, faultEvery: 100, horizon: 600)
        for interval in [1, 10, 60] {
            let announced = stride(from: 0, to: 600, by: interval).flatMap { t in
                plant.announcements(in: t..<(t + interval)).map { (t, $0) }
            }
            #expect(announced.map(\.1) == plant.faults.map { .fault($0) })
            #expect(announced.map(\.0) == plant.faults.map { $0.start / interval * interval })
        }
        #expect(plant.announcements(in: 185..<186).map(\.description) == ["fault injected: \(plant.faults[0])"])
    }

    @Test func payloadIsJSONWithValueAndMilliseconds() {
        let payload = PlantPublisher.payload(value: 6.123456, time: Timestamp(milliseconds: 1_795_941_120_000))
        #expect(String(decoding: payload, as: UTF8.self) == #"{"v":6.1235,"ts":1795941120000}"#)
    }
}
