import Testing
import VigilCore
import VigilDaemon

/// The rules by which assets are admitted, make room and are forgotten, and the budgets behind them.
@Suite struct AssetLifecycleTests {
    let hour: Int64 = 3_600_000

    @Test func aNewNameTakesOneOfItsEntrysAdmissionsAndADormantOneComesBackFree() {
        var lifecycle = AssetLifecycle(expiry: .seconds(7 * 86_400), newAssetsPerMinute: [3])
        lifecycle.restore(dormant: ["pump-1": 0])
        #expect(lifecycle.knows("pump-1"))
        var admitted: [Bool] = []
        for _ in 0..<5 { admitted.append(lifecycle.admitNew(profile: 0, at: 0)) }
        #expect(admitted == [true, true, true, false, false])
        // A minute refills the budget.
        let refilled = lifecycle.admitNew(profile: 0, at: 60_000)
        #expect(refilled)
    }

    @Test func theQuietestAssetOfTheEntryMakesRoomOnceQuietForAnHourAndWithoutAnOpenAlarm() {
        var lifecycle = AssetLifecycle(expiry: nil, newAssetsPerMinute: [10, 10])
        lifecycle.touch("junk-1", profile: 0, at: 0)
        lifecycle.touch("junk-2", profile: 0, at: 1000)
        lifecycle.touch("press-1", profile: 1, at: 0)
        lifecycle.touch("real", profile: 0, at: hour)
        #expect(lifecycle.evictionCandidate(profile: 0, at: hour, hasOpenAlarm: { _ in false }) == "junk-1")
        #expect(lifecycle.evictionCandidate(profile: 0, at: hour, hasOpenAlarm: { $0 == "junk-1" }) == nil)
        #expect(lifecycle.evictionCandidate(profile: 0, at: hour + 1000, hasOpenAlarm: { $0 == "junk-1" }) == "junk-2")
        #expect(lifecycle.evictionCandidate(profile: 0, at: hour - 1, hasOpenAlarm: { _ in false }) == nil)
    }

    @Test func assetsQuietLongerThanTheExpiryAreForgottenUnlessAnAlarmIsOpen() {
        var lifecycle = AssetLifecycle(expiry: .seconds(86_400), newAssetsPerMinute: [10])
        lifecycle.restore(dormant: ["old": 0, "alarmed": 0])
        lifecycle.touch("fresh", profile: 0, at: 24 * hour)
        #expect(lifecycle.expired(at: 24 * hour + 1, hasOpenAlarm: { $0 == "alarmed" }) == ["old"])
        lifecycle.remove("old")
        #expect(!lifecycle.knows("old"))
        #expect(
            AssetLifecycle(expiry: .zero, newAssetsPerMinute: [1]).expired(at: .max, hasOpenAlarm: { _ in false }) == []
        )
    }

    @Test func aTokenBucketRefillsExactlyOverItsPeriod() {
        var bucket = TokenBucket(capacity: 2, period: .seconds(60))
        let first = [bucket.take(at: 0), bucket.take(at: 0), bucket.take(at: 0)]
        #expect(first == [true, true, false])
        // Refilled a millisecond at a time, nothing is lost to rounding: one take after 30 s.
        for ms in stride(from: Int64(1), to: 30_000, by: 1) { _ = bucket.isFull(at: ms) }
        let later = [bucket.take(at: 29_999), bucket.take(at: 30_000), bucket.take(at: 30_000)]
        #expect(later == [false, true, false])
    }

    @Test func deadLettersBeyondTheirReasonsBudgetAreCountedNotMade() {
        let budget = DeadLetterBudget(burst: 3, period: .seconds(10))
        let admitted = (0..<10).map { _ in budget.admit(.late, at: 0) }
        #expect(admitted.filter { $0 }.count == 3)
        #expect(budget.admit(.malformed, at: 0), "one reason's flood does not spend another's budget")
        #expect(budget.takeSuppressed() == [.late: 7])
        #expect(budget.takeSuppressed().isEmpty)
    }
}

/// A session takeover told from an ordinary lost connection by its rate.
@Suite struct TakeoverDetectorTests {
    @Test func oneLossIsABrokerRestartThreeInAMinuteATakeover() {
        var detector = TakeoverDetector()
        #expect(detector.observe(losses: 0, at: 0) == nil)
        #expect(detector.observe(losses: 1, at: 1000) == nil)
        #expect(detector.observe(losses: 2, at: 2000) == nil)
        #expect(detector.observe(losses: 3, at: 3000) == 3)
        // A minute later the old losses have left the window.
        #expect(detector.observe(losses: 3, at: 64_000) == nil)
        #expect(detector.observe(losses: 4, at: 65_000) == nil)
    }
}

/// The bound on all known assets together, live and dormant.
@Suite struct AssetCapacityTests {
    @Test func theDormantAssetsBeyondTheCapacityQuietLongestGoFirst() {
        var lifecycle = AssetLifecycle(expiry: nil, newAssetsPerMinute: [10], capacity: 3)
        lifecycle.restore(dormant: ["a": 10, "b": 20, "c": 30, "d": 40, "e": 50])
        #expect(lifecycle.beyondCapacity(hasOpenAlarm: { $0 == "a" }) == ["b", "c"])
        lifecycle.touch("f", profile: 0, at: 4_000_000)
        // Any entry's quietest asset makes room, dormant ones included.
        #expect(lifecycle.evictionCandidate(profile: nil, at: 4_000_000, hasOpenAlarm: { _ in false }) == "a")
        #expect(lifecycle.evictionCandidate(profile: 0, at: 4_000_000, hasOpenAlarm: { _ in false }) == nil)
    }
}
