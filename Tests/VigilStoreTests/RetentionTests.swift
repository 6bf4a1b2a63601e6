import Foundation
import Testing
import VigilCore
import VigilStore

/// Retention counts from when Vigil recorded an event, not from the event time its readings carried
/// (issue 12, failure 4: events of readings stamped in 2000 were deleted at the next start).
@Suite struct RetentionTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "vigil-retention-\(UUID().uuidString)"
    )
    var path: String { directory.appendingPathComponent("vigil.db").path }

    func event(_ id: String, _ transition: AlarmTransition, at time: Timestamp) -> Event {
        Event(
            alarmID: id,
            asset: "pump-1",
            kind: .anomaly,
            transition: transition,
            severity: .warning,
            score: 0.995,
            peakScore: 0.995,
            time: time,
            windowStart: time,
            windowEnd: time,
            contributions: [SignalContribution(signal: "p", value: 9, expected: 5, score: 0.995)],
            detector: "robust-mad"
        )
    }

    @Test func eventsOfOldReadingsRecordedTodayOutliveTheRetentionCutoff() async throws {
        let store = try EventStore(path: path)
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        let year2000 = Timestamp(milliseconds: 946_771_200_000)  // 2000-01-02
        var batch = StoreBatch()
        batch.events = [event("old-1", .raised, at: year2000), event("old-1", .cleared, at: year2000 + .seconds(5))]
        try await store.record(batch, at: now)
        let deleted = try await store.deleteHistory(before: now - .seconds(90 * 86_400))
        #expect(deleted == 0)
        #expect(try store.reader.events(EventQuery()).count == 2)
    }

    @Test func eventsRecordedLongerAgoThanTheRetentionAreDeleted() async throws {
        let store = try EventStore(path: path)
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        var batch = StoreBatch()
        batch.events = [event("a-1", .raised, at: now), event("a-1", .cleared, at: now + .seconds(5))]
        try await store.record(batch, at: now - .seconds(100 * 86_400))
        #expect(try await store.deleteHistory(before: now - .seconds(90 * 86_400)) == 2)
        #expect(try store.reader.events(EventQuery()).isEmpty)
    }
}
