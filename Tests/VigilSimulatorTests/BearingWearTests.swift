import Testing
import VigilCore
import VigilSimulator

@Suite struct BearingWearTests {
    let plant = SimulatedPlant.bearingWear()
    let healthy = SimulatedPlant(signals: SimulatedPlant.bearingWear().signals, faultEvery: 0)

    func signal(_ asset: String, _ name: String) -> SimulatedPlant.Signal {
        plant.signals.first { $0.asset == asset && $0.name == name }!
    }

    @Test func isTwoIdenticalMotorsWithTheVibrationOfTheFirstWearingFromFourHoursOverTwo() throws {
        #expect(
            plant.signals.map { "\($0.asset)/\($0.name)" } == [
                "motor-1/current", "motor-1/vibration", "motor-1/temperature",
                "motor-2/current", "motor-2/vibration", "motor-2/temperature",
            ]
        )
        for name in ["current", "vibration", "temperature"] {
            var control = signal("motor-2", name)
            control.asset = "motor-1"
            #expect(control == signal("motor-1", name))
        }
        let wear = try #require(plant.wear)
        #expect(wear.signal == signal("motor-1", "vibration"))
        #expect(wear.start == 4 * 3600)
        #expect(wear.end == 6 * 3600)
        #expect(wear.factor == 2)
        #expect(plant.faults.isEmpty)
    }

    @Test func theFactorIsOneBeforeTheStartTwoAfterTheRampAndLinearBetween() throws {
        let wear = try #require(plant.wear)
        for t in [0, 3600, wear.start - 1, wear.start] { #expect(wear.factor(at: t) == 1) }
        for t in [wear.end, wear.end + 1, 48 * 3600] { #expect(wear.factor(at: t) == 2) }
        #expect(wear.factor(at: wear.start + 1800) == 1.25)
        #expect(wear.factor(at: wear.start + 3600) == 1.5)
        #expect(wear.factor(at: wear.start + 5400) == 1.75)
        // Equal steps in time, equal steps in factor.
        let steps = stride(from: wear.start, to: wear.end, by: 10).map {
            wear.factor(at: $0 + 10) - wear.factor(at: $0)
        }
        #expect(steps.allSatisfy { abs($0 - 10.0 / 7200) < 1e-12 })
    }

    @Test func aRampOfZeroIsAStepAtTheStart() {
        let wear = SimulatedPlant.Wear(signal: signal("motor-1", "vibration"), start: 100, ramp: 0, factor: 3)
        #expect(wear.factor(at: 99) == 1)
        #expect(wear.factor(at: 100) == 3)
        #expect(wear.factor(at: 101) == 3)
    }

    @Test func theWornVibrationIsTheHealthyOneTimesTheFactorAndNothingElseChanges() throws {
        let wear = try #require(plant.wear)
        let epoch = 1_795_941_120.0
        for t in stride(from: 0, through: 8 * 3600, by: 590) {
            for signal in plant.signals {
                let worn = plant.value(of: signal, at: t, epochSeconds: epoch + Double(t))
                let normal = healthy.value(of: signal, at: t, epochSeconds: epoch + Double(t))
                if signal == wear.signal {
                    #expect(abs(worn - normal * wear.factor(at: t)) < 1e-9, "\(t)")
                } else {
                    #expect(worn == normal, "\(signal.asset)/\(signal.name) at \(t)")
                }
            }
        }
    }

    @Test func theVibrationDoublesOnAverageAndTheControlDoesNot() {
        func mean(_ asset: String, over range: StrideTo<Int>) -> Double {
            let values = range.map { plant.value(of: signal(asset, "vibration"), at: $0, epochSeconds: Double($0)) }
            return values.reduce(0, +) / Double(values.count)
        }
        let before = stride(from: 3 * 3600, to: 4 * 3600, by: 10)
        let after = stride(from: 6 * 3600, to: 7 * 3600, by: 10)
        #expect(abs(mean("motor-1", over: after) / mean("motor-1", over: before) - 2) < 0.05)
        #expect(abs(mean("motor-2", over: after) / mean("motor-2", over: before) - 1) < 0.05)
        // The two motors are alike but not the same: their noise differs.
        #expect(
            plant.value(of: signal("motor-1", "current"), at: 10, epochSeconds: 10)
                != plant.value(of: signal("motor-2", "current"), at: 10, epochSeconds: 10)
        )
    }

    @Test func isDeterministicForASeedAndDiffersForAnother() {
        let again = SimulatedPlant.bearingWear()
        let other = SimulatedPlant.bearingWear(seed: 2)
        let times = [0, 10, 4 * 3600 + 600, 7 * 3600]
        for signal in plant.signals {
            #expect(
                times.map { plant.value(of: signal, at: $0, epochSeconds: 1000) }
                    == times.map { again.value(of: signal, at: $0, epochSeconds: 1000) }
            )
            #expect(
                times.map { plant.value(of: signal, at: $0, epochSeconds: 1000) }
                    != times.map { other.value(of: signal, at: $0, epochSeconds: 1000) }
            )
        }
    }

    @Test func announcesTheWearWhenItBeginsAndWhenItIsComplete() throws {
        let wear = try #require(plant.wear)
        let announced = stride(from: 0, to: 8 * 3600, by: 10).flatMap { t in
            plant.announcements(in: t..<(t + 10)).map { (t, $0) }
        }
        #expect(announced.map(\.0) == [wear.start, wear.end])
        #expect(announced.map(\.1) == [.wearBegins(wear), .wearComplete(wear)])
        #expect(
            announced.map(\.1.description) == [
                "wear begins: wear on motor-1/vibration from t+14400s: ×2.0 over 7200s",
                "wear complete: motor-1/vibration at ×2.0",
            ]
        )
    }

    @Test func scenariosReadEveryTenSecondsForTheWearAndEverySecondForTheFaults() {
        #expect(SimulatedPlant.Scenario(rawValue: "bearing-wear")?.defaultInterval == 10)
        #expect(SimulatedPlant.Scenario(rawValue: "faults")?.defaultInterval == 1)
        #expect(SimulatedPlant.Scenario.allCases.map(\.rawValue) == ["faults", "bearing-wear", "winding-drift"])
    }
}
