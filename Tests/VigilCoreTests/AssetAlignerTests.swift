import Testing
import VigilCore

@Suite struct AssetAlignerTests {
    func reading(_ signal: String, _ value: Double, atMs ms: Int64) -> Reading {
        Reading(asset: "a", signal: signal, value: value, time: Timestamp(milliseconds: ms))
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
}
