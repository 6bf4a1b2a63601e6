import Testing
import VigilMQTT
import VigilTestSupport

@Suite struct ReconnectBackoffTests {
    @Test func growsExponentiallyWithJitterUpToTheCap() {
        var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(30))
        var random = SeededRandom(seed: 1)
        let delays = (0..<10).map { _ in backoff.nextDelay(using: &random) }
        let ceilings: [Duration] = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30].map { .seconds($0) }
        for (delay, ceiling) in zip(delays, ceilings) {
            #expect(delay <= ceiling)
            #expect(delay >= ceiling / 2)
        }
        backoff.reset()
        #expect(backoff.nextDelay(using: &random) <= .seconds(1))
    }

    @Test func jitterSpreadsAFleet() {
        var random = SeededRandom(seed: 2)
        let firstDelays = Set(
            (0..<20).map { _ in
                var backoff = ReconnectBackoff(initial: .seconds(8), maximum: .seconds(30))
                return backoff.nextDelay(using: &random)
            }
        )
        #expect(firstDelays.count > 15)
    }
}
