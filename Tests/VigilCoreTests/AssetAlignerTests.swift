import Testing
import VigilCore

@Suite struct AssetAlignerTests {
    func reading(_ signal: String, _ value: Double, atMs ms: Int64) -> Reading {
        Reading(asset: "a", signal: signal, value: value, time: Timestamp(milliseconds: ms))
    }

    @Test func withoutATickTheFirstReadingsWaitThenTakeTheirPlacesOnTheGridOfTheirSpacing() throws {
        var aligner = AssetAligner(asset: "a", tick: nil, maxHold: 2)
        var configured = AssetAligner(asset: "a", tick: .seconds(10), maxHold: 2)
        var waited: [Tick] = []
        var direct: [Tick] = []
        // Readings every 10 s, a few milliseconds off.
        for index in 0..<20 {
            let jitter = Int64([3, -4, 7, 0, -2][index % 5])
            let time = Int64(index) * 10_000 + 1000 + jitter
            let ticks = try aligner.add(reading("x", Double(index), atMs: time))
            if index < 8 { #expect(ticks.isEmpty && aligner.tick == nil) }
            waited += ticks
            direct += try configured.add(reading("x", Double(index), atMs: time))
        }
        #expect(aligner.tick == .seconds(10) && !aligner.tickConfigured)
        #expect(aligner.dataSpacing == .seconds(10))
        // Nothing was lost while waiting: the same ticks as with the tick configured.
        #expect(waited == direct)
        #expect(waited.count == 19)
    }

    @Test func readingsWaitingForTheTickAreCheckedAsTheyCome() throws {
        var aligner = AssetAligner(asset: "a", tick: nil, maxHold: 2)
        _ = try aligner.add(reading("x", 1, atMs: 5000))
        #expect(throws: Rejection.self) { try aligner.add(reading("x", 2, atMs: 5000)) }
        #expect(throws: Rejection.self) { try aligner.add(reading("x", 2, atMs: 4000)) }
    }

    @Test func aReplayShorterThanTheEstimateStillGetsItsTicks() throws {
        var aligner = AssetAligner(asset: "a", tick: nil, maxHold: 2)
        for index in 0..<4 {
            #expect(try aligner.add(reading("x", Double(index), atMs: Int64(index) * 60_000)).isEmpty)
        }
        let ticks = aligner.flush()
        #expect(aligner.tick == .seconds(60))
        #expect(ticks.map(\.values) == [[0], [1], [2], [3]])
    }

    @Test func closesATickWhenALaterIntervalBegins() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 2)
        #expect(try aligner.add(reading("x", 1, atMs: 100)).isEmpty)
        #expect(try aligner.add(reading("y", 10, atMs: 500)).isEmpty)
        #expect(try aligner.add(reading("x", 2, atMs: 900)).isEmpty)
        let ticks = try aligner.add(reading("x", 3, atMs: 1100))
        #expect(ticks == [Tick(asset: "a", time: Timestamp(milliseconds: 0), signals: ["x", "y"], values: [2, 10])])
    }

    @Test func holdsLastValuesAcrossShortGapsOnly() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 2)
        _ = try aligner.add(reading("x", 1, atMs: 0))
        let ticks = try aligner.add(reading("x", 2, atMs: 10_000))
        // Interval 0 plus two held intervals; the rest of the gap yields nothing.
        #expect(ticks.map(\.time.milliseconds) == [0, 1000, 2000])
        #expect(ticks.allSatisfy { $0.values == [1] })
    }

    @Test func skipsTicksWithASignalSilentBeyondTheHold() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 1)
        _ = try aligner.add(reading("x", 1, atMs: 0))
        _ = try aligner.add(reading("y", 1, atMs: 0))
        var emitted: [Tick] = []
        for second in 1...5 {
            emitted += try aligner.add(reading("x", Double(second), atMs: Int64(second) * 1000))
        }
        // y last reported in interval 0: held for interval 1, missing from interval 2 on.
        #expect(emitted.map(\.time.milliseconds) == [0, 1000])
    }

    @Test func refusesReadingsOlderThanTheOpenTick() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 2)
        _ = try aligner.add(reading("x", 1, atMs: 5000))
        #expect(throws: Rejection.self) { try aligner.add(reading("x", 1, atMs: 4999)) }
        #expect(try aligner.add(reading("x", 1, atMs: 5001)).isEmpty)
    }

    @Test func refusesARepeatedTimeStampAsDuplicateAndAnOlderOneAsLate() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(10), maxHold: 2)
        _ = try aligner.add(reading("x", 1, atMs: 5000))
        _ = try aligner.add(reading("y", 1, atMs: 5000))
        #expect(throws: Rejection.self) { try aligner.add(reading("x", 2, atMs: 5000)) }
        do {
            _ = try aligner.add(reading("x", 2, atMs: 5000))
        } catch {
            #expect(error.reason == .duplicate)
        }
        do {
            _ = try aligner.add(reading("x", 2, atMs: 4000))
            Issue.record("an older reading in the open tick was accepted")
        } catch {
            #expect(error.reason == .late)
        }
        // The rejected readings left no trace: the tick holds the first values.
        let ticks = try aligner.add(reading("x", 3, atMs: 12_000))
        #expect(ticks.map(\.values) == [[1, 1]])
    }

    @Test func readingsStampedOnArrivalMayShareAMillisecond() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(10), maxHold: 2)
        let arrival = Timestamp(milliseconds: 5000)
        _ = try aligner.add(Reading(asset: "a", signal: "x", value: 1, time: arrival, stamped: false))
        _ = try aligner.add(Reading(asset: "a", signal: "x", value: 2, time: arrival, stamped: false))
        let ticks = try aligner.add(Reading(asset: "a", signal: "x", value: 3, time: arrival + .seconds(10)))
        #expect(ticks.map(\.values) == [[2]])
    }

    @Test func capsTheNumberOfSignals() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 2, maxSignals: 2)
        _ = try aligner.add(reading("x", 1, atMs: 0))
        _ = try aligner.add(reading("y", 1, atMs: 0))
        #expect(throws: Rejection.self) { try aligner.add(reading("z", 1, atMs: 0)) }
    }

    @Test func aFloodOnOneSignalIsHeldToItsRateInEventTime() throws {
        var aligner = AssetAligner(asset: "a", tick: .seconds(1), maxHold: 2, maxRate: 10)
        func reason(_ signal: String, atMs ms: Int64) -> RejectionReason? {
            do {
                _ = try aligner.add(reading(signal, 1, atMs: ms))
                return nil
            } catch {
                return error.reason
            }
        }
        // 100 readings 1 ms apart: the budget of one second (10) goes to the first ten, then the
        // 90 ms that follow refill less than one reading.
        let flood = (0..<100).map { reason("x", atMs: 5000 + Int64($0)) }
        #expect(flood.prefix(10).allSatisfy { $0 == nil })
        #expect(flood.dropFirst(10).allSatisfy { $0 == .rateLimited })
        // Another signal has its own budget; and 100 ms refill one reading.
        #expect(reason("y", atMs: 5099) == nil)
        #expect(reason("x", atMs: 5109) == nil)
        #expect(reason("x", atMs: 5110) == .rateLimited)
        // A backlog with its own time stamps at the sensor's rate is taken whole, however fast it arrives.
        #expect((0..<50).allSatisfy { reason("x", atMs: 7000 + Int64($0) * 100) == nil })
    }

    @Test func aRateLimitOfZeroTakesEverything() {
        var limit = ReadingRateLimit(perSecond: 0)
        var unlimited = 0
        for _ in 0..<10_000 where limit.take(at: 0) { unlimited += 1 }
        #expect(unlimited == 10_000)
        var tight = ReadingRateLimit(perSecond: 1)
        func take(_ milliseconds: Int64) -> Bool { tight.take(at: milliseconds) }
        #expect(take(0))
        #expect(!take(999))
        #expect(take(1000))
        // Time going backwards refills nothing (and never overflows).
        #expect(!take(-1_000_000_000_000))
        #expect(take(Int64.max / 2))
        #expect(!take(Int64.min))
    }
}
