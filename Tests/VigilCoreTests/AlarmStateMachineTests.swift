import Testing
import VigilCore

@Suite struct AlarmStateMachineTests {
    func feed(_ machine: inout AlarmStateMachine, _ scores: [Double], startingAt start: Int = 0) -> [Event] {
        scores.enumerated().compactMap { offset, score in
            machine.update(
                time: Timestamp(milliseconds: Int64(start + offset) * 1000),
                detection: Detection(score: score, kind: .anomaly, contributions: []),
                detector: "test"
            )
        }
    }

    @Test func raisesAfterMinDurationAndClearsBelowTheLowerThreshold() {
        var machine = AlarmStateMachine(
            asset: "a",
            policy: AlarmPolicy(threshold: 0.99, minDuration: 3, clearBelow: 0.9, clearAfter: 2)
        )
        let events = feed(&machine, [0.5, 0.995, 0.995, 0.995, 0.995, 0.95, 0.5, 0.5, 0.1])
        #expect(events.map(\.transition) == [.raised, .cleared])
        #expect(events[0].time.milliseconds == 3000)
        #expect(events[0].windowStart.milliseconds == 1000)
        #expect(events[1].time.milliseconds == 7000)
        #expect(events[0].alarmID == events[1].alarmID)
    }

    @Test func shortExcursionsDoNotRaise() {
        var machine = AlarmStateMachine(asset: "a", policy: AlarmPolicy(minDuration: 3))
        #expect(feed(&machine, [0.999, 0.999, 0.1, 0.999, 0.999, 0.1]).isEmpty)
    }

    @Test func escalatesSeverityWithAnUpdate() {
        var machine = AlarmStateMachine(asset: "a", policy: AlarmPolicy(minDuration: 1, criticalAbove: 0.9999))
        let events = feed(&machine, [0.995, 0.99999, 0.99999, 0.995])
        #expect(events.map(\.transition) == [.raised, .updated])
        #expect(events.map(\.severity) == [.warning, .critical])
    }

    @Test func cooldownBoundsTheRateOfAFlappingSignal() {
        var machine = AlarmStateMachine(
            asset: "a",
            policy: AlarmPolicy(minDuration: 1, clearBelow: 0.5, clearAfter: 1, cooldown: .seconds(60))
        )
        // Over and under the threshold every tick for ten minutes.
        let scores = (0..<600).map { $0 % 2 == 0 ? 0.999 : 0.1 }
        let raised = feed(&machine, scores).filter { $0.transition == .raised }
        #expect(raised.count <= 10)
        #expect(raised.count >= 9)
    }

    @Test func sameInputGivesTheSameAlarmIDs() {
        var first = AlarmStateMachine(asset: "pump-1", policy: AlarmPolicy(minDuration: 1, clearAfter: 1))
        var second = AlarmStateMachine(asset: "pump-1", policy: AlarmPolicy(minDuration: 1, clearAfter: 1))
        let scores = [0.1, 0.999, 0.1, 0.1]
        #expect(feed(&first, scores) == feed(&second, scores))
    }
}
