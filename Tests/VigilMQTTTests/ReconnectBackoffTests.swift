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

    @Test func theMostAttemptsInAWindowFollowTheShortestDelays() {
        // Shortest delays 100, 200, 400, then 500 ms: attempts at 0, 100, 300, 700, 1200, 1700, …
        #expect(ReconnectBackoff.mostAttempts(in: .zero, initial: .milliseconds(200), maximum: .seconds(1)) == 1)
        #expect(
            ReconnectBackoff.mostAttempts(in: .milliseconds(699), initial: .milliseconds(200), maximum: .seconds(1))
                == 3
        )
        #expect(
            ReconnectBackoff.mostAttempts(in: .milliseconds(700), initial: .milliseconds(200), maximum: .seconds(1))
                == 4
        )
        #expect(ReconnectBackoff.mostAttempts(in: .seconds(5), initial: .milliseconds(200), maximum: .seconds(1)) == 12)
        // Never fewer than the delays drawn by a real backoff allow.
        var backoff = ReconnectBackoff(initial: .milliseconds(200), maximum: .seconds(1))
        var random = SystemRandomNumberGenerator()
        var elapsed = Duration.zero
        var attempts = 1
        while true {
            let delay = backoff.nextDelay(using: &random)
            if elapsed + delay > .seconds(5) { break }
            elapsed += delay
            attempts += 1
        }
        #expect(attempts <= 12)
    }
}
