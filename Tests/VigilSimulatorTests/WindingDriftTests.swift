import Testing
import VigilSimulator

@Suite struct WindingDriftTests {
    let plant = SimulatedPlant.windingDrift()

    @Test func isOneMotorWhoseWindingClimbsFromSeventyToItsLimitOfNinetyFiveInAThousandSecondsAfterEachRenewal()
        throws
    {
        #expect(plant.signals.map { "\($0.asset)/\($0.name)" } == ["motor-3/current", "motor-3/winding_temperature"])
        let wear = try #require(plant.wear)
        #expect(wear.signal == plant.signals[1])
        #expect(wear.renewal == 1200)
        #expect(plant.faults.isEmpty)
        // The trend without noise: 70 + 0.025 °C per second of the winding's age.
        for age in [0, 400, 1000, 1199] {
            for period in 0..<3 {
                let expected = 70 + 0.025 * Double(age)
                #expect(abs(70 * wear.factor(at: period * 1200 + age) - expected) < 1e-9, "\(period) \(age)")
            }
        }
        #expect(abs(70 * wear.factor(at: 1000) - 95) < 1e-9)
    }

    @Test func theReadingsFollowTheTrendWithinTheirNoise() throws {
        let winding = plant.signals[1]
        for t in stride(from: 0, to: 3600, by: 7) {
            let age = Double(t % 1200)
            #expect(abs(plant.value(of: winding, at: t, epochSeconds: Double(t)) - (70 + 0.025 * age)) < 3, "\(t)")
        }
    }

    @Test func announcesTheWearOnceAndEachRenewal() throws {
        let wear = try #require(plant.wear)
        let announced = stride(from: 0, to: 3700, by: 1).flatMap { t in
            plant.announcements(in: t..<(t + 1)).map { (t, $0) }
        }
        #expect(announced.map(\.0) == [0, 1200, 2400, 3600])
        #expect(announced.map(\.1) == [.wearBegins(wear), .wearRenewed(wear), .wearRenewed(wear), .wearRenewed(wear)])
        // Read every 10 s, the same moments are announced.
        let coarse = stride(from: 0, to: 3700, by: 10).flatMap { plant.announcements(in: $0..<($0 + 10)) }
        #expect(coarse.count == 4)
    }

    @Test func aWearCompleteBeforeItsRenewalStaysAtItsFactorUntilThen() {
        let signal = plant.signals[0]
        let wear = SimulatedPlant.Wear(signal: signal, start: 100, ramp: 50, factor: 2, renewal: 200)
        #expect(wear.factor(at: 99) == 1)
        #expect(wear.factor(at: 150) == 2)
        #expect(wear.factor(at: 299) == 2)
        #expect(wear.factor(at: 300) == 1)
        #expect(wear.factor(at: 325) == 1.5)
    }
}
