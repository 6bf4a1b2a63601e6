import Testing
import VigilDaemon

/// Arrival times across steps of the wall clock, with both clocks simulated.
@Suite struct ArrivalClockTests {
    /// Feeds `steps` seconds of 100 ms ticks of both clocks, the wall clock offset by `offset(t)`;
    /// returns the arrival times (ms).
    func run(seconds: Int, start: Int64 = 1_795_948_320_000, offset: (Int) -> Int64) -> [Int64] {
        var state = ArrivalClock.State()
        var times: [Int64] = []
        for tick in 0...(seconds * 10) {
            let wall = start + Int64(tick) * 100 + offset(tick)
            times.append(state.advance(wall: wall, elapsed: tick == 0 ? .zero : .milliseconds(100)).time)
        }
        return times
    }

    @Test func followsTheWallClockWhileItRunsNormally() {
        let times = run(seconds: 10) { _ in 0 }
        #expect(times == (0...100).map { 1_795_948_320_000 + Int64($0) * 100 })
    }

    @Test func aStepBackNeverMovesArrivalTimesBackAndIsAbsorbedAtHalfSpeed() {
        // The wall clock goes back 10 s after 5 s.
        let times = run(seconds: 60) { tick in tick >= 50 ? -10_000 : 0 }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "arrival times went backwards or stood still")
        // Half speed: the 10 s are absorbed after 20 s, then the wall clock leads again.
        let wall = { (tick: Int) in 1_795_948_320_000 + Int64(tick) * 100 - 10_000 }
        #expect(times[50] - times[49] == 50)
        #expect(times[300] == wall(300))
        #expect(times[600] == wall(600))
    }

    @Test func aStepForwardIsFollowedAtOnceAndItsCorrectionNeverRefusesAnything() {
        // An hour ahead for a minute, then corrected.
        let times = run(seconds: 180) { tick in tick >= 100 && tick < 700 ? 3_600_000 : 0 }
        #expect(times[100] - times[99] == 3_600_100)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func reportsTheStepsItSees() {
        var state = ArrivalClock.State()
        #expect(state.advance(wall: 1_000_000, elapsed: .zero).step == nil)
        #expect(state.advance(wall: 1_000_100, elapsed: .milliseconds(100)).step == nil)
        #expect(state.advance(wall: 4_600_200, elapsed: .milliseconds(100)).step == .seconds(3600))
        #expect(state.advance(wall: 1_000_300, elapsed: .milliseconds(100)).step == .seconds(-3600))
        #expect(state.advance(wall: 1_000_400, elapsed: .milliseconds(100)).step == nil)
    }
}
